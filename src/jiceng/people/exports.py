"""Exports of people lists: scoped (the caller passes a selector's queryset), masked unless the
role may see personal data and asked for it, formula-safe, and recorded in the audit trail."""
from __future__ import annotations

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.web.downloads import FORMULA_START, neutralise  # noqa: F401 - one definition for every export

from .idnumber import mask_id_number, mask_phone
from .models import SpecialGroup

FORMATS = ("csv", "xlsx")

def _residents(actor, qs, full):
    yield [_("姓名"), _("性别"), _("出生日期"), _("身份证号"), _("联系电话"), _("民族"), _("户编号"),
           _("与户主关系"), _("所在单元"), _("现居住地址"), _("状态"), _("特殊群体")]
    for r in qs.prefetch_related("tags").iterator(chunk_size=2000):
        may_see = full and permissions.can_see_personal_data(actor, r.org_path)
        tags = "、".join(str(SpecialGroup(t.tag).label) for t in r.tags.all())
        yield [r.name, r.get_gender_display(), r.birth_date.isoformat(),
               r.id_number if may_see else mask_id_number(r.id_number),
               r.phone if may_see else mask_phone(r.phone), r.ethnicity,
               r.household.number if r.household_id else "", r.get_relationship_display(), r.org_unit.name,
               r.actual_address or (r.household.address if r.household_id else ""), r.get_status_display(), tags]


def _households(actor, qs, full):
    yield [_("户编号"), _("户主"), _("住址"), _("所在单元"), _("人数"), _("联系电话"), _("状态")]
    for h in qs.iterator(chunk_size=2000):
        may_see = full and permissions.can_see_personal_data(actor, h.org_path)
        yield [h.number, h.head.name if h.head_id else "", h.address, h.org_unit.name,
               getattr(h, "member_count", ""), h.phone if may_see else mask_phone(h.phone), h.get_status_display()]


def _party_members(actor, qs, full):
    yield [_("姓名"), _("所在党组织"), _("党员类型"), _("入党日期"), _("党内职务"), _("联系户数")]
    for m in qs.iterator(chunk_size=2000):
        yield [m.resident.name, m.branch.party_org_name or m.branch.name, m.get_status_display(),
               m.join_date.isoformat(), m.party_post, getattr(m, "linked_count", "")]


KINDS = {"residents": (_residents, "居民名单"), "households": (_households, "住户名单"),
         "party_members": (_party_members, "党员名单")}


def people_export(*, actor, kind: str, queryset, fmt: str, filters: dict, full: bool = False,
                  ip_address: str = "") -> tuple[bytes, str]:
    """Write the scoped queryset as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX; record it."""
    if not permissions.can_export_people(actor):
        raise PermissionDeniedError(_("您的角色不能导出人员名单"))
    if kind not in KINDS:
        raise JicengError(_("未知的导出类型"), field="kind")
    if fmt not in FORMATS:
        raise JicengError(_("导出格式只能是 csv 或 xlsx"), field="format")
    rows_fn, title = KINDS[kind]
    rows = rows_fn(actor, queryset, full)
    count = -1
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf)
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
            count += 1
        data = buf.getvalue().encode("utf-8")
    else:
        import xlsxwriter

        out = io.BytesIO()
        wb = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True,
                                       "strings_to_formulas": False, "strings_to_urls": False,
                                       "strings_to_numbers": False})
        ws = wb.add_worksheet(title)
        bold = wb.add_format({"bold": True, "bg_color": "#B71C1C", "font_color": "#FFFFFF"})
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                ws.write_string(r, c, neutralise(v), bold if r == 0 else None)
            count += 1
        ws.freeze_panes(1, 0)
        wb.close()
        data = out.getvalue()
    with transaction.atomic():
        audit_log(actor=actor, action=f"people.{kind}.exported", object_type=f"people.{kind}",
                  object_repr=_("%(t)s导出（%(n)d 条）") % {"t": title, "n": count}, ip_address=ip_address,
                  after={"filters": filters, "rows": count, "unmasked": full, "format": fmt})
    return data, title


def resident_export_csv(*, actor, residents, filters: dict, full: bool = False, ip_address: str = "") -> bytes:
    return people_export(actor=actor, kind="residents", queryset=residents, fmt="csv", filters=filters, full=full,
                         ip_address=ip_address)[0]
