"""The asset register (三资台账) and the revitalisation of idle assets (闲置资产盘活)."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError

from .. import permissions
from ..models import (
    AreaUnit, Asset, AssetCategory, AssetDocument, AssetKind, AssetStatus, Revitalisation, RevitalisationStatus,
)
from .common import day, economy_unit, locked, need, text
from .money import yuan

# Kinds that belong to each of the three categories (三资).
CATEGORY_KINDS = {
    AssetCategory.RESOURCE: {AssetKind.LAND},
    AssetCategory.ASSET: {AssetKind.BUILDING, AssetKind.FACILITY, AssetKind.EQUIPMENT, AssetKind.EQUITY},
    AssetCategory.FUND: {AssetKind.FUND},
}
# A status a keeper may set by hand; "under transaction" and "leased" follow the transactions.
MANUAL_STATUSES = (AssetStatus.IN_USE, AssetStatus.IDLE, AssetStatus.DISPOSED)
FIELDS = ("code", "name", "category", "kind", "location", "area", "area_unit", "original_value", "current_value",
          "yearly_output", "status", "acquired_on", "note")


def _clean(values: dict, errors: ErrorCollector, *, partial: bool = False) -> dict:
    clean = {}

    def given(name):
        return not partial or name in values

    if given("code"):
        clean["code"] = text(values.get("code"), "code", errors, _("资产编号"), max_length=40)
    if given("name"):
        clean["name"] = text(values.get("name"), "name", errors, _("名称"), max_length=100)
    if given("category") or given("kind"):
        category, kind = values.get("category"), values.get("kind")
        if category not in AssetCategory.values:
            errors.add("category", _("请选择类别：资源、资产或资金"))
        if kind not in AssetKind.values:
            errors.add("kind", _("请选择种类"))
        elif category in AssetCategory.values and kind not in CATEGORY_KINDS[AssetCategory(category)]:
            errors.add("kind", _("“%(k)s”不属于%(c)s类") % {"k": AssetKind(kind).label, "c": AssetCategory(category).label})
        clean["category"], clean["kind"] = category, kind
    if given("location"):
        clean["location"] = text(values.get("location"), "location", errors, _("坐落位置"), max_length=200,
                                 required=False)
    if given("area") or given("area_unit"):
        area = yuan(values.get("area"), "area", errors, label=_("面积"), required=False)
        unit = values.get("area_unit") or ""
        if area is not None and unit not in AreaUnit.values:
            errors.add("area_unit", _("请选择面积单位：平方米或亩"))
        clean["area"], clean["area_unit"] = area, (unit if area is not None else "")
    for name, label in (("original_value", _("原值")), ("current_value", _("现值")), ("yearly_output", _("年收益"))):
        if given(name):
            v = yuan(values.get(name), name, errors, label=label, required=name != "yearly_output")
            clean[name] = v if v is not None else (0 if name == "yearly_output" else None)
    if given("status"):
        status = values.get("status") or AssetStatus.IN_USE
        if status not in MANUAL_STATUSES:
            errors.add("status", _("状态只能登记为在用、闲置或已处置；出租和交易中由产权交易自动变更"))
        clean["status"] = status
    if given("acquired_on"):
        clean["acquired_on"] = day(values.get("acquired_on"), "acquired_on", errors, _("取得日期"), required=False)
    if given("note"):
        clean["note"] = (values.get("note") or "").strip()
    return clean


def asset_create(*, actor, org_unit, **values) -> Asset:
    """Register an asset (资产登记) in a village's or community's register."""
    org_unit = economy_unit(org_unit)
    need(permissions.can_keep, actor, org_unit.path)
    errors = ErrorCollector()
    clean = _clean(values, errors)
    errors.raise_if_any()
    with transaction.atomic():
        if Asset.objects.within(org_unit.path).filter(org_unit=org_unit, code=clean["code"]).exists():
            raise JicengError(_("资产编号“%(c)s”在%(u)s已登记") % {"c": clean["code"], "u": org_unit.name}, field="code")
        a = Asset.objects.create(org_unit=org_unit, org_path=org_unit.path, created_by=actor, **clean)
        audit_log(actor=actor, action="assets.asset.created", obj=a, object_repr=f"{org_unit.name} {a.name}",
                  after=_summary(a))
    return a


def _summary(a: Asset) -> dict:
    return {"code": a.code, "name": a.name, "kind": a.kind, "status": a.status,
            "original_value": str(a.original_value), "current_value": str(a.current_value),
            "yearly_output": str(a.yearly_output)}


def asset_update(*, actor, asset: Asset, **values) -> Asset:
    need(permissions.can_keep, actor, asset.org_path)
    errors = ErrorCollector()
    clean = _clean(values, errors, partial=True)
    errors.raise_if_any()
    with transaction.atomic():
        a = locked(Asset, asset.pk)
        if "status" in clean and a.status in (AssetStatus.UNDER_TRANSACTION, AssetStatus.LEASED) \
                and clean["status"] != a.status:
            raise JicengError(_("该资产正在交易或出租中，状态随交易变更"), field="status")
        if "code" in clean and clean["code"] != a.code and Asset.objects.within(a.org_path).filter(
                org_unit_id=a.org_unit_id, code=clean["code"]).exists():
            raise JicengError(_("资产编号“%(c)s”已登记") % {"c": clean["code"]}, field="code")
        before = _summary(a)
        for k, v in clean.items():
            setattr(a, k, v)
        a.save()
        audit_log(actor=actor, action="assets.asset.updated", obj=a, before=before, after=_summary(a))
    return a


def asset_document_add(*, actor, asset: Asset, title: str, file, is_photo: bool = False) -> AssetDocument:
    need(permissions.can_keep, actor, asset.org_path)
    errors = ErrorCollector()
    title = text(title, "title", errors, _("名称"), max_length=100)
    if file is None:
        errors.add("file", _("请选择文件"))
    errors.raise_if_any()
    with transaction.atomic():
        d = AssetDocument.objects.create(asset=asset, org_path=asset.org_path, title=title, file=file,
                                         is_photo=bool(is_photo), uploaded_by=actor)
        audit_log(actor=actor, action="assets.document.added", obj=d, object_repr=f"{asset.name} · {title}",
                  org_path=asset.org_path)
    return d


def revitalisation_start(*, actor, asset: Asset, plan: str, expected_output, started_on) -> Revitalisation:
    """Start bringing an idle or low-yield asset back into use, with the yearly output expected."""
    need(permissions.can_keep, actor, asset.org_path)
    errors = ErrorCollector()
    plan = text(plan, "plan", errors, _("盘活方式"), max_length=200)
    expected = yuan(expected_output, "expected_output", errors, label=_("预期年收益"), zero=False)
    started_on = day(started_on, "started_on", errors, _("开始日期"))
    errors.raise_if_any()
    with transaction.atomic():
        a = locked(Asset, asset.pk)
        if a.status == AssetStatus.DISPOSED:
            raise JicengError(_("已处置的资产不能盘活"), field="asset")
        if Revitalisation.objects.within(a.org_path).filter(asset=a, status=RevitalisationStatus.PLANNED).exists():
            raise JicengError(_("该资产已有进行中的盘活计划"), field="asset")
        r = Revitalisation.objects.create(asset=a, org_path=a.org_path, plan=plan, expected_output=expected,
                                          started_on=started_on, created_by=actor)
        audit_log(actor=actor, action="assets.revitalisation.started", obj=r, object_repr=f"{a.name} · {plan}",
                  org_path=a.org_path, after={"expected_output": str(expected)})
    return r


def revitalisation_finish(*, actor, revitalisation: Revitalisation, done: bool, actual_output=None,
                          done_on=None) -> Revitalisation:
    """Close a revitalisation: done (the asset is in use and yields ``actual_output`` a year) or dropped."""
    need(permissions.can_keep, actor, revitalisation.org_path)
    errors = ErrorCollector()
    done_on = day(done_on, "done_on", errors, _("完成日期"))
    actual = yuan(actual_output, "actual_output", errors, label=_("实际年收益"), required=done) if done else None
    errors.raise_if_any()
    with transaction.atomic():
        r = locked(Revitalisation, revitalisation.pk)
        if r.status != RevitalisationStatus.PLANNED:
            raise JicengError(_("该盘活计划已结束"), field="status")
        if done_on < r.started_on:
            raise JicengError(_("完成日期不能早于开始日期"), field="done_on")
        r.status = RevitalisationStatus.DONE if done else RevitalisationStatus.DROPPED
        r.done_on, r.actual_output = done_on, actual
        r.save(update_fields=["status", "done_on", "actual_output"])
        if done:
            a = locked(Asset, r.asset_id)
            if a.status == AssetStatus.IDLE:
                a.status = AssetStatus.IN_USE
            a.yearly_output = actual
            a.save(update_fields=["status", "yearly_output", "updated_at"])
        audit_log(actor=actor, action="assets.revitalisation.finished", obj=r, org_path=r.org_path,
                  after={"status": r.status, "actual_output": str(actual) if actual is not None else None})
    return r
