"""Department warning lists (部门筛查预警名单): a spreadsheet from the medical-insurance, civil-affairs
or human-resources bureau, matched by ID number, imported all-or-nothing on the registry import's
engine (same reader, same row-level errors, same error workbook)."""
from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.imports.engine import Importer
from jiceng.imports.parsers import ParseError, parse_choice, parse_date
from jiceng.imports.readers import read_sheet
from jiceng.imports.spec import Column, KindSpec
from jiceng.people.idnumber import check_id_number
from jiceng.people.models import Resident

from . import permissions
from .models import Channel, DepartmentList, DepartmentListStatus, RiskKind

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000

DEPARTMENT_WARNINGS = KindSpec("department_warnings", gettext_lazy("部门预警名单"), (
    Column("id_number", "身份证号", True, ("身份证号码", "公民身份号码", "证件号码"), "530124198005010035"),
    Column("name", "姓名", True, ("户主姓名", "人员姓名"), "张三", "用于核对身份证号"),
    Column("kind", "预警类型", True, ("风险类型", "预警事项"), "大额医疗支出",
           "大额医疗支出/自然灾害/意外事故/失业/收入骤减/子女就学困难/住房安全问题/饮水安全问题/劳动力丧失/其他困难"),
    Column("detail", "预警说明", False, ("说明", "情况说明", "备注"), "住院自付医疗费用较高"),
    Column("amount", "金额（元）", False, ("金额", "涉及金额", "自付金额"), "38000"),
    Column("income", "家庭年收入（元）", False, ("家庭收入", "年收入"), "21000"),
    Column("warned_on", "预警日期", False, ("日期",), "2026-10-8"),
))

KIND_ALIASES = {"自然灾害": RiskKind.DISASTER, "意外事故": RiskKind.DISASTER, "因灾": RiskKind.DISASTER,
                "失业": RiskKind.JOB_LOSS, "收入骤减": RiskKind.JOB_LOSS, "因病": RiskKind.MEDICAL,
                "大病": RiskKind.MEDICAL, "因学": RiskKind.SCHOOLING, "辍学": RiskKind.SCHOOLING}


def _number(text: str, label: str) -> Decimal | None:
    t = (text or "").replace(",", "").replace("，", "").strip()
    if not t:
        return None
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ParseError(_("%(l)s“%(v)s”不是数字") % {"l": label, "v": text}) from None
    if not value.is_finite():
        raise ParseError(_("%(l)s“%(v)s”不是数字") % {"l": label, "v": text})
    if value < 0:
        raise ParseError(_("%(l)s不能为负数") % {"l": label})
    if value >= Decimal(10) ** 10:
        raise ParseError(_("%(l)s数值过大") % {"l": label})
    return value.quantize(Decimal("0.01"))


class DepartmentWarningImporter(Importer):
    spec = DEPARTMENT_WARNINGS

    def __init__(self, *, department: str, department_list: DepartmentList | None = None, **kw):
        super().__init__(**kw)
        self.department = department
        self.department_list = department_list

    def validate(self):
        rows, first = self.sheet.rows, self.sheet.first_row_number
        if len(rows) > MAX_ROWS:
            self.error(first, "id_number", "", _("一次最多导入%(n)d行") % {"n": MAX_ROWS})
            return
        ids = [check_id_number(self.cell(r, "id_number")).number for r in rows]
        residents = {r.id_number: r for r in Resident.objects.unscoped(AUTHORISED).filter(id_number__in=ids).select_related("household")}
        seen: dict[tuple, int] = {}
        today = timezone.localdate()
        self.plan = []
        for i, row in enumerate(rows):
            n = first + i
            self.tick(i)
            raw = self.text(n, row, "id_number", required=True, max_length=24)
            resident = None
            if raw:
                check = check_id_number(raw)
                if not check.ok:
                    self.error(n, "id_number", raw, "；".join(check.errors))
                else:
                    resident = residents.get(check.number)
                    if resident is None:
                        self.error(n, "id_number", raw, _("没有登记这个身份证号的居民"))
                    elif resident.status != "living":
                        self.error(n, "id_number", raw, _("该居民已迁出或已故（%(s)s），请核对") % {"s": resident.get_status_display()})
                        resident = None
                    elif resident.household is None:
                        self.error(n, "id_number", raw, _("该居民没有登记所在住户"))
                        resident = None
                    elif not (resident.household.org_path.startswith(self.root.path)
                              and permissions.can_import_list(self.actor, resident.household.org_path)):
                        self.error(n, "id_number", raw, _("该居民不在您的管辖范围内"))
                        resident = None
            name = self.text(n, row, "name", required=True, max_length=50)
            if resident is not None and name and name not in (resident.name, resident.name_search):
                self.error(n, "name", name, _("姓名与身份证号登记的“%(n)s”不一致") % {"n": resident.name})
            kind_text = self.text(n, row, "kind", required=True, max_length=30)
            kind = KIND_ALIASES.get(kind_text, "")
            if kind_text and not kind:
                try:
                    kind = parse_choice(kind_text, RiskKind.choices, field_label=_("预警类型"))
                except ParseError as exc:
                    self.error(n, "kind", kind_text, str(exc))
            detail = self.text(n, row, "detail", max_length=500)
            amount = income = None
            for key, label in (("amount", _("金额")), ("income", _("家庭年收入"))):
                text = self.cell(row, key)
                try:
                    value = _number(text, label)
                except ParseError as exc:
                    self.error(n, key, text, str(exc))
                    continue
                if key == "amount":
                    amount = value
                else:
                    income = value
            warned_text = self.cell(row, "warned_on")
            warned = None
            try:
                warned = parse_date(warned_text)
                if warned is not None and warned > today:
                    self.error(n, "warned_on", warned_text, _("预警日期不能晚于今天"))
            except ParseError as exc:
                self.error(n, "warned_on", warned_text, str(exc))
            if resident is not None and kind:
                key = (resident.pk, kind)
                if key in seen:
                    self.error(n, "id_number", raw, _("与第%(r)d行重复（同一人、同一预警类型）") % {"r": seen[key]})
                else:
                    seen[key] = n
            self.plan.append({"resident": resident, "kind": kind, "detail": detail, "amount": amount,
                              "income": income, "warned": warned or today})
        if not self.errors:
            self.result.created = len(self.plan)

    def apply(self):
        from .services.signals import signal_raise

        for p in self.plan:
            r = p["resident"]
            parts = [f"{self.department}预警：{RiskKind(p['kind']).label}（{r.name}）"]
            if p["detail"]:
                parts.append(p["detail"])
            if p["income"] is not None:
                parts.append(f"家庭年收入 {p['income']} 元")
            parts.append(f"预警日期 {p['warned'].isoformat()}")
            signal_raise(actor=self.actor, household=r.household, channel=Channel.DEPARTMENT, kind=p["kind"],
                         detail="；".join(parts), amount=p["amount"], department_list=self.department_list,
                         department=self.department)


