"""Writes to a site's report set-up (诉求办理设置): categories (类别、关键词、时限、默认办理层级、积分) and
routing rules (派单规则). Kept apart from ``services.py`` (the report lifecycle), which is near the
size where the house style splits a module. Each write checks the actor, runs in one transaction
and is audited in it, with before and after."""
from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, NotFoundError, PermissionDeniedError
from jiceng.orgs.models import OrgUnitKind

from . import permissions
from .models import HandlerLevel, ReportCategory, RoutingRule

MAX_SLA_HOURS = 24 * 365
_KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")
CATEGORY_FIELDS = ("code", "name", "description", "handler_level", "sla_hours", "earns_points", "keywords",
                   "is_active", "order")
RULE_FIELDS = ("category_id", "org_unit_id", "hour_from", "hour_to", "handler_level", "handler_unit_id",
               "handler_partner_id", "enabled")


def normalise_keywords(text: str) -> str:
    """Keywords as a site types them (commas of either width, 顿号, spaces) → "a,b,c", each once."""
    words = [w.strip() for w in _KEYWORD_SPLIT.split(text or "") if w.strip()]
    return ",".join(dict.fromkeys(words))


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _check_category(errors: ErrorCollector, *, code, name, handler_level, sla_hours, keywords, exclude_pk=None):
    if not code:
        errors.add("code", _("请填写编码"))
    elif not re.fullmatch(r"[A-Za-z0-9_-]{1,20}", code):
        errors.add("code", _("编码只能由字母、数字、下划线和短横线组成，不超过 20 位"))
    elif ReportCategory.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        errors.add("code", _("编码 %(c)s 已被使用") % {"c": code})
    if not name:
        errors.add("name", _("请填写名称"))
    elif len(name) > 50:
        errors.add("name", _("名称不能超过 50 字"))
    if handler_level not in HandlerLevel.values:
        errors.add("handler_level", _("请选择默认办理层级"))
    if sla_hours is None or not (1 <= int(sla_hours) <= MAX_SLA_HOURS):
        errors.add("sla_hours", _("办理时限应在 1 到 %(n)s 小时之间") % {"n": MAX_SLA_HOURS})
    too_long = [k for k in keywords.split(",") if len(k) > 20]
    if too_long:
        errors.add("keywords", _("关键词“%(k)s”太长：请写词语，不要写整句话（每个不超过 20 字）") % {"k": too_long[0][:20]})


def category_create(*, actor, site, code: str, name: str, description: str = "", handler_level: str = HandlerLevel.GRID,
                    sla_hours: int = 72, earns_points: bool = True, keywords: str = "", is_active: bool = True,
                    order: int = 0) -> ReportCategory:
    """A new report category (问题类别) of the site, which is also a new Open311 service."""
    if not permissions.can_manage_categories(actor, site):
        raise PermissionDeniedError()
    code, name, keywords = (code or "").strip(), (name or "").strip(), normalise_keywords(keywords)
    errors = ErrorCollector()
    _check_category(errors, code=code, name=name, handler_level=handler_level, sla_hours=sla_hours, keywords=keywords)
    errors.raise_if_any()
    with transaction.atomic(durable=True):
        cat = ReportCategory.objects.create(site=site, code=code, name=name, description=(description or "").strip()[:200],
                                            handler_level=handler_level, sla_hours=int(sla_hours),
                                            earns_points=bool(earns_points), keywords=keywords,
                                            is_active=bool(is_active), order=int(order or 0))
        audit_log(actor=actor, action="reports.category.created", obj=cat, org_path=site.path,
                  after=_snapshot(cat, CATEGORY_FIELDS))
    return cat


