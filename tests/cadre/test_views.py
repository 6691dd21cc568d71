"""The cadre-work pages: the round from a new list to points, exports, and a form's errors shown by field."""
from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.cadre.models import Task, TaskList, TaskStatus
from tests.conftest import PASSWORD


def _client(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(buf, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buf.getvalue(), content_type="image/jpeg")


def test_from_a_new_list_to_points_on_the_pages(site, client):
    c = _client(client, site.leader)
    r = c.post("/cadre/lists/new/", {"title": "12月任务清单", "kind": "monthly", "month": str(timezone.localdate())})
    tl = TaskList.objects.unscoped("t").get()
    assert r.status_code == 302 and r.url == f"/cadre/lists/{tl.pk}/"
    page = c.get(f"/cadre/lists/{tl.pk}/").content.decode()
    assert "添加任务" in page and "下发清单" in page and "李村官" in page
    # A task without its owner: the error stands next to the field, nothing written.
    due = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = c.post(f"/cadre/lists/{tl.pk}/", {"title": "走访", "org_unit": site.district.comm_a.pk, "due_at": due,
                                          "evidence": "photo", "weight": 1})
    assert r.status_code == 200 and "请选择责任人" in r.content.decode() and not Task.objects.unscoped("t").exists()
    c.post(f"/cadre/lists/{tl.pk}/", {"title": "走访独居老人", "org_unit": site.district.comm_a.pk,
                                      "owner": site.cadre.pk, "due_at": due, "evidence": "photo", "weight": 1})
    task = Task.objects.unscoped("t").get()
    c.post(f"/cadre/lists/{tl.pk}/issue/")
    task.refresh_from_db()
    assert task.status == TaskStatus.ISSUED

    c = _client(client, site.cadre_user)
    assert "走访独居老人" in c.get("/cadre/mine/").content.decode()
    r = c.post(f"/cadre/tasks/{task.pk}/", {"action": "report", "is_final": "1", "text": "走访 12 户"})
    assert "照片" in r.content.decode() and task.reports.count() == 0
    r = c.post(f"/cadre/tasks/{task.pk}/", {"action": "report", "is_final": "1", "text": "走访 12 户", "photo": _jpeg()})
    assert r.status_code == 302
    assert c.post(f"/cadre/tasks/{task.pk}/grade/", {"grade": "done"}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED  # the owner's grade was refused

    c = _client(client, site.leader)
    page = c.get(f"/cadre/tasks/{task.pk}/").content.decode()
    assert "评定并记分" in page and "<img" in page
    report = task.reports.get()
    photo = c.get(f"/cadre/tasks/{task.pk}/reports/{report.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    c = _client(client, site.outsider)
    assert c.get(f"/cadre/tasks/{task.pk}/reports/{report.pk}/photo/").status_code == 404
    c = _client(client, site.leader)
    c.post(f"/cadre/tasks/{task.pk}/grade/", {"grade": "excellent", "note": "好"})
    task.refresh_from_db()
    assert task.status == TaskStatus.GRADED and task.points == 3

    c = _client(client, site.cadre_user)
    page = c.get(f"/cadre/points/{site.cadre.pk}/").content.decode()
    assert "103" in page and "申诉" in page
    points = c.get("/cadre/points/").content.decode()
    assert "李村官" in points


def test_exports_are_workbooks_and_recorded(site, issued_task, client):
    from openpyxl import load_workbook

    from jiceng.audit.models import AuditEntry

    c = _client(client, site.leader)
    r = c.get("/cadre/tasks/?format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(2, 2).value == "走访独居老人"
    r = c.get("/cadre/points/?format=xlsx")
    assert r.status_code == 200
    for url in ("/cadre/adjustments/", "/cadre/appeals/", "/cadre/plans/", "/cadre/showcases/"):
        r = c.get(url + "?format=xlsx")
        assert r["Content-Type"].startswith("application/vnd.openxmlformats"), url
        assert load_workbook(io.BytesIO(r.content)).active.cell(1, 1).value, url
    assert AuditEntry.objects.filter(action="cadre.tasks.exported").exists()


def test_another_communitys_staff_cannot_open_the_task(site, issued_task, client):
    c = _client(client, site.outsider)
    assert c.get(f"/cadre/tasks/{issued_task.pk}/").status_code == 404
    assert "走访独居老人" not in c.get("/cadre/tasks/").content.decode()


def test_ranking_plans_and_showcases_on_the_pages(site, client):
    from jiceng.cadre.models import PlanStatus, RankingResult, RankingRun, RankingScheme, RectificationPlan, Showcase

    c = _client(client, site.leader)
    page = c.get("/cadre/ranking/schemes/new/").content.decode()
    assert "任务按时完成率" in page and "权重" in page
    form = {"name": "季度排队", "level": "village", "advanced_count": 1, "lagging_count": 1,
            "label_0": "按时完成率", "numerator_0": "cadre.tasks_on_time", "denominator_0": "cadre.tasks_issued",
            "weight_0": 70, "label_1": "扣分", "numerator_1": "cadre.deductions", "weight_1": 20, "lower_1": "on"}
    r = c.post("/cadre/ranking/schemes/new/", form)
    assert "各项指标权重合计应为 100，现为 90" in r.content.decode() and not RankingScheme.objects.unscoped("t").exists()
    form["weight_1"] = 30
    assert c.post("/cadre/ranking/schemes/new/", form).status_code == 302
    scheme = RankingScheme.objects.unscoped("t").get()
    from jiceng.cadre import services

    services.performance_post(cadre=site.other_cadre, year=timezone.localdate().year, amount=-1, kind="manual",
                              reason="抽查", idempotency_key="x")
    r = c.post(f"/cadre/ranking/schemes/{scheme.pk}/run/", {"year": timezone.localdate().year, "quarter": ""})
    run = RankingRun.objects.unscoped("t").get()
    assert r.url == f"/cadre/ranking/runs/{run.pk}/"
    page = c.get(r.url).content.decode()
    assert "甲社区" in page and "乙社区" in page and "制定整改方案" in page
    lagging = RankingResult.objects.unscoped("t").get(run=run, band="lagging")
    due = str(timezone.localdate() + dt.timedelta(days=20))
    r = c.post(f"/cadre/plans/new/{lagging.pk}/", {"problems": "任务滞后", "owner": site.other_cadre.pk if
                                                   lagging.org_unit_id == site.district.comm_b.pk else site.cadre.pk,
                                                   "deadline": due, "m_text_0": "每周调度",
                                                   "m_owner_0": site.cadre.pk if lagging.org_unit_id == site.district.comm_a.pk
                                                   else site.other_cadre.pk, "m_deadline_0": due})
    plan = RectificationPlan.objects.unscoped("t").get()
    assert r.url == f"/cadre/plans/{plan.pk}/"
    c.post(f"/cadre/plans/{plan.pk}/close/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN
    assert "还没有跟踪督导记录" in c.get(f"/cadre/plans/{plan.pk}/").content.decode()
    r = c.post("/cadre/showcases/", {"name": "示范点", "kind": "point", "leader": site.cadre.pk, "template": "six",
                                     "units": [site.district.comm_a.pk]})
    s = Showcase.objects.unscoped("t").get()
    assert r.url == f"/cadre/showcases/{s.pk}/" and s.org_unit_id == site.district.comm_a.pk
    page = c.get(r.url).content.decode()
    assert "班子过硬" in page and "登记责任书" in page
    assert "排队抓尾" in c.get("/cadre/ranking/").content.decode()


def test_a_community_sees_the_streets_list_with_only_its_own_tasks(site, issued_task, make_user, client):
    from jiceng.accounts.models import Role
    from jiceng.cadre import services

    services.task_add(actor=site.leader, task_list=issued_task.task_list, title="乙社区的任务",
                      org_unit=site.district.comm_b, owner=site.other_cadre, due_at=issued_task.due_at)
    staff_a = make_user(Role.COMMUNITY_STAFF, site.district.comm_a, username="staff-a")
    c = _client(client, staff_a)
    assert issued_task.task_list.title in c.get("/cadre/").content.decode()
    page = c.get(f"/cadre/lists/{issued_task.task_list_id}/").content.decode()
    assert "走访独居老人" in page and "乙社区的任务" not in page and "添加任务" not in page


def test_a_report_is_escalated_to_a_task_from_the_page(site, client):
    from tests.cadre.test_sources import _report

    report = _report(site, deadline=timezone.now(), resolved_at=timezone.now())
    c = _client(client, site.leader)
    page = c.get(f"/cadre/tasks/escalate/?source_type=reports.report&source_id={report.pk}").content.decode()
    assert "转办并下发" in page
    due = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form = {"source_type": "reports.report", "source_id": 999999, "org_unit": site.district.comm_a.pk,
            "owner": site.cadre.pk, "due_at": due, "evidence": "text", "weight": 1}
    assert "找不到该问题诉求" in c.post("/cadre/tasks/escalate/", form).content.decode()
    form["source_id"] = report.pk
    r = c.post("/cadre/tasks/escalate/", form)
    task = Task.objects.unscoped("t").get(source_type="reports.report")
    assert r.url == f"/cadre/tasks/{task.pk}/" and task.status == TaskStatus.ISSUED
