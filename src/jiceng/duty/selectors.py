"""Reads shared by the duty pages and API, already scoped to the user (purpose duty_view)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from jiceng.core.errors import NotFoundError

from . import permissions
from .models import DutyDesk, DutyShift, ShiftStatus, Visitor

PURPOSE = "duty_view"


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in local time."""
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def desk_list(user):
    return DutyDesk.objects.accessible_to(user, purpose=PURPOSE).select_related("org_unit").order_by("org_path", "id")


def desk_get_for_user(user, desk_id) -> DutyDesk:
    """The desk, if in the user's scope; else not found (the same answer as for no such desk)."""
    try:
        return desk_list(user).get(pk=int(desk_id))
    except (DutyDesk.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def shift_list(user, *, desk_id=None, start: dt.date | None = None, end: dt.date | None = None, status: str = "",
               cadre_id=None):
    qs = DutyShift.objects.accessible_to(user, purpose=PURPOSE).select_related("desk", "cadre", "desk__org_unit")
    if desk_id:
        qs = qs.filter(desk_id=desk_id)
    if start and end:
        lo, hi = day_bounds(start, end)
        qs = qs.filter(starts_at__gte=lo, starts_at__lt=hi)
    if status:
        qs = qs.filter(status=status)
    if cadre_id:
        qs = qs.filter(cadre_id=cadre_id)
    return qs.order_by("starts_at", "id")


def shift_get_for_user(user, shift_id) -> DutyShift:
    try:
        return shift_list(user).get(pk=int(shift_id))
    except (DutyShift.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def my_shifts(user, *, since: dt.datetime | None = None):
    """The login's own shifts (我的值班), at any desk."""
    cadre = permissions.cadre_of(user)
    if cadre is None:
        return DutyShift.objects.unscoped("a login with no cadre record has no shift").none()
    qs = DutyShift.objects.unscoped("the login's own shifts, by cadre").filter(cadre=cadre)
    if since is not None:
        qs = qs.filter(ends_at__gte=since)
    return qs.select_related("desk", "desk__org_unit").order_by("starts_at", "id")


def visitor_list(user, *, desk_id=None, kind: str = "", start: dt.date | None = None, end: dt.date | None = None):
    qs = Visitor.objects.accessible_to(user, purpose=PURPOSE).select_related("desk", "desk__org_unit", "shift__cadre")
    if desk_id:
        qs = qs.filter(desk_id=desk_id)
    if kind:
        qs = qs.filter(kind=kind)
    if start and end:
        lo, hi = day_bounds(start, end)
        qs = qs.filter(at__gte=lo, at__lt=hi)
    return qs.order_by("-at", "-id")


ATTENDANCE = {
    "shifts": Count("id"),
    "kept": Count("id", filter=Q(checked_in_at__isnull=False)),
    "late": Count("id", filter=Q(late=True)),
    "missed": Count("id", filter=Q(status=ShiftStatus.MISSED)),
}


def attendance(user, *, start: dt.date, end: dt.date, by: str = "person") -> list[dict]:
    """Shifts, kept, late and missed per person (``by="person"``) or per village or community (``"unit"``) for
    shifts starting in the period, in the user's scope."""
    lo, hi = day_bounds(start, end)
    qs = DutyShift.objects.accessible_to(user, purpose=PURPOSE).filter(starts_at__gte=lo, starts_at__lt=hi)
    if by == "unit":
        rows = list(qs.values("desk__org_unit_id", "desk__org_unit__name").annotate(**ATTENDANCE)
                    .order_by("desk__org_unit__name"))
        for r in rows:
            r["name"], r["unit"] = r["desk__org_unit__name"], ""
    else:
        rows = list(qs.values("cadre_id", "cadre__name", "cadre__org_unit__name").annotate(**ATTENDANCE)
                    .order_by("cadre__org_unit__name", "cadre__name"))
        for r in rows:
            r["name"], r["unit"] = r["cadre__name"], r["cadre__org_unit__name"]
    for r in rows:
        r["rate"] = round(100 * r["kept"] / r["shifts"]) if r["shifts"] else None
    return rows


def public_roster(unit, *, today: dt.date):
    """This week's and next week's shifts at the desks of a village or community (the public page; no login)."""
    monday = today - dt.timedelta(days=today.weekday())
    lo, hi = day_bounds(monday, monday + dt.timedelta(days=13))
    desks = list(DutyDesk.objects.within(unit.path).filter(is_active=True).order_by("id"))
    shifts = (DutyShift.objects.within(unit.path).filter(desk__in=desks, starts_at__gte=lo, starts_at__lt=hi)
              .select_related("cadre", "desk").order_by("starts_at", "id"))
    return desks, list(shifts), monday


def today_counts(user) -> dict:
    """Today in scope: shifts, on duty now, missed, visitors."""
    today = timezone.localdate()
    shifts = shift_list(user, start=today, end=today)
    return {"shifts": shifts.count(), "on_duty": shifts.filter(status=ShiftStatus.ON_DUTY).count(),
            "missed": shifts.filter(status=ShiftStatus.MISSED).count(),
            "visitors": visitor_list(user, start=today, end=today).count()}