def category_update(*, actor, category: ReportCategory, **changes) -> ReportCategory:
    """Change a category's name, keywords, deadline (SLA), default handler level, points, order or
    whether it is in use. The new deadline applies to reports accepted from now on."""
    unknown = set(changes) - set(CATEGORY_FIELDS)
    if unknown:
        raise JicengError(_("不能修改：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    if not permissions.can_manage_categories(actor, category.site):
        raise PermissionDeniedError()
    with transaction.atomic(durable=True):
        cat = ReportCategory.objects.select_for_update().select_related("site").get(pk=category.pk)
        before = _snapshot(cat, CATEGORY_FIELDS)
        for key in ("code", "name", "description"):
            if key in changes:
                changes[key] = (changes[key] or "").strip()
        if "keywords" in changes:
            changes["keywords"] = normalise_keywords(changes["keywords"])
        merged = {**before, **changes}
        errors = ErrorCollector()
        _check_category(errors, code=merged["code"], name=merged["name"], handler_level=merged["handler_level"],
                        sla_hours=merged["sla_hours"], keywords=merged["keywords"], exclude_pk=cat.pk)
        errors.raise_if_any()
        for key, value in changes.items():
            setattr(cat, key, value)
        cat.description = cat.description[:200]
        cat.sla_hours, cat.order = int(cat.sla_hours), int(cat.order or 0)
        cat.save(update_fields=list(changes) or None)
        after = _snapshot(cat, CATEGORY_FIELDS)
        audit_log(actor=actor, action="reports.category.updated", obj=cat, org_path=cat.site.path,
                  before={k: v for k, v in before.items() if after[k] != v},
                  after={k: v for k, v in after.items() if before[k] != v})
    return cat


def _level_for(unit, partner) -> str:
    if partner is not None:
        return HandlerLevel.PARTNER
    return {OrgUnitKind.DEPARTMENT: HandlerLevel.DEPARTMENT, OrgUnitKind.GRID: HandlerLevel.GRID,
            OrgUnitKind.VILLAGER_GROUP: HandlerLevel.GRID}.get(unit.kind, HandlerLevel.COMMUNITY)


def _check_rule(actor, site, *, category, org_unit, handler_unit, handler_partner, hour_from, hour_to) -> None:
    errors = ErrorCollector()
    if category is not None and category.site_id != site.pk:
        errors.add("category", _("问题类别不属于本辖区"))
    if org_unit is None or not org_unit.path.startswith(site.path):
        errors.add("org_unit", _("请选择本辖区内的适用范围"))
    elif not permissions.can_manage_routing(actor, org_unit):
        raise NotFoundError(field="org_unit")
    if (handler_unit is None) == (handler_partner is None):
        errors.add("handler_unit", _("请选择一个办理单位，或一个共建单位（二选一）"))
    elif handler_unit is not None and not handler_unit.path.startswith(site.path):
        errors.add("handler_unit", _("办理单位不在本辖区内"))
    if (hour_from is None) != (hour_to is None):
        errors.add("hour_from", _("时段的开始和结束需同时填写，或都不填（全天）"))
    elif hour_from is not None and not (0 <= hour_from < hour_to <= 24):
        errors.add("hour_from", _("时段应为 0 到 24 点之间，开始早于结束（如 8 到 18）"))
    errors.raise_if_any()


def routing_rule_create(*, actor, site, org_unit, category=None, handler_unit=None, handler_partner=None,
                        hour_from: int | None = None, hour_to: int | None = None, enabled: bool = True) -> RoutingRule:
    """A routing rule (派单规则): reports of a category (or all) at a place (and below), optionally only
    between two hours, go to a handler unit or a partner unit. The most specific rule wins."""
    if not permissions.can_manage_routing(actor, org_unit or site):
        raise PermissionDeniedError()
    _check_rule(actor, site, category=category, org_unit=org_unit, handler_unit=handler_unit,
                handler_partner=handler_partner, hour_from=hour_from, hour_to=hour_to)
    with transaction.atomic(durable=True):
        rule = RoutingRule.objects.create(site=site, category=category, org_unit=org_unit, org_path=org_unit.path,
                                          hour_from=hour_from, hour_to=hour_to,
                                          handler_level=_level_for(handler_unit, handler_partner),
                                          handler_unit=handler_unit, handler_partner=handler_partner,
                                          enabled=bool(enabled))
        audit_log(actor=actor, action="reports.routing_rule.created", obj=rule, org_path=org_unit.path,
                  object_repr=_rule_repr(rule), after=_snapshot(rule, RULE_FIELDS))
    return rule


def routing_rule_update(*, actor, rule: RoutingRule, org_unit, category=None, handler_unit=None, handler_partner=None,
                        hour_from: int | None = None, hour_to: int | None = None, enabled: bool = True) -> RoutingRule:
    if not permissions.can_manage_routing(actor, rule.org_unit):
        raise NotFoundError()
    _check_rule(actor, rule.site, category=category, org_unit=org_unit, handler_unit=handler_unit,
                handler_partner=handler_partner, hour_from=hour_from, hour_to=hour_to)
    with transaction.atomic(durable=True):
        r = RoutingRule.objects.select_for_update().get(pk=rule.pk)
        before = _snapshot(r, RULE_FIELDS)
        r.category, r.org_unit, r.org_path = category, org_unit, org_unit.path
        r.hour_from, r.hour_to, r.enabled = hour_from, hour_to, bool(enabled)
        r.handler_unit, r.handler_partner = handler_unit, handler_partner
        r.handler_level = _level_for(handler_unit, handler_partner)
        r.save()
        after = _snapshot(r, RULE_FIELDS)
        audit_log(actor=actor, action="reports.routing_rule.updated", obj=r, org_path=r.org_path,
                  object_repr=_rule_repr(r), before={k: v for k, v in before.items() if after[k] != v},
                  after={k: v for k, v in after.items() if before[k] != v})
    return r


def routing_rule_delete(*, actor, rule: RoutingRule) -> None:
    """Delete a rule; reports already assigned keep their handler."""
    if not permissions.can_manage_routing(actor, rule.org_unit):
        raise NotFoundError()
    with transaction.atomic(durable=True):
        r = RoutingRule.objects.select_for_update().get(pk=rule.pk)
        audit_log(actor=actor, action="reports.routing_rule.deleted", obj=r, org_path=r.org_path,
                  object_repr=_rule_repr(r), before=_snapshot(r, RULE_FIELDS))
        r.delete()


def _rule_repr(rule: RoutingRule) -> str:
    who = rule.handler_partner.name if rule.handler_partner_id else rule.handler_unit.name
    what = rule.category.name if rule.category_id else _("所有类别")
    return f"{rule.org_unit.name} · {what} → {who}"[:200]
