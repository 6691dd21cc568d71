"""Check-in and check-out by the desk's daily QR code (扫码签到), and what the task queue writes as stored facts:
missed shifts (缺勤), shifts settled at their end, reminders for tomorrow's uncovered desks. A shift kept or
missed posts to the cadre's performance points, once (its idempotency key)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.cadre.services import performance_post
from jiceng.core.errors import ErrorCollector, JicengError
from jiceng.core.scope import AUTHORISED
from jiceng.notices.services import Subject, notification_send

from .. import permissions
from ..models import DutyDesk, DutyShift, ShiftStatus
from ..roles import DUTY_MANAGE_ROLES
from .desks import day_code, distance_m, parse_location, rules_for, site_of


def _check_code_and_place(errors: ErrorCollector, desk: DutyDesk, code: str, lat, lng, rules, now) -> tuple:
    """The code must be today's code of this desk; the phone's location, when it gives one, near the desk."""
    today = timezone.localdate(now)
    code = (code or "").strip()
    if not code:
        errors.add("code", _("请扫描值班台的二维码"))
    elif code != day_code(desk, today):
        if code == day_code(desk, today - dt.timedelta(days=1)):
            errors.add("code", _("二维码已过期（这是昨天的码），请扫描值班台今天的二维码"))
        else:
            errors.add("code", _("二维码不是“%(d)s”今天的码，请扫描本值班台的二维码") % {"d": desk.name})
    la, lo = parse_location(errors, lat, lng)
    if la is not None and desk.lat is not None and desk.lng is not None:
        metres = distance_m(la, lo, desk.lat, desk.lng)
        if metres > rules.max_distance_m:
            errors.add("location", _("您距值班台约 %(m)d 米，超过 %(max)d 米，请到值班台签到") % {
                "m": round(metres), "max": rules.max_distance_m})
    return la, lo


def _my_cadre(actor):
    cadre = permissions.cadre_of(actor)
    if cadre is None:
        raise JicengError(_("您的账号没有关联干部信息，不能签到签退"), field="shift", code="no_cadre")
    return cadre


def check_in(*, actor, desk: DutyDesk, code: str, lat=None, lng=None, now=None) -> DutyShift:
    """Check in to the person's shift at this desk that starts now (from the site's minutes before its start to
    the minutes after which it is missed). Later than the grace after its start counts as late."""
    now = now or timezone.now()
    cadre = _my_cadre(actor)
    rules = rules_for(site_of(desk.org_path))
    errors = ErrorCollector()
    _check_code_and_place(errors, desk, code, lat, lng, rules, now)
    window = (DutyShift.objects.within(desk.org_path)
              .filter(desk=desk, cadre=cadre, status=ShiftStatus.SCHEDULED, ends_at__gt=now,
                      starts_at__lte=now + dt.timedelta(minutes=rules.early_minutes),
                      starts_at__gte=now - dt.timedelta(minutes=rules.missed_minutes)).order_by("starts_at"))
    shift = window.first()
    if shift is None:
        errors.add("shift", _("您此时在“%(d)s”没有可签到的班次") % {"d": desk.name})
    errors.raise_if_any()
    with transaction.atomic():
        locked = DutyShift.objects.unscoped(AUTHORISED).select_for_update().get(pk=shift.pk)
        if locked.status != ShiftStatus.SCHEDULED:
            raise JicengError(_("该班次已签到"), field="shift", code="already_checked_in")
        locked.status, locked.checked_in_at = ShiftStatus.ON_DUTY, now
        locked.late = now > locked.starts_at + dt.timedelta(minutes=rules.late_minutes)
        locked.save(update_fields=["status", "checked_in_at", "late"])
        audit_log(actor=actor, action="duty.shift.checked_in", obj=locked, object_repr=f"{desk.name} · {cadre.name}",
                  after={"late": locked.late, "location": lat is not None and lat != ""})
    return locked


def check_out(*, actor, desk: DutyDesk, code: str, lat=None, lng=None, now=None) -> DutyShift:
    """Check out of the shift the person is on at this desk; the shift is kept and its points posted."""
    now = now or timezone.now()
    cadre = _my_cadre(actor)
    rules = rules_for(site_of(desk.org_path))
    errors = ErrorCollector()
    _check_code_and_place(errors, desk, code, lat, lng, rules, now)
    shift = (DutyShift.objects.within(desk.org_path).filter(desk=desk, cadre=cadre, status=ShiftStatus.ON_DUTY)
             .order_by("starts_at").first())
    if shift is None:
        errors.add("shift", _("您在“%(d)s”还没有签到，不能签退") % {"d": desk.name})
    errors.raise_if_any()
    with transaction.atomic():
        locked = DutyShift.objects.unscoped(AUTHORISED).select_for_update().get(pk=shift.pk)
        if locked.status != ShiftStatus.ON_DUTY:
            raise JicengError(_("该班次已签退"), field="shift", code="already_checked_out")
        locked.checked_out_at = now
        _settle(locked, rules, actor=actor, now=now)
        audit_log(actor=actor, action="duty.shift.checked_out", obj=locked, object_repr=f"{desk.name} · {cadre.name}",
                  after={"points": locked.points})
    return locked


def shift_points(rules, shift: DutyShift) -> int:
    """What a shift is worth under the site's rules: kept +k (late: −l on top), missed −m."""
    if shift.status == ShiftStatus.MISSED:
        return -rules.missed_points
    return rules.kept_points - (rules.late_points if shift.late else 0)


