"""Reads shared by the monitoring pages and API, already scoped to the user (purpose monitoring_view)."""
from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from jiceng.accounts.scope import _assignments
from jiceng.core.errors import NotFoundError
from jiceng.core.filters import filter_by
from jiceng.core.scope import AUTHORISED, FILTERED_BELOW
from jiceng.people.models import Household

from . import permissions
from .models import (
    ACTIVE_CASE_STATUSES, MONITORED_STATUSES, CaseStatus, DepartmentList, EconomicProfile, MonitoringCase,
    RiskSignal, ScheduledVisit, SignalStatus, Stage,
)
from .permissions import STAGE_ROLES

PURPOSE = "monitoring_view"

SIGNAL_FILTERS = {
    "status": "status", "channel": "channel", "org_path": "org_path__startswith",
    "overdue": Q(status=SignalStatus.OPEN, overdue_at__isnull=False),
    "since": "raised_at__gte", "until": "raised_at__lt",
}
# "active" and "monitored" name groups of statuses; anything else is one status.
CASE_STATUS_GROUPS = {"active": ACTIVE_CASE_STATUSES, "monitored": MONITORED_STATUSES}
CASE_FILTERS = {
    "status": lambda s: Q(status__in=CASE_STATUS_GROUPS[s]) if s in CASE_STATUS_GROUPS else Q(status=s),
    "category": "category", "stage": "stage", "org_path": "org_path__startswith",
}


def household_get_for_user(user, household_id) -> Household:
    """The household, if its economic record is the user's to see; one not-found answer otherwise."""
    try:
        return (Household.objects.accessible_to(user, purpose=PURPOSE).select_related("head", "org_unit")
                .get(pk=int(household_id)))
    except (Household.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def signal_get_for_user(user, signal_id) -> RiskSignal:
    try:
        return (RiskSignal.objects.accessible_to(user, purpose=PURPOSE).select_related("household__head", "case")
                .get(pk=int(signal_id)))
    except (RiskSignal.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def case_get_for_user(user, case_id) -> MonitoringCase:
    try:
        return (MonitoringCase.objects.accessible_to(user, purpose=PURPOSE)
                .select_related("household__head", "household__org_unit", "responsible").get(pk=int(case_id)))
    except (MonitoringCase.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def measures_of(case: MonitoringCase):
    """A case's assistance measures (帮扶措施), newest first; the case was fetched for the user."""
    return case.measures.select_related("created_by").order_by("-started_on", "-id")


def measure_get(case: MonitoringCase, measure_id):
    """One of a case's measures, or not found (a measure of another case is not found either)."""
    m = measures_of(case).filter(pk=measure_id).first()
    if m is None:
        raise NotFoundError(field="measure_id")
    return m


def department_list_get_for_user(user, list_id) -> DepartmentList:
    dl = DepartmentList.objects.select_related("root", "actor").filter(pk=list_id).first() if str(list_id).isdigit() else None
    if dl is None or not permissions.can_import_list(user, dl.root.path):
        raise NotFoundError()
    return dl


def signal_list(*, user, status: str = "", channel: str = "", org_path: str = "", overdue: bool = False,
                since=None, until=None):
    qs = RiskSignal.objects.accessible_to(user, purpose=PURPOSE).select_related("household__head", "household__org_unit")
    qs = filter_by(qs, SIGNAL_FILTERS, status=status, channel=channel, org_path=org_path, overdue=overdue,
                   since=since, until=until)
    return qs.order_by("deadline", "id") if status == SignalStatus.OPEN else qs.order_by("-raised_at", "-id")


def case_list(*, user, status: str = "", category: str = "", org_path: str = "", stage: str = ""):
    qs = MonitoringCase.objects.accessible_to(user, purpose=PURPOSE).select_related(
        "household__head", "household__org_unit", "responsible")
    qs = filter_by(qs, CASE_FILTERS, status=status, category=category, stage=stage, org_path=org_path)
    return qs.order_by("org_path", "household__number", "-id")


def household_list(*, user, q: str = "", org_path: str = "", at_risk: bool = False):
    qs = Household.objects.accessible_to(user, purpose=PURPOSE).select_related("head", "org_unit")
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    if q:
        qs = qs.filter(Q(number=q.strip()) | Q(head__name_search__startswith=q.strip()) | Q(address__contains=q.strip()))
    qs = qs.annotate(
        open_signals=Count("risk_signals", filter=Q(risk_signals__status=SignalStatus.OPEN), distinct=True),
        active_case=Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), status__in=ACTIVE_CASE_STATUSES)))
    if at_risk:
        qs = qs.filter(Q(open_signals__gt=0) | Q(active_case=True))
    return qs.order_by("org_path", "number")


