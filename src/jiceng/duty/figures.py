"""Duty figures for any unit and period (registered with the module registry): each a count whose drill-down is
exactly the records counted."""
from __future__ import annotations

from django.db.models import Q

from .models import DutyShift, ShiftStatus, Visitor, VisitorKind
from .selectors import day_bounds

VISITOR_FIGURES = {"visitors": Q(), "matters": Q(kind=VisitorKind.MATTER), "disputes": Q(kind=VisitorKind.DISPUTE)}
SHIFT_FIGURES = {"shifts_kept": Q(checked_in_at__isnull=False), "shifts_missed": Q(status=ShiftStatus.MISSED)}


def visitors_in(unit, period):
    lo, hi = day_bounds(period.start, period.end)
    return Visitor.objects.within(unit.path).filter(at__gte=lo, at__lt=hi)


def shifts_in(unit, period):
    lo, hi = day_bounds(period.start, period.end)
    return DutyShift.objects.within(unit.path).filter(starts_at__gte=lo, starts_at__lt=hi)


def registered_figure(which: str):
    def records(unit, period):
        if which in VISITOR_FIGURES:
            return visitors_in(unit, period).filter(VISITOR_FIGURES[which])
        return shifts_in(unit, period).filter(SHIFT_FIGURES[which])

    def value(unit, period) -> int:
        return records(unit, period).count()

    return value, records
