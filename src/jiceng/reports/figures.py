"""Report figures for any unit and period (诉求办理统计): received, accepted, closed, closure rate
(办结率), on-time rate, satisfaction rate and median time to close — overall, by category and by
handler, with the previous period of the same length beside them. Every count is a filter on the
report list, so each number links to the reports behind it."""
from __future__ import annotations

import datetime as dt
import statistics

from django.db import connection
from django.db.models import Count, F, Q

from .models import Rating, Report, ReportCategory, ReportStatus

DONE = [ReportStatus.RESOLVED, ReportStatus.CLOSED]


def _base(path: str, start: dt.datetime, end: dt.datetime):
    return Report.objects.within(path).filter(created_at__gte=start, created_at__lt=end, merged_into__isnull=True)


AGGREGATES = {
    "received": Count("id"),
    "accepted": Count("id", filter=Q(accepted_at__isnull=False)),
    "rejected": Count("id", filter=Q(status=ReportStatus.REJECTED)),
    "done": Count("id", filter=Q(status__in=DONE)),
    "on_time": Count("id", filter=Q(status__in=DONE, resolved_at__lte=F("deadline"))),
    "overdue": Count("id", filter=Q(overdue_at__isnull=False)),
    "rated": Count("id", filter=~Q(rating="")),
    "satisfied": Count("id", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
}


def _rates(row: dict) -> dict:
    valid = row["received"] - row["rejected"]
    row["closure_rate"] = row["done"] / valid if valid else None
    row["on_time_rate"] = row["on_time"] / row["done"] if row["done"] else None
    row["satisfaction_rate"] = row["satisfied"] / row["rated"] if row["rated"] else None
    return row


def median_hours(path: str, start, end) -> float | None:
    """Median hours from report to resolution among the period's resolved reports."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM resolved_at - created_at)) "
                "FROM reports_report WHERE org_path LIKE %s AND created_at >= %s AND created_at < %s "
                "AND merged_into_id IS NULL AND resolved_at IS NOT NULL AND status IN ('resolved', 'closed')",
                [path + "%", start, end])
            value = cur.fetchone()[0]
        return float(value) / 3600 if value is not None else None
    rows = _base(path, start, end).filter(status__in=DONE, resolved_at__isnull=False).values_list("created_at", "resolved_at")
    spans = [(b - a).total_seconds() / 3600 for a, b in rows]
    return statistics.median(spans) if spans else None


def figures(path: str, start: dt.datetime, end: dt.datetime) -> dict:
    length = end - start
    prev_start = start - length
    now_row = _rates(_base(path, start, end).aggregate(**AGGREGATES))
    prev_row = _rates(_base(path, prev_start, start).aggregate(**AGGREGATES))
    now_row["median_hours"] = median_hours(path, start, end)
    prev_row["median_hours"] = median_hours(path, prev_start, start)
    return {"now": now_row, "prev": prev_row, "by_category": by_category(path, start, end),
            "by_handler": by_handler(path, start, end), "prev_start": prev_start}


def _with_names(rows: list[dict], model, field: str) -> list[dict]:
    """Add ``<field>__name`` to grouped rows from one small query. The rows are grouped by the id
    alone: grouping by a joined name too makes PostgreSQL join every report before grouping and,
    not knowing names and ids go together, plan for ~100,000 groups (a disk sort) instead of ~30."""
    ids = {r[f"{field}_id"] for r in rows if r[f"{field}_id"] is not None}
    names = dict(model.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for r in rows:
        r[f"{field}__name"] = names.get(r[f"{field}_id"])
    return rows


def by_category(path: str, start, end) -> list[dict]:
    rows = [_rates(r) for r in _base(path, start, end).values("category_id").annotate(**AGGREGATES)
            .order_by("-received", "category_id")]
    return _with_names(rows, ReportCategory, "category")


def by_handler(path: str, start, end) -> list[dict]:
    from jiceng.orgs.models import OrgUnit
    from jiceng.people.models import PartnerUnit

    rows = [_rates(r) for r in _base(path, start, end).filter(Q(handler_unit__isnull=False) | Q(handler_partner__isnull=False))
            .values("handler_unit_id", "handler_partner_id").annotate(**AGGREGATES)
            .order_by("-received", "handler_unit_id", "handler_partner_id")]
    return _with_names(_with_names(rows, OrgUnit, "handler_unit"), PartnerUnit, "handler_partner")


FILTERS = {
    "received": {}, "accepted": {"accepted": "1"}, "rejected": {"status": "rejected"}, "done": {"done": "1"},
    "on_time": {"done": "1", "on_time": "1"}, "overdue": {"overdue": "1"}, "rated": {"rated": "1"},
    "satisfied": {"satisfied": "1"},
}


def apply_filters(qs, params):
    """The report list behind a figure: the same conditions as the aggregates above."""
    if params.get("accepted") == "1":
        qs = qs.filter(accepted_at__isnull=False)
    if params.get("done") == "1":
        qs = qs.filter(status__in=DONE)
    if params.get("on_time") == "1":
        qs = qs.filter(resolved_at__lte=F("deadline"))
    if params.get("rated") == "1":
        qs = qs.exclude(rating="")
    if params.get("satisfied") == "1":
        qs = qs.filter(rating__in=[Rating.SATISFIED, Rating.BASIC])
    if params.get("handler_unit"):
        qs = qs.filter(handler_unit_id=params["handler_unit"])
    if params.get("handler_partner"):
        qs = qs.filter(handler_partner_id=params["handler_partner"])
    return qs


# Registered figures (module.py): reports received at a unit's places in a period, and those done or overdue.
def registered_reports(which: str):
    from django.utils import timezone

    def records(unit, period):
        lo = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
        hi = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
        qs = _base(unit.path, lo, hi)
        if which == "done":
            return qs.filter(status__in=DONE)
        if which == "overdue":
            return qs.filter(overdue_at__isnull=False)
        return qs

    def value(unit, period) -> int:
        return records(unit, period).count()

    def values(units, period) -> dict:
        from jiceng.core.modules import count_by_unit

        lo = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
        hi = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
        qs = Report.objects.unscoped("a figure counts every unit's reports, grouped by unit").filter(
            created_at__gte=lo, created_at__lt=hi, merged_into__isnull=True)
        if which == "done":
            qs = qs.filter(status__in=DONE)
        elif which == "overdue":
            qs = qs.filter(overdue_at__isnull=False)
        return count_by_unit(qs, units)

    return value, records, values
