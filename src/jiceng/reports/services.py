"""Every write to reports: intake from four doors, the lifecycle, routing, deadlines, rewards.

submitted → accepted → assigned → in_progress → resolved → (reporter rates) closed
          ↘ rejected (invalid, or a duplicate merged into an open report)
resolved + 不满意 → reopened once, to the handler's supervisor; a second 不满意 closes it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import ErrorCollector, JicengError, NotFoundError, PermissionDeniedError
from jiceng.core.images import clean_photo
from jiceng.core.modules import checks_run
from jiceng.core.scope import AUTHORISED
from jiceng.notices.services import Subject, notification_send
from jiceng.orgs.models import OrgUnit, OrgUnitKind, path_and_ancestors

from . import permissions
from .classify import suggest
from .models import (
    Channel, CoHandler, HandlerLevel, Open311Client, Rating, Report, ReportCategory, ReportEvent,
    ReportPhoto, ReportSettings, ReportStatus, RoutingRule,
)

MAX_PHOTOS = 9
TRANSITIONS = {
    ReportStatus.SUBMITTED: {ReportStatus.ACCEPTED, ReportStatus.REJECTED},
    ReportStatus.ACCEPTED: {ReportStatus.ASSIGNED},
    ReportStatus.ASSIGNED: {ReportStatus.IN_PROGRESS, ReportStatus.ASSIGNED, ReportStatus.ACCEPTED, ReportStatus.RESOLVED},
    ReportStatus.IN_PROGRESS: {ReportStatus.RESOLVED, ReportStatus.ASSIGNED, ReportStatus.ACCEPTED},
    ReportStatus.RESOLVED: {ReportStatus.CLOSED, ReportStatus.ASSIGNED},
    ReportStatus.REJECTED: set(),
    ReportStatus.CLOSED: set(),
}


def site_of(unit) -> OrgUnit:
    """The site a unit belongs to: its street/township (the root of its tree)."""
    root_path = unit.path.split(".")[0] + "."
    return OrgUnit.objects.get(path=root_path)


def settings_for(site) -> ReportSettings:
    found = ReportSettings.objects.filter(site=site).first()
    return found or ReportSettings(site=site)


def _locked(report_id) -> Report:
    return Report.objects.unscoped(AUTHORISED).select_for_update(of=("self",)).select_related("category", "handler_unit").get(pk=report_id)


def _notify(report, message: str, *, users=(), reporter: bool = False, now=None) -> None:
    """Through the shared outbox: the staff named, and the reporter (their inbox, or an SMS to their phone)."""
    user_ids, phones = [], []
    if reporter:
        if report.reporter_id:
            user_ids.append(report.reporter_id)
        elif report.reporter_phone and not report.anonymous:
            phones.append(report.reporter_phone)
    notification_send(users=users, user_ids=user_ids, phones=phones, message=message, now=now,
                      subject=Subject("reports.report", report.pk, reverse("reports:detail", args=[report.pk])))


def _handler_users(report):
    from jiceng.accounts.models import RoleAssignment, Role

    if report.handler_unit_id:
        roles = {HandlerLevel.GRID: [Role.GRID_WORKER], HandlerLevel.COMMUNITY: [Role.COMMUNITY_STAFF],
                 HandlerLevel.DEPARTMENT: [Role.DEPARTMENT_HANDLER]}.get(report.handler_level,
                                                                         [Role.COMMUNITY_STAFF, Role.GRID_WORKER])
        qs = RoleAssignment.objects.filter(org_unit_id=report.handler_unit_id, role__in=roles)
    elif report.handler_partner_id:
        qs = RoleAssignment.objects.filter(role=Role.PARTNER_HANDLER, org_unit__path__in=path_and_ancestors(report.org_path))
    else:
        return []
    return [a.user for a in qs.select_related("user")]


def _event(report, *, actor, action: str, from_status: str, to_status: str, note: str = "", public: bool = True,
           now=None) -> None:
    now = now or timezone.now()
    ReportEvent.objects.create(report=report, at=now, actor=actor if getattr(actor, "pk", None) else None,
                               actor_name=getattr(actor, "display_name", "") or getattr(actor, "username", "") or "系统",
                               action=action, from_status=from_status, to_status=to_status, note=note, public=public)
    audit_log(actor=actor, action=f"reports.report.{action}", obj=report, org_path=report.org_path,
              before={"status": from_status}, after={"status": to_status, "note": note})


def _bad_transition(report) -> JicengError:
    return JicengError(_("当前状态“%(s)s”不能执行此操作") % {"s": ReportStatus(report.status).label},
                       field="status", code="bad_transition")


def _move(report, to: str, *, actor, action: str, note: str = "", now=None, public: bool = True) -> None:
    if to not in TRANSITIONS[report.status]:
        raise _bad_transition(report)
    before = report.status
    report.status = to
    report.updated_at = now or timezone.now()
    _event(report, actor=actor, action=action, from_status=before, to_status=to, note=note, now=now, public=public)


# ----------------------------------------------------------------------------- intake

def report_submit(*, actor, channel: str, category_id, description: str, org_unit=None, address: str = "",
                  lat=None, long=None, photos=(), share_location: bool = False, anonymous: bool = False,
                  reporter_name: str = "", reporter_phone: str = "", reporter_email: str = "", reporter_household=None,
                  attributes=None, media_url: str = "", site=None, now=None) -> Report:
    """One queue for four doors: a resident or woodpecker on the phone, a grid worker on patrol, the
    desk taking a call or visit, a partner system through Open311."""
    now = now or timezone.now()
    errors = ErrorCollector()
    description = (description or "").strip()
    if channel not in Channel.values:
        errors.add("channel", _("来源无效"))
    if not description:
        errors.add("description", _("请描述问题"))
    elif len(description) > 4000:
        errors.add("description", _("问题描述不能超过 4000 字"))
    category = ReportCategory.objects.filter(pk=category_id, is_active=True).first() if category_id else None
    if category is None:
        errors.add("category", _("问题类别不存在或已停用"))
    if len(photos) > MAX_PHOTOS:
        errors.add("photos", _("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS})
    site = site or (site_of(org_unit) if org_unit else (category.site if category else None))
    if site is None:
        errors.add("org_unit", _("请选择发生地点"))
    errors.raise_if_any()
    if category.site_id != site.pk:
        errors.add("category", _("问题类别不属于本辖区"))
    placed = org_unit is not None
    if org_unit is None:
        org_unit = site
    if not org_unit.path.startswith(site.path):
        errors.add("org_unit", _("发生地点不在本辖区内"))
    if lat is not None or long is not None:
        s = settings_for(site)
        if lat is None or long is None:
            errors.add("lat", _("经纬度需同时提供"))
        elif s.min_lat is not None and not (s.min_lat <= lat <= s.max_lat and s.min_long <= long <= s.max_long):
            errors.add("lat", _("位置（%(lat)s, %(long)s）不在本辖区范围内") % {"lat": lat, "long": long})
    # The desk records someone's matter: who reported it, or anonymous. A grid worker's own patrol finding
    # (巡查发现) has no reporter: the worker who recorded it stands for it.
    if not anonymous and channel == Channel.DESK and not (reporter_name or reporter_household):
        errors.add("reporter_name", _("请填写反映人，或勾选匿名"))
    reporter_email, media_url = (reporter_email or "").strip(), (media_url or "").strip()
    if reporter_email:
        try:
            validate_email(reporter_email)
            if len(reporter_email) > 254:
                raise ValidationError("")
        except ValidationError:
            errors.add("reporter_email", _("电子邮箱格式不正确"))
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("")
        except ValidationError:
            errors.add("media_url", _("图片或视频链接须为 500 字以内的 http(s) 地址"))
    errors.raise_if_any()
    if not placed and lat is not None and long is not None:
        # Only a location: the unit nearest to it, so the community and grid that handle it see it.
        from .geo import unit_nearest

        org_unit = unit_nearest(site, lat, long) or site
    cleaned = [clean_photo(p, field="photos", keep_location=share_location) for p in photos]
    suggested, _score = suggest(description, ReportCategory.objects.filter(site=site, is_active=True))
    reporter = actor if channel in (Channel.RESIDENT, Channel.WOODPECKER) and getattr(actor, "pk", None) else None
    if reporter_household is None and reporter is not None and getattr(reporter, "resident_id", None):
        reporter_household = reporter.resident.household
    # Not durable: the duty desk files a visitor's matter inside its own transaction (services compose).
    with transaction.atomic():
        report = Report.objects.create(
            site=site, category=category, suggested_category=suggested, description=description, org_unit=org_unit,
            org_path=org_unit.path, address=address.strip()[:255], lat=lat, long=long, channel=channel,
            reporter=reporter, reporter_household=reporter_household,
            reporter_name="" if anonymous else reporter_name.strip()[:50],
            reporter_phone="" if anonymous else reporter_phone.strip()[:20],
            reporter_email="" if anonymous else reporter_email, anonymous=anonymous, media_url=media_url,
            recorded_by=actor if getattr(actor, "pk", None) and reporter is None else None,
            attributes=attributes or {}, token=secrets.token_hex(12), created_at=now, updated_at=now)
        for c in cleaned:
            ReportPhoto.objects.create(report=report, stage="before", image=c)
        _event(report, actor=actor, action="submitted", from_status="", to_status=ReportStatus.SUBMITTED,
               note=Channel(channel).label, now=now)
    return report


# ----------------------------------------------------------------------------- desk

def duplicates_of(report, *, limit: int = 10):
    """Open reports of the same category in the last N days at the same place (grid/building), or,
    when both have a location, within M metres of it (N and M are the site's settings, 重复线索比对).

    Distance is computed portably: a bounding box the database filters on (an index-friendly range on
    lat/long), then the haversine distance in Python on the few candidates left."""
    from .geo import bounding_box, distance_m

    s = settings_for(report.site)
    since = report.created_at - dt.timedelta(days=s.duplicate_days)
    place = Q(org_unit=report.org_unit)
    located = report.lat is not None and report.long is not None and s.duplicate_metres > 0
    if located:
        min_lat, max_lat, min_long, max_long = bounding_box(report.lat, report.long, s.duplicate_metres)
        place |= Q(lat__gte=min_lat, lat__lte=max_lat, long__gte=min_long, long__lte=max_long)
    candidates = (Report.objects.unscoped("a new report's duplicates at its place, whoever may see them")
                  .filter(place, category=report.category, created_at__gte=since,
                                        status__in=[ReportStatus.ACCEPTED, ReportStatus.ASSIGNED,
                                                    ReportStatus.IN_PROGRESS])
                  .exclude(pk=report.pk).select_related("org_unit").order_by("-created_at", "-id"))
    found = []
    for r in candidates[:500]:
        if r.org_unit_id == report.org_unit_id:
            r.distance_m = (distance_m(report.lat, report.long, r.lat, r.long)
                            if located and r.lat is not None and r.long is not None else None)
            found.append(r)
        elif located and r.lat is not None and r.long is not None:
            d = distance_m(report.lat, report.long, r.lat, r.long)
            if d <= s.duplicate_metres:
                r.distance_m = d
                found.append(r)
        if len(found) >= limit:
            break
    return found


def route(report, *, now=None):
    """The rule that picks the handler: the deepest rule covering the place, for the category (or all
    categories), within its hours; else the category's default level above the place."""
    now = now or timezone.now()
    hour = timezone.localtime(now).hour
    rules = (RoutingRule.objects.filter(site=report.site, enabled=True)
             .filter(org_path__in=path_and_ancestors(report.org_path))
             .select_related("handler_unit", "handler_partner"))
    best = None
    for r in rules:
        if r.category_id not in (None, report.category_id):
            continue
        if r.hour_from is not None and r.hour_to is not None and not (r.hour_from <= hour < r.hour_to):
            continue
        key = (r.category_id is not None, len(r.org_path))
        if best is None or key > best[0]:
            best = (key, r)
    if best:
        r = best[1]
        return r.handler_level, r.handler_unit, r.handler_partner
    level = report.category.handler_level
    kinds = {HandlerLevel.GRID: [OrgUnitKind.GRID, OrgUnitKind.VILLAGER_GROUP],
             HandlerLevel.COMMUNITY: [OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE]}.get(level)
    paths = path_and_ancestors(report.org_path)
    if kinds:
        unit = OrgUnit.objects.filter(path__in=paths, kind__in=kinds).order_by("-path").first()
        if unit:
            return level, unit, None
    unit = OrgUnit.objects.filter(path__in=paths, kind__in=[OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE]).order_by(
        "-path").first() or report.site
    return HandlerLevel.COMMUNITY, unit, None


def _assign(report, *, actor, level, unit, partner, now, note=""):
    report.handler_level = level
    report.handler_unit = unit
    report.handler_partner = partner
    report.deadline = now + dt.timedelta(hours=report.category.sla_hours)
    report.reminded_at = report.overdue_at = None
    who = partner.name if partner else unit.name
    _move(report, ReportStatus.ASSIGNED, actor=actor, action="assigned", note=note or _("派至 %(who)s") % {"who": who},
          now=now)
    _notify(report, _("新的待办诉求 #%(id)s：%(cat)s，请于 %(d)s 前办结") % {
        "id": report.pk, "cat": report.category.name, "d": timezone.localtime(report.deadline).strftime("%m-%d %H:%M")},
        users=_handler_users(report), now=now)


def report_accept(*, actor, report: Report, category_id=None, now=None) -> Report:
    """The desk accepts (受理), confirming or changing the category; the routing rules assign it."""
    if not permissions.can_accept(actor, report):
        raise PermissionDeniedError()
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        r = _locked(report.pk)
        if r.status != ReportStatus.SUBMITTED:
            # ASSIGNED → ACCEPTED is a hand-back, not a second acceptance that would re-route it.
            raise _bad_transition(r)
        if category_id and int(category_id) != r.category_id:
            cat = ReportCategory.objects.filter(pk=category_id, site=r.site, is_active=True).first()
            if cat is None:
                raise JicengError(_("问题类别不存在或已停用"), field="category")
            r.category = cat
        _move(r, ReportStatus.ACCEPTED, actor=actor, action="accepted", note=r.category.name, now=now)
        r.accepted_at = now
        level, unit, partner = route(r, now=now)
        _assign(r, actor=actor, level=level, unit=unit, partner=partner, now=now)
        r.save()
        _notify(r, _("您反映的问题 #%(id)s 已受理，正在办理") % {"id": r.pk}, reporter=True, now=now)
    return r


def report_reject(*, actor, report: Report, reason: str, duplicate_of: Report | None = None, now=None) -> Report:
    """Not accepted (不予受理) with a reason the reporter sees; or merged into an open duplicate."""
    if not permissions.can_accept(actor, report):
        raise PermissionDeniedError()
    reason = (reason or "").strip()
    if not reason and duplicate_of is None:
        raise JicengError(_("请填写不予受理的原因（反映人可见）"), field="reason")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        r = _locked(report.pk)
        if duplicate_of is not None:
            target = _locked(duplicate_of.pk)
            if target.pk == r.pk or target.status not in (ReportStatus.ACCEPTED, ReportStatus.ASSIGNED,
                                                          ReportStatus.IN_PROGRESS):
                raise JicengError(_("只能合并到正在办理的诉求"), field="duplicate_of")
            r.merged_into = target
            reason = reason or _("与 #%(id)s 为同一问题，已合并办理") % {"id": target.pk}
            _event(target, actor=actor, action="merged", from_status=target.status, to_status=target.status,
                   note=_("合并了 #%(id)s") % {"id": r.pk}, now=now)
        r.reject_reason = reason[:200]
        _move(r, ReportStatus.REJECTED, actor=actor, action="rejected", note=reason, now=now)
        r.closed_at = now
        r.save()
        _notify(r, _("您反映的问题 #%(id)s：%(reason)s") % {"id": r.pk, "reason": reason}, reporter=True, now=now)
    return r


def report_assign(*, actor, report: Report, unit=None, partner=None, co_units=(), co_partners=(), reason: str = "",
                  now=None) -> Report:
    """Assign or transfer (转派) to a unit or a partner unit, with co-handlers (协办); the lead is the handler."""
    if (unit is None) == (partner is None):
        raise JicengError(_("请选择一个主办单位（网格、社区、部门或共建单位）"), field="handler")
    now = now or timezone.now()
    if unit is not None and (permissions.can_accept(actor, report) or permissions.can_handle(actor, report)):
        # A case on a duty that may not be pushed down to villages (a negative list) is refused, the item named.
        checks_run("push_down", actor=actor, unit=unit, subject=report.category.name, source_type="reports.report",
                   field="handler", now=now)
    with transaction.atomic(durable=True):
        r = _locked(report.pk)
        if not (permissions.can_accept(actor, r) or permissions.can_handle(actor, r)):
            raise PermissionDeniedError()
        transfer = r.status in (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)
        if transfer and not reason.strip():
            raise JicengError(_("转派请填写原因"), field="reason")
        if unit is not None and not unit.path.startswith(r.site.path):
            raise JicengError(_("办理单位不在本辖区内"), field="handler")
        level = HandlerLevel.PARTNER if partner else {
            OrgUnitKind.DEPARTMENT: HandlerLevel.DEPARTMENT, OrgUnitKind.GRID: HandlerLevel.GRID,
            OrgUnitKind.VILLAGER_GROUP: HandlerLevel.GRID}.get(unit.kind, HandlerLevel.COMMUNITY)
        CoHandler.objects.filter(report=r).delete()
        for u in co_units:
            CoHandler.objects.create(report=r, unit=u)
        for p in co_partners:
            CoHandler.objects.create(report=r, partner=p)
        _assign(r, actor=actor, level=level, unit=unit, partner=partner, now=now,
                note=(_("转派：%(r)s") % {"r": reason.strip()}) if transfer else "")
        r.save()
    return r


def report_hand_back(*, actor, report: Report, reason: str, now=None) -> Report:
    """The handler hands it back to the desk (退回), saying why (and who is responsible, if known)."""
    if not (reason or "").strip():
        raise JicengError(_("退回请说明原因，如“不属本单位职责，应由某某负责”"), field="reason")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        r = _locked(report.pk)
        if not permissions.can_handle(actor, r):
            raise PermissionDeniedError()
        _move(r, ReportStatus.ACCEPTED, actor=actor, action="handed_back", note=reason.strip(), now=now)
        r.handler_unit = r.handler_partner = None
        r.handler_level = ""
        r.deadline = None
        r.save()
    return r


def report_start(*, actor, report: Report, note: str = "", now=None) -> Report:
    with transaction.atomic(durable=True):
        r = _locked(report.pk)
        if not permissions.can_handle(actor, r):
            raise PermissionDeniedError()
        _move(r, ReportStatus.IN_PROGRESS, actor=actor, action="started", note=note, now=now)
        r.save()
    return r


def report_resolve(*, actor, report: Report, result: str, photos=(), now=None) -> Report:
    """Resolved (办结) with the result and after photos; the reporter's household earns its points."""
    result = (result or "").strip()
    if not result:
        raise JicengError(_("请填写办理结果"), field="result")
    if len(photos) > MAX_PHOTOS:
        raise JicengError(_("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS}, field="photos")
    cleaned = [clean_photo(p, field="photos") for p in photos]
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        r = _locked(report.pk)
        if not permissions.can_handle(actor, r):
            raise PermissionDeniedError()
        _move(r, ReportStatus.RESOLVED, actor=actor, action="resolved", note=result, now=now)
        r.result = result
        r.resolved_at = now
        for c in cleaned:
            ReportPhoto.objects.create(report=r, stage="after", image=c)
        _reward(r, actor=actor, now=now)
        r.save()
        _notify(r, _("您反映的问题 #%(id)s 已办结：%(result)s。请评价办理结果。") % {"id": r.pk, "result": result[:80]},
                reporter=True, now=now)
    return r


def _reward(r: Report, *, actor, now) -> None:
    """Points for a verified, resolved report (the "1:10:5" rule), once per report, never to the
    handler for their own report, never for a rejected one."""
    from jiceng.points.services import grant_points, programme_for_path

    if r.reward_id or not r.category.earns_points or r.reporter_household_id is None:
        return
    if r.reporter_id and r.reporter_id == getattr(actor, "pk", None):
        return
    household = r.reporter_household
    if programme_for_path(household.org_path) is None:
        return
    decl = grant_points(actor=actor, household=household, event_code=settings_for(r.site).reward_event,
                        idempotency_key=f"report:{r.pk}", reason=_("问题线索 #%(id)s 核实办结") % {"id": r.pk},
                        source_type="reports.report", source_id=r.pk, resident_id=None, now=now)
    r.reward = decl


def report_rate(*, actor, report: Report, rating: str, note: str = "", now=None) -> Report:
    """The reporter confirms and rates (评价). 不满意 reopens it once, to the handler's supervisor."""
    if rating not in Rating.values:
        raise JicengError(_("评价无效"), field="rating")
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        r = _locked(report.pk)
        if not r.reporter_id or r.reporter_id != getattr(actor, "pk", None):
            raise PermissionDeniedError(_("只有反映人本人可以评价"))
        if r.status != ReportStatus.RESOLVED:
            raise JicengError(_("该诉求当前不能评价（已评价或尚未办结）"), field="rating", code="bad_transition")
        r.rating = rating
        r.rating_note = (note or "").strip()[:200]
        if rating == Rating.UNSATISFIED and not r.reopened:
            supervisor = r.handler_unit.parent if r.handler_unit_id and r.handler_unit.parent_id else r.site
            r.reopened = True
            r.rating = ""
            _assign(r, actor=actor, level=HandlerLevel.COMMUNITY if supervisor.kind in (
                OrgUnitKind.COMMUNITY, OrgUnitKind.VILLAGE) else HandlerLevel.DEPARTMENT, unit=supervisor, partner=None,
                now=now, note=_("反映人不满意，重新交由 %(u)s 办理：%(n)s") % {"u": supervisor.name, "n": note or "—"})
        else:
            _move(r, ReportStatus.CLOSED, actor=actor, action="rated", note=Rating(rating).label, now=now)
            r.closed_at = now
        r.save()
    return r


# ----------------------------------------------------------------------------- scheduler

def deadlines_check(*, now=None) -> dict:
    """Reminders before the deadline, overdue marks and escalation after it. Each happens once per
    report (stored as a fact: ``reminded_at``, ``overdue_at``), however often the job runs."""
    now = now or timezone.now()
    reminded = escalated = 0
    active = [ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS]
    for pk in Report.objects.filter(status__in=active, deadline__lte=now, overdue_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            r = _locked(pk)
            if r.overdue_at is not None or r.status not in active or r.deadline > now:
                continue
            r.overdue_at = now
            r.escalation_level += 1
            supervisor = r.handler_unit.parent if r.handler_unit_id and r.handler_unit.parent_id else None
            _event(r, actor=None, action="overdue", from_status=r.status, to_status=r.status,
                   note=_("已超期，升级至 %(u)s 督办") % {"u": supervisor.name if supervisor else _("街道")}, now=now)
            from jiceng.accounts.models import Role, RoleAssignment

            users = [a.user for a in RoleAssignment.objects.filter(
                org_unit=supervisor or r.site, role__in=[Role.COMMUNITY_STAFF, Role.STREET_ADMIN]).select_related("user")]
            _notify(r, _("诉求 #%(id)s 已超期未办结，请督办") % {"id": r.pk}, users=users + _handler_users(r), now=now)
            r.save(update_fields=["overdue_at", "escalation_level", "updated_at"])
            escalated += 1
    for r in Report.objects.filter(status__in=active, reminded_at__isnull=True, overdue_at__isnull=True,
                                   deadline__gt=now).select_related("site", "handler_unit"):
        if r.deadline - dt.timedelta(hours=settings_for(r.site).remind_before_hours) > now:
            continue
        with transaction.atomic():
            if Report.objects.filter(pk=r.pk, reminded_at__isnull=True).update(reminded_at=now):
                _notify(r, _("诉求 #%(id)s 将于 %(d)s 到期，请抓紧办理") % {
                    "id": r.pk, "d": timezone.localtime(r.deadline).strftime("%m-%d %H:%M")}, users=_handler_users(r),
                    now=now)
                reminded += 1
    return {"reminded": reminded, "escalated": escalated}


# ----------------------------------------------------------------------------- Open311 clients

def open311_client_create(*, actor, site, name: str) -> tuple[Open311Client, str]:
    """A partner system's api_key (shown once)."""
    if actor is not None and not (getattr(actor, "is_superuser", False) or permissions.can_accept(actor, Report(org_path=site.path))):
        raise PermissionDeniedError()
    key = secrets.token_urlsafe(24)
    client = Open311Client.objects.create(site=site, name=name, key_hash=hashlib.sha256(key.encode()).hexdigest())
    audit_log(actor=actor, action="reports.open311_client.created", obj=client, object_repr=name, org_path=site.path)
    return client, key


def open311_client_for_key(key: str) -> Open311Client | None:
    if not key:
        return None
    return Open311Client.objects.select_related("site").filter(
        key_hash=hashlib.sha256(key.encode()).hexdigest(), active=True).first()


def report_get(user, report_id) -> Report:
    r = Report.objects.unscoped(AUTHORISED).select_related("category", "handler_unit", "handler_partner", "org_unit").filter(pk=report_id).first()
    if r is None or not permissions.can_view(user, r):
        raise NotFoundError()
    return r


# ----------------------------------------------------------------------------- desk records

def dispute_record(*, actor, org_unit, kind: str, parties: str, description: str, mediator: str, occurred_on,
                   outcome: str = "mediating", agreement: str = "", closed_on=None):
    """A dispute mediated (矛盾纠纷调处): parties, type, mediator, outcome (agreement reached or referred)."""
    from .models import Dispute, DisputeKind, DisputeOutcome

    if not permissions.can_record_dispute(actor, org_unit.path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if kind not in DisputeKind.values:
        errors.add("kind", _("请选择纠纷类型"))
    if not parties.strip():
        errors.add("parties", _("请填写当事人"))
    if not description.strip():
        errors.add("description", _("请填写纠纷情况"))
    if not mediator.strip():
        errors.add("mediator", _("请填写调解人"))
    if outcome not in DisputeOutcome.values:
        errors.add("outcome", _("调处结果无效"))
    if outcome in (DisputeOutcome.AGREED, DisputeOutcome.REFERRED) and not agreement.strip():
        errors.add("agreement", _("达成协议请写明协议内容，移交请写明移交去向"))
    if occurred_on and occurred_on > timezone.localdate():
        errors.add("occurred_on", _("受理日期不能晚于今天"))
    if closed_on and occurred_on and closed_on < occurred_on:
        errors.add("closed_on", _("办结日期不能早于受理日期"))
    errors.raise_if_any()
    # Not durable: the duty desk records a visitor's dispute inside its own transaction (services compose).
    with transaction.atomic():
        d = Dispute.objects.create(site=site_of(org_unit), org_unit=org_unit, org_path=org_unit.path, kind=kind,
                                   parties=parties.strip(), description=description.strip(), mediator=mediator.strip(),
                                   occurred_on=occurred_on, outcome=outcome, agreement=agreement.strip(),
                                   closed_on=closed_on or (timezone.localdate() if outcome != "mediating" else None),
                                   created_by=actor)
        audit_log(actor=actor, action="reports.dispute.recorded", obj=d, object_repr=f"{d.get_kind_display()} {d.parties}",
                  org_path=d.org_path, after={"kind": kind, "outcome": outcome})
    return d


def errand_record(*, actor, household, what: str, party_member, requested_on, done_on=None, note: str = ""):
    """An errand run for a resident (红色代办) by a party member."""
    from .models import Errand

    if not permissions.can_accept(actor, Report(org_path=household.org_path)) and not permissions.can_handle(
            actor, Report(org_path=household.org_path, handler_unit=household.org_unit)):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    if not what.strip():
        errors.add("what", _("请填写代办事项"))
    if party_member is None:
        errors.add("party_member", _("请选择代办党员"))
    if requested_on and requested_on > timezone.localdate():
        errors.add("requested_on", _("受理日期不能晚于今天"))
    if done_on and requested_on and done_on < requested_on:
        errors.add("done_on", _("办结日期不能早于受理日期"))
    errors.raise_if_any()
    with transaction.atomic(durable=True):
        e = Errand.objects.create(site=site_of(household.org_unit), household=household, org_path=household.org_path,
                                  what=what.strip(), party_member=party_member, requested_on=requested_on,
                                  done_on=done_on, note=note.strip(), created_by=actor)
        audit_log(actor=actor, action="reports.errand.recorded", obj=e, object_repr=e.what, org_path=e.org_path,
                  after={"household": household.display_name, "party_member": party_member.pk})
    return e
