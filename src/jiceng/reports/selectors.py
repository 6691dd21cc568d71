"""Reads of reports shared by pages and the API, scoped to the user."""
from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.accounts.scope import _assignments, scope_for
from jiceng.core.filters import filter_by
from jiceng.core.scope import FILTERED_BELOW

from .models import OPEN_STATUSES, Report, ReportCategory, ReportStatus, RoutingRule
from . import permissions
from .permissions import DESK_ROLES, HANDLER_ROLES

BASE = ("category", "org_unit", "handler_unit", "handler_partner", "reporter_household")
# The list's filters, for the desk's and supervisors' list and for a resident's own reports alike.
REPORT_FILTERS = {
    "status": lambda s: Q(status__in=OPEN_STATUSES) if s == "open" else Q(status=s),
    "overdue": Q(overdue_at__isnull=False, status__in=[ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS]),
    "category_id": "category_id",
    "org_path": "org_path__startswith",
}


def report_list(*, user, status: str = "", overdue: bool = False, category_id=None, org_path: str = ""):
    """Reports at places in the user's scope (the desk's queue and the supervisors' view)."""
    scope = scope_for(user, purpose="view")
    qs = Report.objects.unscoped(FILTERED_BELOW).select_related(*BASE)
    if not scope.everything:
        if not scope.paths:
            return qs.none()
        qs = qs.filter(reduce(or_, (Q(org_path__startswith=p) for p in scope.paths)))
    qs = filter_by(qs, REPORT_FILTERS, status=status, overdue=overdue, category_id=category_id, org_path=org_path)
    return qs.order_by("-created_at", "-id")


def my_tasks(*, user):
    """Reports this user handles: handed to their unit (or below it, for supervisors), or to their partner."""
    if getattr(user, "is_superuser", False):
        return (Report.objects.unscoped("a system administrator handles everywhere")
                .filter(status__in=[ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS]).select_related(*BASE))
    units = [a.org_unit for a in _assignments(user) if a.role in HANDLER_ROLES]
    partner_paths = [a.org_unit.path for a in _assignments(user) if a.role == Role.PARTNER_HANDLER]
    q = Q(pk__in=[])
    for u in units:
        q |= Q(handler_unit__path__startswith=u.path)
    for p in partner_paths:
        q |= Q(handler_partner__isnull=False, org_path__startswith=p)
    return (Report.objects.unscoped(FILTERED_BELOW).filter(q, status__in=[ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS])
            .select_related(*BASE).order_by("deadline", "id"))


def desk_queue(*, user):
    scope_roles = [a.org_unit.path for a in _assignments(user) if a.role in DESK_ROLES]
    qs = (Report.objects.unscoped(FILTERED_BELOW).filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
          .select_related(*BASE))
    if getattr(user, "is_superuser", False):
        return qs.order_by("created_at")
    if not scope_roles:
        return qs.none()
    return qs.filter(reduce(or_, (Q(org_path__startswith=p) for p in scope_roles))).order_by("created_at")


def my_reports(*, user):
    return Report.objects.unscoped("the user's own reports").filter(reporter=user).select_related(*BASE).order_by("-created_at")


def my_reports_filtered(*, user, status: str = "", overdue: bool = False, category_id=None):
    """The reports this user made, with the list's filters (a resident's view of the list)."""
    qs = filter_by(my_reports(user=user), REPORT_FILTERS, status=status, overdue=overdue, category_id=category_id)
    return qs.order_by("-created_at", "-id")


def report_place_get_for_user(user, unit_id):
    """A place where this user may say a problem is: a unit in their scope (staff), or a unit in the
    community of their household (residents); else one not-found error for both cases."""
    from jiceng.core.errors import NotFoundError
    from jiceng.orgs.models import OrgUnit
    from jiceng.orgs.selectors import org_unit_get_for_user

    if getattr(user, "resident_id", None) and user.resident.household_id and not (
            permissions.is_desk(user) or permissions.is_handler(user)):
        home = user.resident.household.org_unit
        unit = OrgUnit.objects.filter(pk=unit_id, path__startswith=home.path[: 2 * 6]).first()
        if unit is None:
            raise NotFoundError(field="org_unit_id")
        return unit
    try:
        return org_unit_get_for_user(user, unit_id)
    except NotFoundError:
        raise NotFoundError(field="org_unit_id") from None


