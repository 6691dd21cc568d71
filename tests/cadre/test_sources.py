"""Performance points from other modules' records: a report resolved on time or late, posted once each."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.cadre import services
from jiceng.cadre.models import PerformanceEntry


def _report(site, *, deadline, resolved_at):
    from jiceng.reports.models import Report, ReportCategory, ReportEvent

    d = site.district
    cat = ReportCategory.objects.get_or_create(site=d.street, code="env", defaults={"name": "环境卫生"})[0]
    r = Report.objects.create(site=d.street, category=cat, description="垃圾清运不及时", org_unit=d.comm_a,
                              org_path=d.comm_a.path, channel="web", token=f"t{resolved_at.timestamp()}",
                              created_at=resolved_at - dt.timedelta(days=1), updated_at=resolved_at, deadline=deadline,
                              status="resolved", resolved_at=resolved_at)
    ReportEvent.objects.create(report=r, at=resolved_at, actor=site.cadre_user, action="resolved")
    return r


def test_reports_resolved_on_time_and_late_post_once_each_to_the_resolving_cadre(site):
    now = timezone.now()
    on_time = _report(site, deadline=now, resolved_at=now - dt.timedelta(hours=2))
    late = _report(site, deadline=now - dt.timedelta(hours=3), resolved_at=now - dt.timedelta(hours=1))
    services.rules_update(actor=site.leader, site=site.district.street, report_late_points=2)
    assert services.points_collect(now=now)["reports"] == 2
    assert services.points_collect(now=now)["reports"] == 0  # posted once however often the job runs
    entries = {e.source_id: e.amount for e in PerformanceEntry.objects.filter(kind="report")}
    assert entries == {str(on_time.pk): 1, str(late.pk): -2}
    # Resolved by someone with no cadre record: nothing.
    from jiceng.reports.models import ReportEvent

    ReportEvent.objects.update(actor=site.leader2)
    assert services.points_collect(now=now + dt.timedelta(minutes=1))["reports"] == 0


def test_monitoring_visits_on_time_and_late_post_to_the_visitor(site, make_household):
    from jiceng.monitoring.models import MonitoringCase, Procedure, ScheduledVisit, Visit

    today = timezone.localdate()
    posted = []
    for i, late in enumerate((False, True)):
        h = make_household(site.district.grid_a1, head_name="张三丰李四"[i:i + 3])
        case = MonitoringCase.objects.create(household=h, org_path=h.org_path, procedure=Procedure.IDENTIFICATION)
        visit = Visit.objects.create(household=h, org_path=h.org_path, case=case, kind="assistance", visited_on=today,
                                     visitor=site.cadre_user, findings="走访正常")
        due = today + (dt.timedelta(days=-2) if late else dt.timedelta(days=3))
        posted.append(ScheduledVisit.objects.create(case=case, due_on=due, visit=visit, done_on=today))
    assert services.points_collect()["visits"] == 2
    assert services.points_collect()["visits"] == 0
    got = dict(PerformanceEntry.objects.filter(kind="monitoring").values_list("source_id", "amount"))
    assert got == {str(posted[0].pk): 1, str(posted[1].pk): -1}