def approvals_waiting(*, user):
    """Cases whose current step this user may complete (the last step not theirs)."""
    from django.db.models import OuterRef, Subquery

    from .models import ReviewStep

    last_actor = (ReviewStep.objects.filter(case=OuterRef("pk"), procedure=OuterRef("procedure"), actor__isnull=False)
                  .order_by("-at", "-id").values("actor_id")[:1])
    qs = (MonitoringCase.objects.unscoped(FILTERED_BELOW).filter(status__in=[CaseStatus.IDENTIFYING, CaseStatus.ELIMINATING])
          .exclude(stage__in=[Stage.POSTING, Stage.DONE]).annotate(last_actor=Subquery(last_actor))
          .exclude(last_actor=user.pk).select_related("household__head", "household__org_unit"))
    if not user.is_superuser:
        q = Q(pk__in=[])
        for a in _assignments(user):
            stages = [s for s, roles in STAGE_ROLES.items() if a.role in roles]
            if stages:
                q |= Q(stage__in=stages, org_path__startswith=a.org_unit.path)
        qs = qs.filter(q)
    return qs.order_by("created_at", "id")


def visits_due(*, user, mine_only: bool = False, overdue: bool = False):
    qs = ScheduledVisit.objects.filter(visit__isnull=True, cancelled=False, case__status__in=MONITORED_STATUSES)
    qs = qs.filter(case__in=MonitoringCase.objects.accessible_to(user, purpose=PURPOSE))
    if mine_only:
        qs = qs.filter(case__responsible=user)
    if overdue:
        qs = qs.filter(overdue_at__isnull=False)
    return qs.select_related("case__household__head", "case__responsible").order_by("due_on", "id")


def worklist(*, user) -> dict:
    today = timezone.localdate()
    to_verify = signal_list(user=user, status=SignalStatus.OPEN) if permissions.can_record_any(user) else RiskSignal.objects.unscoped(AUTHORISED).none()
    mine = visits_due(user=user, mine_only=True)
    return {
        "signals": to_verify[:50], "signals_count": to_verify.count(),
        "signals_overdue": to_verify.filter(overdue_at__isnull=False).count(),
        "my_visits": mine.filter(reminded_at__isnull=False)[:50] if not user.is_superuser else mine[:50],
        "overdue_visits": visits_due(user=user, overdue=True)[:50],
        "overdue_visits_count": visits_due(user=user, overdue=True).count(),
        "approvals": approvals_waiting(user=user)[:50],
        "approvals_count": approvals_waiting(user=user).count(),
        "postings": case_list(user=user, stage=Stage.POSTING)[:50],
        "today": today,
    }


def profiles_of(household):
    return (EconomicProfile.objects.unscoped(AUTHORISED).filter(household=household).order_by("-year")
            .prefetch_related("members__resident"))


def household_badge(user, household) -> dict | None:
    """For the registry's household page: the monitoring state and a link, for roles that see it
    (no economic figures, so it is not a view of the economic record)."""
    if not permissions.can_view(user, household.org_path):
        return None
    case = MonitoringCase.objects.unscoped(AUTHORISED).filter(household=household).order_by("-created_at").first()
    return {"case": case, "open_signals": RiskSignal.objects.unscoped(AUTHORISED).filter(household=household,
                                                                    status=SignalStatus.OPEN).count()}


def home_visits(request, _obj=None) -> dict | None:
    """The worker's to-do list on the home page: the visits they are responsible for, soonest first, each named
    by the household's head and address (None when there are none, or the role does not record visits)."""
    user = request.user
    if not permissions.can_record_any(user):
        return None
    due = visits_due(user=user, mine_only=True)
    visits = list(due[:10])
    if not visits:
        return None
    today = timezone.localdate()
    for v in visits:
        v.days_late = (today - v.due_on).days if v.due_on < today else 0
    return {"home_visits": visits, "home_visits_count": due.count()}


def household_panel(request, household) -> dict | None:
    """The monitoring line on the registry's household page (None for roles that do not see it)."""
    badge = household_badge(request.user, household)
    return None if badge is None else {"household": household, "monitoring": badge}