def _post(shift: DutyShift, rules, *, actor, now, reason: str) -> None:
    from jiceng.people.models import Cadre

    cadre = Cadre.objects.unscoped(AUTHORISED).get(pk=shift.cadre_id)
    entry = performance_post(cadre=cadre, year=timezone.localtime(shift.starts_at).year,
                             amount=shift_points(rules, shift), kind="duty", reason=reason,
                             idempotency_key=f"duty-shift:{shift.pk}", source_type="duty.shift", source_id=shift.pk,
                             actor=actor, now=now)
    shift.points = entry.amount if entry is not None else 0


def _settle(shift: DutyShift, rules, *, actor, now) -> None:
    """A kept shift ends (checked out, or its end passed): status done, its points posted."""
    shift.status, shift.settled_at = ShiftStatus.DONE, now
    label = _("迟到") if shift.late else _("按时")
    _post(shift, rules, actor=actor, now=now,
          reason=_("值班 %(d)s %(t)s（%(l)s）") % {"d": shift.desk.name, "l": label,
                                                "t": timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")})
    shift.save(update_fields=["status", "settled_at", "checked_out_at", "points"])


def _managers(desk: DutyDesk) -> list[int]:
    from jiceng.accounts.models import RoleAssignment

    return list(RoleAssignment.objects.filter(org_unit_id=desk.org_unit_id, role__in=DUTY_MANAGE_ROLES)
                .values_list("user_id", flat=True).distinct())


def duty_check(now=None) -> dict:
    """The task queue's check (every fifteen minutes): mark shifts with no check-in by their start plus the site's
    minutes as missed and post the deduction; settle shifts checked in but never checked out once their end plus
    those minutes passed; remind a desk's managers of tomorrow's open days nobody is on. Each once."""
    now = now or timezone.now()
    counts = {"missed": 0, "settled": 0, "uncovered": 0}
    rules_by_site: dict[str, object] = {}

    def rules_of(path):
        key = path.split(".")[0]
        if key not in rules_by_site:
            rules_by_site[key] = rules_for(site_of(path))
        return rules_by_site[key]

    system = "the task queue checks every open shift"
    for shift in (DutyShift.objects.unscoped(system).filter(status=ShiftStatus.SCHEDULED, starts_at__lt=now)
                  .select_related("desk", "cadre")):
        rules = rules_of(shift.org_path)
        if shift.starts_at + dt.timedelta(minutes=rules.missed_minutes) > now:
            continue
        with transaction.atomic():
            if not DutyShift.objects.unscoped(AUTHORISED).filter(pk=shift.pk, status=ShiftStatus.SCHEDULED).update(
                    status=ShiftStatus.MISSED, missed_at=now):
                continue
            shift.status, shift.missed_at = ShiftStatus.MISSED, now
            when = timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")
            _post(shift, rules, actor=None, now=now,
                  reason=_("值班缺勤 %(d)s %(t)s") % {"d": shift.desk.name, "t": when})
            shift.save(update_fields=["points"])
            audit_log(actor=None, action="duty.shift.missed", obj=shift, object_repr=f"{shift.desk.name} · {shift.cadre.name}",
                      after={"points": shift.points})
            users = _managers(shift.desk) + ([shift.cadre.user_id] if shift.cadre.user_id else [])
            notification_send(user_ids=sorted(set(users)), now=now,
                              message=_("值班未签到，已记缺勤：%(n)s，%(d)s %(t)s") % {
                                  "n": shift.cadre.name, "d": shift.desk.name, "t": when},
                              subject=Subject("duty.shift", shift.pk, "/duty/shifts/"))
            counts["missed"] += 1
    for shift in (DutyShift.objects.unscoped(system).filter(status=ShiftStatus.ON_DUTY, ends_at__lt=now)
                  .select_related("desk")):
        rules = rules_of(shift.org_path)
        if shift.ends_at + dt.timedelta(minutes=rules.missed_minutes) > now:
            continue
        with transaction.atomic():
            locked = DutyShift.objects.unscoped(AUTHORISED).select_for_update().select_related("desk").get(pk=shift.pk)
            if locked.status != ShiftStatus.ON_DUTY:
                continue
            _settle(locked, rules, actor=None, now=now)
            audit_log(actor=None, action="duty.shift.settled", obj=locked, after={"points": locked.points})
            counts["settled"] += 1
    counts["uncovered"] = _remind_uncovered(now)
    return counts


def _remind_uncovered(now) -> int:
    """Tomorrow's open days of each desk with nobody on the roster: its managers are told, once per desk and day."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=tz)
    hi = lo + dt.timedelta(days=1)
    n = 0
    desks = (DutyDesk.objects.unscoped("the task queue checks every desk").filter(is_active=True)
             .exclude(uncovered_reminded_for=tomorrow).select_related("org_unit"))
    for desk in desks:
        if str(tomorrow.isoweekday()) not in desk.days:
            continue
        if DutyShift.objects.within(desk.org_path).filter(desk=desk, starts_at__lt=hi, ends_at__gt=lo).exists():
            continue
        with transaction.atomic():
            if not DutyDesk.objects.unscoped(AUTHORISED).filter(pk=desk.pk).exclude(
                    uncovered_reminded_for=tomorrow).update(uncovered_reminded_for=tomorrow):
                continue
            notification_send(user_ids=_managers(desk), now=now,
                              message=_("明天（%(day)s）%(u)s“%(d)s”还没有安排值班人，请排班") % {
                                  "day": tomorrow.isoformat(), "u": desk.org_unit.name, "d": desk.name},
                              subject=Subject("duty.desk", desk.pk, f"/duty/desks/{desk.pk}/"))
            n += 1
    return n
