"""Cadre-work figures for any unit and period (registered with the module registry): each a count whose
drill-down is exactly the records counted."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.utils import timezone

from jiceng.core.modules import count_by_unit

from .models import Grade, PerformanceEntry, PerformanceKind, Task, TaskStatus, Timeliness

_DONE = (Grade.EXCELLENT, Grade.DONE)

TASK_FIGURES = {
    "tasks_issued": Q(),
    "tasks_on_time": Q(status=TaskStatus.GRADED, grade__in=_DONE, timeliness=Timeliness.ON_TIME),
    "tasks_late": Q(status=TaskStatus.GRADED, grade__in=_DONE, timeliness=Timeliness.LATE),
    "tasks_overdue": Q(overdue_at__isnull=False),
}
ENTRY_FIGURES = {"additions": Q(amount__gt=0), "deductions": Q(amount__lt=0),
                 "addition_points": Q(amount__gt=0), "deduction_points": Q(amount__lt=0)}
# The points figures add up the entries' amounts (deductions as a positive size) instead of counting them.
SUMS = {"addition_points": "amount", "deduction_points": "-amount"}


def _bounds(period) -> tuple[dt.datetime, dt.datetime]:
    lo = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return lo, hi


def tasks_in(unit, period):
    """Issued tasks of the unit's tree due in the period."""
    lo, hi = _bounds(period)
    return Task.objects.within(unit.path).exclude(status=TaskStatus.DRAFT).filter(due_at__gte=lo, due_at__lt=hi)


def entries_in(unit, period):
    """Performance entries of the unit's tree posted in the period, the yearly base excluded."""
    lo, hi = _bounds(period)
    return (PerformanceEntry.objects.within(unit.path).exclude(kind=PerformanceKind.BASE)
            .filter(created_at__gte=lo, created_at__lt=hi))


def _all_tasks(period):
    lo, hi = _bounds(period)
    return (Task.objects.unscoped("a figure counts every unit's tasks, grouped by unit")
            .exclude(status=TaskStatus.DRAFT).filter(due_at__gte=lo, due_at__lt=hi))


def _all_entries(period):
    lo, hi = _bounds(period)
    return (PerformanceEntry.objects.unscoped("a figure counts every unit's entries, grouped by unit")
            .exclude(kind=PerformanceKind.BASE).filter(created_at__gte=lo, created_at__lt=hi))


def registered_figure(which: str):
    """``(value, records, values)`` of one cadre-work figure for the module registry."""

    def records(unit, period):
        if which in TASK_FIGURES:
            return tasks_in(unit, period).filter(TASK_FIGURES[which])
        return entries_in(unit, period).filter(ENTRY_FIGURES[which])

    def value(unit, period) -> int:
        if which in SUMS:
            total = records(unit, period).aggregate(t=Sum("amount"))["t"] or 0
            return -total if SUMS[which].startswith("-") else total
        return records(unit, period).count()

    def values(units, period) -> dict:
        if which in TASK_FIGURES:
            return count_by_unit(_all_tasks(period).filter(TASK_FIGURES[which]), units)
        return count_by_unit(_all_entries(period).filter(ENTRY_FIGURES[which]), units, sums=SUMS.get(which, ""))

    return value, records, values
