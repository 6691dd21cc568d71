"""Performance points from other modules' records (积分来源): a problem report resolved by a cadre on time or
after its deadline, a monitoring visit made on time or late. Read from those modules' records by a job and
posted once each (the idempotency key names the record), so a module never needs to know cadre work exists."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.people.models import Cadre

from ..models import PerformanceKind
from .performance import performance_post_once
from .rules import rules_for, site_of


def _cadres_by_user(user_ids) -> dict:
    return {c.user_id: c for c in Cadre.objects.unscoped("the job maps logins to their cadre records")
            .filter(user_id__in=[u for u in user_ids if u])}


def _rules(path: str, cache: dict):
    site = path.split(".")[0] + "."
    if site not in cache:
        cache[site] = rules_for(site_of(path))
    return cache[site]


def points_from_reports(*, since, now) -> int:
    """Each report resolved since ``since``: the cadre who resolved it gains on time, loses after the deadline."""
    from jiceng.reports.models import ReportEvent

    events = list(ReportEvent.objects.filter(action="resolved", at__gte=since, at__lt=now, actor__isnull=False)
                  .select_related("report"))
    cadres = _cadres_by_user({e.actor_id for e in events})
    cache: dict = {}
    posted = 0
    for e in events:
        cadre, report = cadres.get(e.actor_id), e.report
        if cadre is None or report.deadline is None:
            continue
        rules = _rules(cadre.org_path, cache)
        late = e.at > report.deadline
        amount = -rules.report_late_points if late else rules.report_on_time_points
        if amount and performance_post_once(
                cadre=cadre, year=timezone.localtime(e.at).year, amount=amount, kind=PerformanceKind.REPORT,
                reason=(_("诉求超期办结：%(t)s") if late else _("诉求按时办结：%(t)s")) % {"t": report.description[:40]},
                idempotency_key=f"report:{report.pk}", source_type="reports.report", source_id=report.pk,
                now=e.at)[1]:
            posted += 1
    return posted


def points_from_visits(*, since, now) -> int:
    """Each scheduled monitoring visit done since ``since``: the visitor gains on time, loses when late."""
    from jiceng.monitoring.models import ScheduledVisit

    done = list(ScheduledVisit.objects.filter(
        done_on__gte=timezone.localdate(since), visit__isnull=False).select_related("visit", "case__household"))
    cadres = _cadres_by_user({s.visit.visitor_id for s in done})
    cache: dict = {}
    posted = 0
    for s in done:
        cadre = cadres.get(s.visit.visitor_id)
        if cadre is None:
            continue
        rules = _rules(cadre.org_path, cache)
        late = s.done_on > s.due_on
        amount = -rules.visit_late_points if late else rules.visit_on_time_points
        at = timezone.make_aware(dt.datetime.combine(s.done_on, dt.time(12)))
        if amount and performance_post_once(
                cadre=cadre, year=s.done_on.year, amount=amount, kind=PerformanceKind.MONITORING,
                reason=(_("监测走访逾期：%(h)s") if late else _("监测走访按时：%(h)s")) % {"h": s.case.household.number},
                idempotency_key=f"visit:{s.pk}", source_type="monitoring.scheduled_visit", source_id=s.pk,
                now=min(at, now))[1]:
            posted += 1
    return posted


def points_collect(now=None, *, days: int = 3) -> dict:
    """The job: points from the last ``days`` days of reports and visits (a record posts once however often
    the job runs)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    return {"reports": points_from_reports(since=since, now=now), "visits": points_from_visits(since=since, now=now)}
