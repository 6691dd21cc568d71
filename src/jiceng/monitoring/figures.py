"""监测帮扶统计: for a unit and a period, the figures of a monitoring report, each with the query
that lists the households behind it (so the page links every number to its records)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum

from .models import (
    CaseStatus, Category, Channel, EconomicProfile, MemberRecord, MonitoringCase, RiskSignal, ScheduledVisit,
    SignalStatus,
)


def _cases(path):
    return MonitoringCase.objects.within(path)


def metric_cases(metric: str, path: str, start: dt.date, end: dt.date):
    """The cases behind a case metric ([start, end] inclusive dates)."""
    qs = _cases(path)
    if metric == "enrolled":
        return qs.filter(enrolled_on__gte=start, enrolled_on__lte=end)
    if metric == "eliminated":
        return qs.filter(eliminated_on__gte=start, eliminated_on__lte=end)
    if metric.startswith("monitored"):
        qs = qs.filter(enrolled_on__lte=end).exclude(status=CaseStatus.DISMISSED).filter(
            Q(eliminated_on__isnull=True) | Q(eliminated_on__gt=end))
        category = metric.partition(":")[2]
        return qs.filter(category=category) if category else qs
    if metric == "identifying":
        return qs.filter(status=CaseStatus.IDENTIFYING)
    raise KeyError(metric)


def metric_visits(metric: str, path: str, start: dt.date, end: dt.date):
    qs = ScheduledVisit.objects.filter(org_path__startswith=path, cancelled=False, due_on__gte=start, due_on__lte=end)
    if metric == "visits_done":
        return qs.filter(visit__isnull=False)
    if metric == "visits_overdue":
        return qs.filter(visit__isnull=True, overdue_at__isnull=False)
    return qs


def metric_members(metric: str, path: str, start: dt.date, end: dt.date):
    field = "schooling_updated_at" if metric == "schooling" else "employment_updated_at"
    lo = dt.datetime.combine(start, dt.time.min)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    from django.utils import timezone

    return MemberRecord.objects.filter(profile__org_path__startswith=path, **{
        f"{field}__gte": timezone.make_aware(lo), f"{field}__lt": timezone.make_aware(hi)})


def figures(path: str, start: dt.date, end: dt.date) -> dict:
    def cases(metric):
        row = metric_cases(metric, path, start, end).aggregate(h=Count("id"), p=Sum("people_count"))
        return {"households": row["h"], "people": row["p"] or 0}

    by_category = []
    for value, label in Category.choices:
        by_category.append({"category": value, "label": label, **cases(f"monitored:{value}")})
    due = metric_visits("visits_due", path, start, end).count()
    done = metric_visits("visits_done", path, start, end).count()
    from django.utils import timezone

    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    signals = RiskSignal.objects.within(path).filter(raised_at__gte=lo, raised_at__lt=hi)
    by_channel = {c: 0 for c in Channel.values}
    for row in signals.values("channel").annotate(n=Count("id")):
        by_channel[row["channel"]] = row["n"]
    return {
        "enrolled": cases("enrolled"), "eliminated": cases("eliminated"), "monitored": cases("monitored"),
        "identifying": cases("identifying"), "by_category": by_category,
        "visits_due": due, "visits_done": done, "visits_overdue": metric_visits("visits_overdue", path, start, end).count(),
        "visit_rate": (done / due) if due else None,
        "schooling": metric_members("schooling", path, start, end).count(),
        "employment": metric_members("employment", path, start, end).count(),
        "signals": signals.count(), "by_channel": [(c, Channel(c).label, n) for c, n in by_channel.items()],
        "signals_open": signals.filter(status=SignalStatus.OPEN).count(),
        "signals_confirmed": signals.filter(status=SignalStatus.CONFIRMED).count(),
        "profiles": EconomicProfile.objects.within(path).filter(year=end.year).count(),
    }


def households_for_metric(metric: str, path: str, start: dt.date, end: dt.date):
    """Household ids behind a figure (for the clickable list)."""
    if metric in ("enrolled", "eliminated", "identifying") or metric.startswith("monitored"):
        return metric_cases(metric, path, start, end).values("household_id")
    if metric.startswith("visits_"):
        return metric_visits(metric, path, start, end).values("case__household_id")
    if metric in ("schooling", "employment"):
        return metric_members(metric, path, start, end).values("profile__household_id")
    raise KeyError(metric)


METRIC_LABELS = {
    "enrolled": "新识别纳入监测对象", "eliminated": "标注风险消除", "monitored": "期末监测对象",
    "identifying": "正在识别", "visits_due": "应走访", "visits_done": "已走访", "visits_overdue": "走访逾期",
    "schooling": "更新就学信息", "employment": "更新就业信息",
}


# Registered figures (module.py): a number per unit and period, and exactly the cases behind it.
def registered_cases(metric: str):
    def records(unit, period):
        return metric_cases(metric, unit.path, period.start, period.end)

    def value(unit, period) -> int:
        return records(unit, period).count()

    records.__name__ = value.__name__ = f"cases_{metric}"
    return value, records
