"""Star ratings (星级评定, 五星家庭) per period, and rankings (红黑榜)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.people.models import Household, HouseholdStatus

from .. import permissions
from ..models import DeclarationStatus, PointsDeclaration, PointsProgramme, RatingMethod, RatingPeriod, StarRating


def period_bounds(kind: str, year: int, number: int = 1) -> tuple[dt.date, dt.date, str]:
    """(start, end, label) of a quarter or a year."""
    if kind == RatingPeriod.YEAR:
        return dt.date(year, 1, 1), dt.date(year, 12, 31), _("%(year)s年") % {"year": year}
    if not 1 <= number <= 4:
        raise JicengError(_("季度应为 1 到 4"), field="quarter")
    start = dt.date(year, 3 * (number - 1) + 1, 1)
    end = (dt.date(year + (number == 4), (3 * number) % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end, _("%(year)s年第%(q)s季度") % {"year": year, "q": number}


def current_period(programme: PointsProgramme, on: dt.date | None = None) -> tuple[dt.date, dt.date, str]:
    on = on or timezone.localdate()
    if programme.rating_period == RatingPeriod.YEAR:
        return period_bounds(RatingPeriod.YEAR, on.year)
    return period_bounds(RatingPeriod.QUARTER, on.year, (on.month - 1) // 3 + 1)


def previous_period(programme: PointsProgramme, on: dt.date | None = None):
    start, _end, _label = current_period(programme, on)
    return current_period(programme, start - dt.timedelta(days=1))


def scores(path: str, start: dt.date, end: dt.date):
    """Posted points per household in a period: {household_id: score}."""
    rows = (PointsDeclaration.objects.within(path).filter(status=DeclarationStatus.POSTED,
                                             occurred_on__range=(start, end))
            .values("household_id").annotate(score=Sum("points")))
    return {r["household_id"]: r["score"] for r in rows}


def stars_for(programme: PointsProgramme, score: int, categories_earned: int) -> int:
    if programme.rating_method == RatingMethod.CATEGORY:
        return min(5, categories_earned)
    return sum(1 for t in programme.thresholds() if score >= t)


def ratings_evaluate(*, actor, programme: PointsProgramme, start: dt.date, end: dt.date, label: str,
                     now=None) -> int:
    """Evaluate every active household of the programme for one period and store the ratings
    (re-evaluating a period replaces its ratings). Returns the number of households rated."""
    if actor is not None and not permissions.can_manage_points_list(actor, programme.org_path):
        raise PermissionDeniedError()
    if end < start:
        raise JicengError(_("评定周期无效"), field="period")
    now = now or timezone.now()
    score_by = scores(programme.org_path, start, end)
    cats = (PointsDeclaration.objects.within(programme.org_path).filter(status=DeclarationStatus.POSTED,
                                             occurred_on__range=(start, end), item__isnull=False)
            .values("household_id", "item__category_id").annotate(p=Sum("points")).filter(p__gt=0))
    cats_by: dict[int, int] = {}
    for r in cats:
        cats_by[r["household_id"]] = cats_by.get(r["household_id"], 0) + 1
    households = Household.objects.within(programme.org_path).filter(
        status=HouseholdStatus.ACTIVE).values_list("pk", "org_path")
    kind = RatingPeriod.YEAR if (end - start).days > 200 else RatingPeriod.QUARTER
    rows = [StarRating(programme=programme, household_id=pk, org_path=path, period_kind=kind, period_label=label,
                       period_start=start, period_end=end, score=score_by.get(pk, 0),
                       stars=stars_for(programme, score_by.get(pk, 0), cats_by.get(pk, 0)),
                       method=programme.rating_method, evaluated_at=now)
            for pk, path in households]
    with transaction.atomic():
        StarRating.objects.filter(programme=programme, period_start=start, period_end=end).delete()
        StarRating.objects.bulk_create(rows, batch_size=2000)
        audit_log(actor=actor, action="points.ratings.evaluated", obj=programme, org_path=programme.org_path,
                  after={"period": label, "households": len(rows),
                         "five_star": sum(1 for r in rows if r.stars == 5)})
    return len(rows)


def ratings_evaluate_due(*, now=None) -> int:
    """Scheduler: evaluate the period that has just ended for every programme (once: skipped when
    ratings for that period exist)."""
    now = now or timezone.now()
    done = 0
    for programme in PointsProgramme.objects.all():
        start, end, label = previous_period(programme, timezone.localdate(now))
        if StarRating.objects.filter(programme=programme, period_start=start, period_end=end).exists():
            continue
        ratings_evaluate(actor=None, programme=programme, start=start, end=end, label=label, now=now)
        done += 1
    return done