def same_text_recently(*, user, description: str, reporter_name: str = "", minutes: int = 10):
    """The user's own report with the same text filed in the last ``minutes`` (a resident's, or one the desk
    recorded for the same reporter): asked about before a second copy is filed."""
    since = timezone.now() - dt.timedelta(minutes=minutes)
    mine = Q(reporter=user) | Q(recorded_by=user, reporter_name=reporter_name.strip()[:50])
    return (Report.objects.unscoped("the user's own reports").filter(mine, created_at__gte=since,
                                                                      description=description.strip())
            .order_by("-created_at").first())


def inbox(*, user, limit: int = 20, reports_only: bool = False):
    """The user's messages from the shared outbox (on the reports page, only those about reports: other
    modules' reminders belong to the worker's to-do list on the home page)."""
    from jiceng.notices.selectors import inbox as outbox_inbox

    return outbox_inbox(user=user, limit=limit, subject_prefix="reports." if reports_only else "")


def public_board(unit, *, limit: int = 50):
    """Recent reports at a community: category, status, age, the handler's reply; no personal details."""
    return (Report.objects.within(unit.path).filter(merged_into__isnull=True)
            .exclude(status=ReportStatus.SUBMITTED).select_related("category", "org_unit", "handler_unit",
                                                                   "handler_partner")
            .order_by("-created_at")[:limit])


BOARD_SUMMARY_DAYS = 30


def public_board_summary(unit, *, days: int = BOARD_SUMMARY_DAYS, now=None) -> dict:
    """The board's figures for the last ``days`` days at a unit: reports received, handled (resolved or
    closed) and handled within their time limit — the same counts as the figures page."""
    from django.db.models import Count, F, Q

    from .figures import DONE

    now = now or timezone.now()
    row = (Report.objects.within(unit.path).filter(created_at__gte=now - dt.timedelta(days=days),
                                                   created_at__lte=now, merged_into__isnull=True)
           .aggregate(received=Count("id"), handled=Count("id", filter=Q(status__in=DONE)),
                      on_time=Count("id", filter=Q(status__in=DONE, resolved_at__lte=F("deadline")))))
    return {"days": days, **row}


def days_ago(moment, *, now=None) -> int:
    """Calendar days between a moment and today, in local time (0 = today, 1 = yesterday)."""
    now = now or timezone.now()
    return (timezone.localdate(now) - timezone.localdate(moment)).days


def age_days(report) -> int:
    return (timezone.now() - report.created_at).days


# ----------------------------------------------------------------------------- set-up (办理设置)

def setup_site_for_user(user):
    """The site (street) whose set-up this user may open; not found for anyone else."""
    from jiceng.core.errors import NotFoundError
    from jiceng.orgs.selectors import org_roots_for_user

    from .services import site_of

    if not permissions.can_open_setup(user):
        raise NotFoundError()
    root = org_roots_for_user(user).first()
    if root is None:
        raise NotFoundError()
    return site_of(root)


def categories_of(site):
    return ReportCategory.objects.filter(site=site).select_related("parent").order_by("order", "id")


def category_get_for_user(user, site, category_id):
    from jiceng.core.errors import NotFoundError

    cat = ReportCategory.objects.filter(site=site, pk=category_id).select_related("site").first()
    if cat is None or not permissions.can_manage_categories(user, site):
        raise NotFoundError()
    return cat


def routing_rules_for_user(user, site):
    """The site's routing rules this user may manage (street admins: all; community staff: theirs)."""
    qs = (RoutingRule.objects.filter(site=site)
          .select_related("category", "org_unit", "handler_unit", "handler_partner").order_by("org_path", "id"))
    if getattr(user, "is_superuser", False):
        return qs
    paths = [a.org_unit.path for a in _assignments(user) if a.role in DESK_ROLES]
    if not paths:
        return qs.none()
    return qs.filter(reduce(or_, (Q(org_path__startswith=p) for p in paths)))


def routing_rule_get_for_user(user, site, rule_id):
    from jiceng.core.errors import NotFoundError

    rule = routing_rules_for_user(user, site).filter(pk=rule_id).first()
    if rule is None:
        raise NotFoundError()
    return rule
