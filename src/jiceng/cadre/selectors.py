"""Reads shared by the cadre-work pages and API, already scoped to the user (purpose cadre_view)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from jiceng.core.errors import NotFoundError
from jiceng.core.filters import filter_by
from jiceng.core.scope import AUTHORISED, FILTERED_BELOW
from jiceng.people.models import Cadre

from . import permissions
from .models import (
    Appeal, AppealStatus, PerformanceAccount, PerformanceEntry, PerformanceKind, PointsAdjustment, Task, TaskList,
    TaskReport, TaskStatus,
)

PURPOSE = "cadre_view"
OPEN_STATUSES = (TaskStatus.ISSUED, TaskStatus.REPORTED, TaskStatus.RETURNED)

TASK_FILTERS = {
    "status": "status", "org_path": "org_path__startswith", "task_list": "task_list_id", "owner": "owner_id",
    "overdue": Q(overdue_at__isnull=False, status__in=(TaskStatus.ISSUED, TaskStatus.RETURNED)),
    "grade": "grade",
}


def _visible_lists(user):
    """Lists issued within the user's scope, and lists that hold a task the user may see (a community's staff
    see the street's list their community's tasks came on)."""
    from django.db.models import Subquery

    own = TaskList.objects.accessible_to(user, purpose=PURPOSE).values("pk")
    via_tasks = Task.objects.accessible_to(user, purpose=PURPOSE).exclude(status=TaskStatus.DRAFT).values("task_list_id")
    return TaskList.objects.unscoped(FILTERED_BELOW).filter(Q(pk__in=Subquery(own)) | Q(pk__in=Subquery(via_tasks)))


def task_list_list(user, *, status: str = ""):
    qs = _visible_lists(user).select_related("org_unit")
    if status:
        qs = qs.filter(status=status)
    return (qs.annotate(n_tasks=Count("tasks"),
                        n_graded=Count("tasks", filter=Q(tasks__status=TaskStatus.GRADED)),
                        n_overdue=Count("tasks", filter=Q(tasks__overdue_at__isnull=False,
                                                          tasks__status__in=(TaskStatus.ISSUED, TaskStatus.RETURNED))))
            .order_by("-created_at", "-id"))


def task_list_get_for_user(user, list_id) -> TaskList:
    try:
        return _visible_lists(user).select_related("org_unit").get(pk=int(list_id))
    except (TaskList.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def task_list(user, **filters):
    """Tasks in the user's scope (their unit's, or issued by a unit above them to theirs)."""
    qs = Task.objects.accessible_to(user, purpose=PURPOSE).select_related("owner", "org_unit", "task_list")
    return filter_by(qs, TASK_FILTERS, **filters).order_by("due_at", "id")


def tasks_of_list(task_list_obj, *, user=None):
    """A list's tasks: all of them for those the list was issued within, else the ones in the user's scope."""
    if user is None or permissions.can_view(user, task_list_obj.org_path):
        qs = Task.objects.within(task_list_obj.org_path)
    else:
        qs = Task.objects.accessible_to(user, purpose=PURPOSE).exclude(status=TaskStatus.DRAFT)
    return (qs.filter(task_list=task_list_obj).select_related("owner", "org_unit", "org_unit__parent")
            .prefetch_related("co_owners").order_by("org_path", "due_at", "id"))


def my_tasks(user):
    """The tasks the login owns or co-owns (我的任务), open ones first."""
    cadre = permissions.cadre_of(user)
    if cadre is None:
        return Task.objects.unscoped("a login with no cadre record owns no task").none()
    qs = (Task.objects.unscoped("the login's own tasks, by owner").filter(Q(owner=cadre) | Q(co_owners=cadre))
          .exclude(status=TaskStatus.DRAFT).distinct().select_related("task_list", "org_unit", "owner"))
    return qs.order_by("graded_at", "due_at", "id")


def task_get_for_user(user, task_id) -> Task:
    """The task, if the user may see it (its unit or its list in their scope, or they own it)."""
    try:
        task = (Task.objects.unscoped("fetched by key, authorised on the next lines")
                .select_related("task_list", "owner", "org_unit", "graded_by").get(pk=int(task_id)))
    except (Task.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None
    if task.status == TaskStatus.DRAFT and not permissions.can_manage(user, task.task_list.org_path):
        raise NotFoundError()
    if not (permissions.can_view(user, task.org_path) or permissions.can_view(user, task.task_list.org_path)
            or permissions.is_task_owner(user, task)):
        raise NotFoundError()
    return task


def task_reports(task):
    return TaskReport.objects.unscoped(AUTHORISED).filter(task=task).select_related("by", "cadre", "decided_by")


# --------------------------------------------------------------------------- performance points

def cadre_get_for_user(user, cadre_id) -> Cadre:
    """A cadre whose points the user may see: in their scope, or themselves."""
    own = permissions.cadre_of(user)
    try:
        cadre_id = int(cadre_id)
    except (TypeError, ValueError):
        raise NotFoundError() from None
    if own is not None and own.pk == cadre_id:
        return own
    found = Cadre.objects.accessible_to(user, purpose=PURPOSE).filter(pk=cadre_id).first()
    if found is None:
        raise NotFoundError()
    return found


def performance_accounts(user, *, year: int, org_path: str = ""):
    """Each cadre's year in scope, highest balance first (the year's standing)."""
    qs = (PerformanceAccount.objects.accessible_to(user, purpose=PURPOSE).filter(year=year)
          .select_related("cadre", "cadre__org_unit"))
    if org_path:
        qs = qs.filter(org_path__startswith=org_path)
    return qs.order_by("-balance", "cadre__name", "id")


def performance_entries(cadre, *, year: int):
    return (PerformanceEntry.objects.unscoped(AUTHORISED).filter(account__cadre=cadre, account__year=year)
            .select_related("actor", "appeal").order_by("-seq"))


def performance_account(cadre, *, year: int) -> PerformanceAccount | None:
    return PerformanceAccount.objects.unscoped(AUTHORISED).filter(cadre=cadre, year=year).first()


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz) if quarter == 4 else dt.datetime(year, 3 * quarter + 1, 1, tzinfo=tz)
    return start, end


def quarterly_summary(user, *, year: int, org_path: str = "") -> list[dict]:
    """Per cadre in scope: additions and deductions (count and points) per quarter, base excluded, and the
    year's balance — the quarterly summary (季度汇总)."""
    entries = (PerformanceEntry.objects.accessible_to(user, purpose=PURPOSE)
               .filter(account__year=year).exclude(kind=PerformanceKind.BASE))
    if org_path:
        entries = entries.filter(org_path__startswith=org_path)
    rows: dict[int, dict] = {}
    for q in range(1, 5):
        start, end = quarter_bounds(year, q)
        agg = (entries.filter(created_at__gte=start, created_at__lt=end).values("account_id")
               .annotate(added=Sum("amount", filter=Q(amount__gt=0)), deducted=Sum("amount", filter=Q(amount__lt=0)),
                         n_added=Count("id", filter=Q(amount__gt=0)), n_deducted=Count("id", filter=Q(amount__lt=0))))
        for a in agg:
            row = rows.setdefault(a["account_id"], {"quarters": {i: None for i in range(1, 5)}})
            row["quarters"][q] = {"added": a["added"] or 0, "deducted": -(a["deducted"] or 0),
                                  "n_added": a["n_added"], "n_deducted": a["n_deducted"]}
    accounts = {a.pk: a for a in PerformanceAccount.objects.unscoped(AUTHORISED).filter(pk__in=rows)
                .select_related("cadre", "cadre__org_unit")}
    out = []
    for pk, row in rows.items():
        a = accounts[pk]
        out.append({"account": a, "cadre": a.cadre, "balance": a.balance, "quarters": row["quarters"]})
    out.sort(key=lambda r: (-r["balance"], r["cadre"].name))
    return out


