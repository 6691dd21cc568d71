"""The cadre-work API: a list issued, a report with a photo, the grade with an idempotency key, points and
appeals — scoped like the pages."""
from __future__ import annotations

import base64
import datetime as dt
import io

from django.utils import timezone

from jiceng.cadre.models import PerformanceEntry


def _png() -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def test_the_whole_round_through_the_api(site, api_login):
    leader, cadre = api_login(site.leader), api_login(site.cadre_user)
    r = leader.post("/api/cadre/lists", {"title": "12月任务清单", "month": str(timezone.localdate())},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    list_id = r.json()["id"]
    # Bad input: no owner, no due moment — both fields named, nothing written.
    r = leader.post(f"/api/cadre/lists/{list_id}/tasks", {"title": "走访", "org_unit_id": site.district.comm_a.pk},
                    content_type="application/json")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"owner", "due_at"}
    due = (timezone.now() + dt.timedelta(days=2)).isoformat()
    r = leader.post(f"/api/cadre/lists/{list_id}/tasks", {
        "title": "走访独居老人", "org_unit_id": site.district.comm_a.pk, "owner_id": site.cadre.pk, "due_at": due,
        "evidence": "photo", "weight": 1}, content_type="application/json")
    assert r.status_code == 200, r.content
    task_id = r.json()["id"]
    # A draft's task is not the owner's to see until the list is issued.
    assert cadre.get(f"/api/cadre/tasks/{task_id}").status_code == 404
    assert leader.post(f"/api/cadre/lists/{list_id}/issue").json()["status"] == "issued"
    assert [t["id"] for t in cadre.get("/api/cadre/tasks?mine=true").json()] == [task_id]
    # Evidence required: a photo.
    r = cadre.post(f"/api/cadre/tasks/{task_id}/reports", {"text": "完成"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "photo"
    r = cadre.post(f"/api/cadre/tasks/{task_id}/reports", {"text": "完成", "photo_base64": _png()},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["photo_url"]
    # The owner cannot grade; the leader grades with an idempotency key, once.
    assert cadre.post(f"/api/cadre/tasks/{task_id}/grade", {"grade": "done"}, content_type="application/json",
                      HTTP_IDEMPOTENCY_KEY="g1").status_code in (403, 404)
    r = leader.post(f"/api/cadre/tasks/{task_id}/grade", {"grade": "done"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_required"
    r = leader.post(f"/api/cadre/tasks/{task_id}/grade", {"grade": "done"}, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="g1")
    assert r.status_code == 200 and r.json()["points"] == 2 and r.json()["timeliness"] == "on_time"
    again = leader.post(f"/api/cadre/tasks/{task_id}/grade", {"grade": "done"}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="g1")
    assert again.status_code == 409
    assert PerformanceEntry.objects.unscoped("t").filter(kind="task").count() == 1
    # Points: the cadre sees their own; the leader sees the year's standing.
    points = leader.get("/api/cadre/points").json()
    assert {"cadre_id": site.cadre.pk, "cadre_name": "李村官", "year": timezone.localdate().year, "balance": 102} in points
    entries = cadre.get(f"/api/cadre/points/{site.cadre.pk}/entries").json()
    graded = next(e for e in entries if e["kind"] == "task")
    r = cadre.post(f"/api/cadre/entries/{graded['id']}/appeal", {"reason": "应评优秀"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "entry"  # only a deduction is appealed
    from jiceng.cadre import services

    deduction = services.performance_post(cadre=site.cadre, year=timezone.localdate().year, amount=-2, kind="manual",
                                          reason="抽查", idempotency_key="spot")
    r = cadre.post(f"/api/cadre/entries/{deduction.pk}/appeal", {"reason": "已整改"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "pending"
    r = leader.post(f"/api/cadre/appeals/{r.json()['id']}/decision", {"approve": False, "note": "维持"},
                    content_type="application/json", HTTP_IDEMPOTENCY_KEY="a1")
    assert r.status_code == 200 and r.json()["status"] == "dismissed"


def test_the_second_approver_through_the_api(site, api_login):
    leader, leader2 = api_login(site.leader), api_login(site.leader2)
    r = leader.post("/api/cadre/adjustments", {"cadre_id": site.cadre.pk, "amount": 5, "reason": "获锦旗"},
                    content_type="application/json")
    adj = r.json()["id"]
    r = leader.post(f"/api/cadre/adjustments/{adj}/decision", {"approve": True}, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="d1")
    assert r.status_code == 400 and r.json()["code"] == "same_person"
    r = leader2.post(f"/api/cadre/adjustments/{adj}/decision", {"approve": True}, content_type="application/json",
                     HTTP_IDEMPOTENCY_KEY="d2")
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["entry_id"]


def test_scope_another_community_sees_no_tasks_and_no_points(site, issued_task, api_login):
    outsider = api_login(site.outsider)
    assert outsider.get(f"/api/cadre/tasks/{issued_task.pk}").status_code == 404
    assert outsider.get("/api/cadre/tasks").json() == []
    assert outsider.get(f"/api/cadre/points/{site.cadre.pk}/entries").status_code == 404
    assert api_login(site.cadre_user).get(f"/api/cadre/tasks/{issued_task.pk}").status_code == 200


def test_ranking_plans_and_showcases_through_the_api(site, api_login):
    from jiceng.cadre import services

    leader = api_login(site.leader)
    services.performance_post(cadre=site.other_cadre, year=timezone.localdate().year, amount=-1, kind="manual",
                              reason="抽查", idempotency_key="x")
    bad = {"name": "方案", "level": "village", "advanced_count": 1, "lagging_count": 1, "indicators": [
        {"label": "扣分", "numerator": "cadre.deductions", "weight": 90, "lower_is_better": True}]}
    r = leader.post("/api/cadre/ranking/schemes", bad, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "weight"
    bad["indicators"][0]["weight"] = 100
    scheme = leader.post("/api/cadre/ranking/schemes", bad, content_type="application/json").json()
    run = leader.post(f"/api/cadre/ranking/schemes/{scheme['id']}/runs", {"year": timezone.localdate().year},
                      content_type="application/json").json()
    bands = {r["org_unit_name"]: r["band"] for r in run["results"]}
    assert bands == {"甲社区": "advanced", "乙社区": "lagging"}
    lagging = next(r for r in run["results"] if r["band"] == "lagging")
    due = str(timezone.localdate() + dt.timedelta(days=10))
    plan = leader.post(f"/api/cadre/ranking/results/{lagging['id']}/plan", {
        "problems": "扣分多", "owner_id": site.other_cadre.pk, "deadline": due,
        "measures": [{"text": "整改", "owner_id": site.other_cadre.pk, "deadline": due}]},
        content_type="application/json").json()
    r = leader.post(f"/api/cadre/plans/{plan['id']}/close")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"measures", "follow_ups"}
    leader.post(f"/api/cadre/plans/{plan['id']}/measures/{plan['measures'][0]['id']}/complete", {"evidence": "已整改"},
                content_type="application/json")
    leader.post(f"/api/cadre/plans/{plan['id']}/follow-ups", {"note": "已督导"}, content_type="application/json")
    assert leader.post(f"/api/cadre/plans/{plan['id']}/close").json()["status"] == "closed"
    s = leader.post("/api/cadre/showcases", {"name": "示范点", "kind": "point", "org_unit_id": site.district.comm_a.pk,
                                             "leader_id": site.cadre.pk, "template": "six"},
                    content_type="application/json").json()
    assert len(s["targets"]) == 6
    r = leader.post(f"/api/cadre/showcases/{s['id']}/assessment", {"score": 90, "note": "好", "outcome": "titled"},
                    content_type="application/json")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"outcome", "reward"}
    assert api_login(site.outsider).get(f"/api/cadre/ranking/runs/{run['id']}").status_code == 404
