"""Programmes (积分制度) and points lists (积分清单): inherited down the tree, overridable, versioned."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.scope import AUTHORISED
from jiceng.orgs.models import path_and_ancestors
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError

from .. import permissions
from ..models import CapPeriod, ExchangeRule, PointsCategory, PointsItem, PointsProgramme

DEFAULT_CATEGORIES = ["环境卫生", "家风家教", "孝老爱亲", "文明新风", "志愿服务", "遵纪守法", "素质提升"]
DEFAULT_EXCHANGE_RULES = [("report.verified", "问题线索经核实办结", 10), ("volunteer.hour", "志愿服务每小时", 2)]
ITEM_FIELDS = ["category_id", "name", "description", "points", "evidence_required", "cap_period", "cap_count",
               "cap_points", "valid_from", "valid_to", "is_active"]


def programme_create(*, actor, org_unit, name: str, **settings) -> PointsProgramme:
    if not permissions.can_manage_points_list(actor, org_unit.path):
        raise PermissionDeniedError()
    if not name.strip():
        raise JicengError(_("请填写名称"), field="name")
    with transaction.atomic(durable=True):
        if PointsProgramme.objects.filter(org_unit=org_unit).exists():
            raise JicengError(_("该单元已经实行积分制"), field="org_unit", code="duplicate")
        programme = PointsProgramme.objects.create(org_unit=org_unit, org_path=org_unit.path, name=name.strip(),
                                                   **settings)
        for i, cat in enumerate(DEFAULT_CATEGORIES):
            PointsCategory.objects.create(programme=programme, name=cat, order=i)
        for code, label, points in DEFAULT_EXCHANGE_RULES:
            ExchangeRule.objects.create(programme=programme, event_code=code, label=label, points=points)
        audit_log(actor=actor, action="points.programme.created", obj=programme, org_path=programme.org_path,
                  after={"name": programme.name, **{k: v for k, v in settings.items()}})
    return programme


def programme_update(*, actor, programme: PointsProgramme, **changes) -> PointsProgramme:
    if not permissions.can_manage_points_list(actor, programme.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if "publicity_days" in changes and not (1 <= int(changes["publicity_days"]) <= 60):
        errors.add("publicity_days", _("公示天数应在 1 到 60 天之间"))
    if "star_thresholds" in changes:
        try:
            values = [int(x) for x in str(changes["star_thresholds"]).split(",")]
        except ValueError:
            values = []
        if len(values) != 5 or values != sorted(values) or values[0] <= 0:
            errors.add("star_thresholds", _("请填写 5 个由小到大的正整数，用逗号分隔，例如 10,20,40,60,80"))
    errors.raise_if_any()
    with transaction.atomic(durable=True):
        before = {k: getattr(programme, k) for k in changes}
        for k, v in changes.items():
            setattr(programme, k, v)
        programme.save(update_fields=list(changes))
        audit_log(actor=actor, action="points.programme.updated", obj=programme, before=before, after=changes)
    return programme


def effective_items(unit, *, on: dt.date | None = None, include_inactive: bool = False) -> list[PointsItem]:
    """The points list in force at a unit: every current item defined at the unit or above, the
    deepest definition of each code winning (an override below hides or replaces one above)."""
    on = on or timezone.localdate()
    rows = (PointsItem.objects.unscoped(AUTHORISED).filter(org_path__in=path_and_ancestors(unit.path), retired_at__isnull=True)
            .select_related("category", "org_unit").order_by("code", "-org_path"))
    chosen: dict[str, PointsItem] = {}
    for item in rows:
        chosen.setdefault(item.code, item)
    result = []
    for item in chosen.values():
        in_force = item.is_active and (item.valid_from is None or item.valid_from <= on) and (
            item.valid_to is None or item.valid_to >= on)
        if in_force or include_inactive:
            item.in_force = in_force
            result.append(item)
    result.sort(key=lambda i: (i.category.order, i.category_id, i.code))
    return result


def _validate_item(data: dict, errors: ErrorCollector, programme: PointsProgramme) -> None:
    if not str(data.get("name", "")).strip():
        errors.add("name", _("请填写项目名称"))
    points = data.get("points")
    if points in (None, "") or int(points) == 0:
        errors.add("points", _("分值不能为 0：加分填正数，扣分填负数"))
    elif abs(int(points)) > 1000:
        errors.add("points", _("单项分值不能超过 1000 分"))
    if data.get("category_id") and not PointsCategory.objects.filter(pk=data["category_id"], programme=programme).exists():
        errors.add("category_id", _("类别不存在"))
    if data.get("cap_period") not in CapPeriod.values:
        errors.add("cap_period", _("限额周期无效"))
    if (data.get("cap_count") or data.get("cap_points")) and not data.get("cap_period"):
        errors.add("cap_period", _("设置了限额，请选择限额周期（每月或每年）"))
    vf, vt = data.get("valid_from"), data.get("valid_to")
    if vf and vt and vt < vf:
        errors.add("valid_to", _("失效日期不能早于生效日期"))


def item_create(*, actor, org_unit, code: str, **data) -> PointsItem:
    """A new item, or (same code as an inherited one) an override for this unit and below."""
    from .ledger import programme_for_path

    if not permissions.can_manage_points_list(actor, org_unit.path):
        raise PermissionDeniedError()
    programme = programme_for_path(org_unit.path)
    if programme is None:
        raise JicengError(_("该单元尚未实行积分制"), field="org_unit", code="no_programme")
    errors = ErrorCollector()
    code = (code or "").strip().upper()
    if not code:
        errors.add("code", _("请填写编号"))
    data.setdefault("cap_period", "")
    _validate_item(data, errors, programme)
    if code and PointsItem.objects.filter(org_unit=org_unit, code=code, retired_at__isnull=True).exists():
        errors.add("code", _("本单元已有编号为 %(code)s 的项目，请修改该项目") % {"code": code})
    errors.raise_if_any()
    with transaction.atomic(durable=True):
        item = PointsItem.objects.create(programme=programme, org_unit=org_unit, org_path=org_unit.path, code=code,
                                         version=1, created_by=actor, **data)
        audit_log(actor=actor, action="points.item.created", obj=item, org_path=org_unit.path,
                  after={"code": code, **{k: data.get(k) for k in ITEM_FIELDS if k in data}})
    return item


def item_update(*, actor, item: PointsItem, **changes) -> PointsItem:
    """Retire this version and create the next one: points already granted keep their rules."""
    if not permissions.can_manage_points_list(actor, item.org_path):
        raise PermissionDeniedError()
    if item.retired_at is not None:
        raise JicengError(_("该项目版本已停用，请修改当前版本"), field="item", code="retired")
    data = {k: getattr(item, k) for k in ITEM_FIELDS}
    data.update({k: v for k, v in changes.items() if k in ITEM_FIELDS})
    errors = ErrorCollector()
    _validate_item(data, errors, item.programme)
    errors.raise_if_any()
    with transaction.atomic(durable=True):
        before = {k: getattr(item, k) for k in ITEM_FIELDS}
        PointsItem.objects.filter(pk=item.pk).update(retired_at=timezone.now())
        new = PointsItem.objects.create(programme_id=item.programme_id, org_unit_id=item.org_unit_id,
                                        org_path=item.org_path, code=item.code, version=item.version + 1,
                                        created_by=actor, **data)
        audit_log(actor=actor, action="points.item.updated", obj=new, org_path=item.org_path,
                  before=before, after=data)
    return new


def item_retire(*, actor, item: PointsItem) -> PointsItem:
    """Stop an item (new declarations refused); what was granted under it stays."""
    if not permissions.can_manage_points_list(actor, item.org_path):
        raise PermissionDeniedError()
    if item.retired_at is not None:
        raise JicengError(_("该项目已停用"), field="item", code="retired")
    with transaction.atomic(durable=True):
        PointsItem.objects.filter(pk=item.pk).update(retired_at=timezone.now())
        audit_log(actor=actor, action="points.item.retired", obj=item, org_path=item.org_path)
    item.retired_at = timezone.now()
    return item


def exchange_rule_update(*, actor, rule: ExchangeRule, points: int) -> ExchangeRule:
    """Change how many points an event earns (e.g. a verified report: 10). Grants already made keep theirs."""
    if not permissions.can_manage_points_list(actor, rule.programme.org_path):
        raise PermissionDeniedError()
    try:
        points = int(points)
    except (TypeError, ValueError):
        raise JicengError(_("积分必须是整数"), field=f"rule_{rule.pk}") from None
    if not 0 < points <= 1000:
        raise JicengError(_("“%(label)s”的积分应在 1 到 1000 之间") % {"label": rule.label}, field=f"rule_{rule.pk}")
    with transaction.atomic(durable=True):
        before = rule.points
        ExchangeRule.objects.filter(pk=rule.pk).update(points=points)
        audit_log(actor=actor, action="points.exchange_rule.updated", object_type="points.exchangerule",
                  object_id=rule.pk, object_repr=rule.label, org_path=rule.programme.org_path,
                  before={"points": before}, after={"points": points})
    rule.points = points
    return rule


def suggested_price(programme: PointsProgramme, value_yuan) -> int:
    """Points for goods worth ``value_yuan`` by the site's ratio (e.g. 10 points buy 5 yuan → 2 points a yuan)."""
    import math
    from decimal import Decimal

    if not programme.exchange_yuan:
        return 0
    return max(1, math.ceil(Decimal(value_yuan) * programme.exchange_points / programme.exchange_yuan))