def _run(*, actor, department: str, filename: str, data: bytes, root, dry_run: bool, department_list=None):
    sheet = read_sheet(filename, data)
    importer = DepartmentWarningImporter(actor=actor, sheet=sheet, root=root, department=department,
                                         department_list=department_list)
    importer.result.sha256 = hashlib.sha256(data).hexdigest()
    return importer.run(dry_run=dry_run), sheet


def department_list_check(*, actor, department: str, filename: str, data: bytes, root) -> DepartmentList:
    """Check a department's list (nothing is written but the list itself and what the check found)."""
    if not permissions.can_import_list(actor, root.path):
        raise PermissionDeniedError()
    department = (department or "").strip()
    if not department:
        raise JicengError(_("请填写预警部门"), field="department")
    if len(data) > MAX_BYTES:
        raise JicengError(_("文件不能超过10MB"), field="file")
    import hashlib as _hashlib

    earlier = DepartmentList.objects.filter(sha256=_hashlib.sha256(data).hexdigest(), root=root,
                                            status=DepartmentListStatus.APPLIED).first()
    if earlier is not None:
        raise JicengError(_("这份名单已于 %(d)s 导入过，不能重复导入") % {
            "d": timezone.localtime(earlier.applied_at).strftime("%Y-%m-%d %H:%M")}, field="file")
    result, _sheet = _run(actor=actor, department=department, filename=filename, data=data, root=root, dry_run=True)
    with transaction.atomic(durable=True):
        dl = DepartmentList.objects.create(
            department=department[:100], filename=filename[:255], data=data, sha256=result.sha256, root=root,
            actor=actor, status=DepartmentListStatus.CHECKED if result.ok else DepartmentListStatus.REJECTED,
            result=result.as_dict())
        audit_log(actor=actor, action="monitoring.department_list.checked", obj=root, object_type="monitoring.departmentlist",
                  object_id=dl.pk, object_repr=f"{department} {filename}",
                  after={"rows": result.total, "errors": len(result.errors)})
    return dl


def department_list_apply(*, actor, department_list: DepartmentList) -> DepartmentList:
    """Import a checked list: every row becomes a signal, or (on any error) none does."""
    dl = department_list
    if dl.actor_id != actor.pk:
        raise PermissionDeniedError()
    if dl.status != DepartmentListStatus.CHECKED:
        raise JicengError(_("这份名单现在不能导入：%(s)s") % {"s": dl.get_status_display()}, field="status")
    with transaction.atomic(durable=True):
        locked = DepartmentList.objects.select_for_update().get(pk=dl.pk)
        if locked.status != DepartmentListStatus.CHECKED:
            raise JicengError(_("这份名单已处理"), field="status")
        result, _sheet = _run(actor=actor, department=dl.department, filename=dl.filename, data=bytes(dl.data),
                              root=dl.root, dry_run=False, department_list=locked)
        if not result.applied:
            locked.status, locked.result = DepartmentListStatus.REJECTED, result.as_dict()
        else:
            locked.status, locked.result, locked.applied_at = (DepartmentListStatus.APPLIED, result.as_dict(),
                                                               timezone.now())
        locked.save(update_fields=["status", "result", "applied_at"])
    return locked


def department_list_errors_xlsx(dl: DepartmentList) -> bytes:
    from jiceng.imports.engine import ImportResult, RowError
    from jiceng.imports.workbooks import error_workbook

    sheet = read_sheet(dl.filename, bytes(dl.data))
    result = ImportResult(kind="department_warnings", dry_run=True,
                          errors=[RowError(**e) for e in dl.result.get("errors", [])])
    return error_workbook(sheet, result)


def department_list_template() -> bytes:
    from jiceng.imports.workbooks import template_xlsx

    return template_xlsx(DEPARTMENT_WARNINGS)


__all__ = ["department_list_check", "department_list_apply", "department_list_errors_xlsx", "dt"]
