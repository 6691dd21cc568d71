"""Leadership and burden-cutting figures for any unit and period (registered with the module registry):
each a count whose drill-down is exactly the records counted."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from jiceng.core.modules import count_by_unit

from .models import (
    COLLEGE_EDUCATION, CertificateRequest, Commendation, ContactVisit, EducationUpgrade, Inspection, InspectionFinding,
    LoanedStaff,
    ManagedUp, Nomination, NominationStatus, PartyPost, Plaque, Pledge, PledgeStatus, Posting, PushDownRefusal,
    ReserveCadre, TeamAdjustment, TeamMember, TrainingAttendance, UpgradeOutcome,
)
from .services.teams import YOUNG_AGE


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
    # Certificate requests registered in the period, and those the negative list refused (never registered).
    "certificate_requests": (CertificateRequest, lambda p: _days("requested_on", p)),
    "certificate_refusals": (PushDownRefusal, lambda p: Q(at__gte=_moments(p)[0], at__lt=_moments(p)[1],
                                                          source_type="certificate")),
    "reserves": (ReserveCadre, lambda p: _days("since", p)),
    "replacements": (Posting, lambda p: _days("starts_on", p) & Q(replaces__isnull=False)),
    "trained": (TrainingAttendance, lambda p: _days("training__ends_on", p) & Q(attended=True)),
    "training_absences": (TrainingAttendance, lambda p: _days("training__ends_on", p) & Q(attended=False)),
    "upgrades_graduated": (EducationUpgrade, lambda p: _days("completed_on", p) & Q(outcome=UpgradeOutcome.GRADUATED)),
    "contact_visits": (ContactVisit, lambda p: _days("on", p)),
    # On loan at the end of the period: left by then and not back by then.
    "loaned_out": (LoanedStaff, lambda p: Q(left_on__lte=p.end) & (Q(returned_on__isnull=True) | Q(returned_on__gt=p.end))),
    "plaques_checked": (Plaque, lambda p: _days("checked_on", p)),
    "plaques_cleared": (Plaque, lambda p: _days("removed_on", p)),
    "findings_fixed_on_time": (InspectionFinding, lambda p: _days("fixed_on", p) & Q(fixed_on__lte=F("deadline"))),
    # Inspections of the period with a finding not fixed by its deadline (as of the period's end) that no circular named.
    "inspections_without_circulars": (Inspection, lambda p: _days("on", p) & Q(Exists(
        InspectionFinding.objects.unscoped("a figure's condition").filter(
            inspection=OuterRef("pk"), deadline__lt=min(p.end, timezone.localdate()), circulars__isnull=True)
        .filter(Q(fixed_on__isnull=True) | Q(fixed_on__gt=F("deadline")))))),
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