def adjustment_list(user, *, status: str = ""):
    qs = (PointsAdjustment.objects.accessible_to(user, purpose=PURPOSE)
          .select_related("cadre", "cadre__org_unit", "proposed_by", "decided_by"))
    return qs.filter(status=status) if status else qs


def adjustment_get_for_user(user, adjustment_id) -> PointsAdjustment:
    try:
        return adjustment_list(user).get(pk=int(adjustment_id))
    except (PointsAdjustment.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def appeal_list(user, *, status: str = ""):
    own = permissions.cadre_of(user)
    qs = Appeal.objects.accessible_to(user, purpose=PURPOSE)
    if own is not None:
        qs = qs | Appeal.objects.unscoped("the login's own appeals").filter(cadre=own)
    qs = qs.select_related("cadre", "entry", "filed_by", "decided_by")
    return qs.filter(status=status) if status else qs


def appeal_get_for_user(user, appeal_id) -> Appeal:
    try:
        return appeal_list(user).get(pk=int(appeal_id))
    except (Appeal.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def entry_get_for_user(user, entry_id) -> PerformanceEntry:
    """An entry of the login's own points (to appeal), or one in scope."""
    try:
        entry = PerformanceEntry.objects.unscoped("fetched by key, authorised next").select_related(
            "account__cadre").get(pk=int(entry_id))
    except (PerformanceEntry.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None
    own = permissions.cadre_of(user)
    if (own is not None and own.pk == entry.account.cadre_id) or permissions.can_view(user, entry.org_path):
        return entry
    raise NotFoundError()


def pending_counts(user) -> dict:
    """What waits for the user: reports to check, adjustments to approve, appeals to review, own open tasks."""
    out = {"to_check": 0, "to_approve": 0, "to_review": 0, "my_open": 0}
    if permissions.can_manage_any(user):
        out["to_check"] = task_list(user, status=TaskStatus.REPORTED).count()
        out["to_approve"] = adjustment_list(user, status="pending").exclude(proposed_by=user).count()
        out["to_review"] = appeal_list(user, status=AppealStatus.PENDING).count()
    out["my_open"] = my_tasks(user).filter(status__in=OPEN_STATUSES).count()
    return out


# --------------------------------------------------------------------------- ranking, plans, showcases

def scheme_list(user):
    from .models import RankingScheme

    return RankingScheme.objects.accessible_to(user, purpose=PURPOSE).prefetch_related("indicators")


def scheme_get_for_user(user, scheme_id):
    from .models import RankingScheme

    try:
        return scheme_list(user).get(pk=int(scheme_id))
    except (RankingScheme.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def run_list(user):
    from .models import RankingRun

    return RankingRun.objects.accessible_to(user, purpose=PURPOSE).select_related("scheme")


def run_get_for_user(user, run_id):
    from .models import RankingRun

    try:
        return run_list(user).get(pk=int(run_id))
    except (RankingRun.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def run_results(run):
    from .models import RankingResult

    return (RankingResult.objects.within(run.org_path).filter(run=run).select_related("org_unit", "plan")
            .order_by("rank", "org_path"))


def result_get_for_user(user, result_id):
    from .models import RankingResult

    try:
        r = RankingResult.objects.unscoped("fetched by key, authorised next").select_related("run", "org_unit").get(
            pk=int(result_id))
    except (RankingResult.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None
    if not (permissions.can_view(user, r.run.org_path) or permissions.can_view(user, r.org_path)):
        raise NotFoundError()
    return r


def plan_list(user, *, status: str = ""):
    from .models import RectificationPlan

    qs = RectificationPlan.objects.accessible_to(user, purpose=PURPOSE).select_related("org_unit", "owner",
                                                                                       "result__run")
    return qs.filter(status=status) if status else qs


def plan_get_for_user(user, plan_id):
    from .models import RectificationPlan

    try:
        return plan_list(user).get(pk=int(plan_id))
    except (RectificationPlan.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None


def showcase_list(user):
    from .models import Showcase

    return Showcase.objects.accessible_to(user, purpose=PURPOSE).select_related("org_unit", "leader").prefetch_related(
        "targets", "units")


def showcase_get_for_user(user, showcase_id):
    from .models import Showcase

    try:
        return showcase_list(user).get(pk=int(showcase_id))
    except (Showcase.DoesNotExist, TypeError, ValueError):
        raise NotFoundError() from None
