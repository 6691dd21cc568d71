"""Exports of people lists (scoped, masked unless permitted, recorded)."""
from __future__ import annotations

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.accounts import permissions
from jiceng.audit.services import audit_log
from jiceng.core.errors import PermissionDeniedError

from .idnumber import mask_id_number, mask_phone
from .models import SpecialGroup

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell a spreadsheet will never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def resident_export_rows(*, actor, residents, full: bool = False):
    header = [_("姓名"), _("性别"), _("出生日期"), _("身份证号"), _("联系电话"), _("民族"), _("户编号"),
              _("与户主关系"), _("所在单元"), _("现居住地址"), _("状态"), _("特殊群体")]
    yield header
    for r in residents:
        may_see = full and permissions.can_see_personal_data(actor, r.org_path)
        tags = "、".join(str(SpecialGroup(t.tag).label) for t in r.tags.all())
        yield [neutralise(v) for v in (
            r.name, r.get_gender_display(), r.birth_date.isoformat(),
            r.id_number if may_see else mask_id_number(r.id_number),
            r.phone if may_see else mask_phone(r.phone), r.ethnicity,
            r.household.number if r.household_id else "", r.get_relationship_display(), r.org_unit.name,
            r.actual_address or (r.household.address if r.household_id else ""), r.get_status_display(), tags,
        )]


def resident_export_csv(*, actor, residents, filters: dict, full: bool = False, ip_address: str = "") -> bytes:
    """CSV (UTF-8 with BOM, so Excel opens it in Chinese) of the given scoped queryset."""
    if not permissions.can_export_people(actor):
        raise PermissionDeniedError(_("您的角色不能导出人员名单"))
    residents = residents.prefetch_related("tags")
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    count = 0
    for row in resident_export_rows(actor=actor, residents=residents.iterator(chunk_size=2000), full=full):
        writer.writerow(row)
        count += 1
    with transaction.atomic():
        audit_log(actor=actor, action="people.resident.exported", object_type="people.resident",
                  object_repr=_("居民名单导出（%(n)d 人）") % {"n": count - 1}, ip_address=ip_address,
                  after={"filters": filters, "rows": count - 1, "unmasked": full})
    return buf.getvalue().encode("utf-8")
