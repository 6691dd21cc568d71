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
    assert AuditEntry.objects.filter(action="cadre.tasks.exported").exists()


def test_another_communitys_staff_cannot_open_the_task(site, issued_task, client):
    c = _client(client, site.outsider)
    assert c.get(f"/cadre/tasks/{issued_task.pk}/").status_code == 404
    assert "走访独居老人" not in c.get("/cadre/tasks/").content.decode()
