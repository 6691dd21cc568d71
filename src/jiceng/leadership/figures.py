"""Leadership and burden-cutting figures for any unit and period (registered with the module registry):
each a count whose drill-down is exactly the records counted."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from jiceng.core.modules import count_by_unit

from .models import (
    COLLEGE_EDUCATION, Commendation, ManagedUp, Nomination, NominationStatus, PartyPost, PledgeStatus, PushDownRefusal,
    TeamAdjustment, TeamMember,
)
from .models import Pledge

YOUNG_AGE = 35


def _moments(period) -> tuple[dt.datetime, dt.datetime]:
    lo = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return lo, hi


def _days(field: str, period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


# code: (model, the rows counted within a period)
FIGURES = {
    # Members elected at elections held in the period, and among them the young, the college-educated, secretaries.
    "members_elected": (TeamMember, lambda p: _days("term__elected_on", p) & Q(joined_on__isnull=True)),
    "members_under_35": (TeamMember, lambda p: _days("term__elected_on", p) & Q(joined_on__isnull=True,
                                                                               age_at_election__lt=YOUNG_AGE)),
    "members_college": (TeamMember, lambda p: _days("term__elected_on", p) & Q(joined_on__isnull=True,
                                                                              education__in=COLLEGE_EDUCATION)),
    "secretaries_elected": (TeamMember, lambda p: _days("term__elected_on", p) & Q(joined_on__isnull=True,
                                                                                  party_post=PartyPost.SECRETARY)),
    "adjustments": (TeamAdjustment, lambda p: _days("on", p)),
    "managed_up": (ManagedUp, lambda p: _days("starts_on", p)),
    "pledges_kept": (Pledge, lambda p: _days("checked_on", p) & Q(status=PledgeStatus.KEPT)),
    "honours": (Nomination, lambda p: Q(status=NominationStatus.AWARDED, selection__awarded_at__gte=_moments(p)[0],
                                        selection__awarded_at__lt=_moments(p)[1])),
    "commendations": (Commendation, lambda p: _days("received_on", p)),
    "negative_refusals": (PushDownRefusal, lambda p: Q(at__gte=_moments(p)[0], at__lt=_moments(p)[1])),
}


def registered_figure(which: str):
    """``(value, records, values)`` of one figure for the module registry."""
    model, condition = FIGURES[which]

    def records(unit, period):
        return model.objects.within(unit.path).filter(condition(period))

    def value(unit, period) -> int:
        return records(unit, period).count()

    def values(units, period) -> dict:
        rows = model.objects.unscoped("a figure counts every unit's records, grouped by unit").filter(condition(period))
        return count_by_unit(rows, units)

    return value, records, values
