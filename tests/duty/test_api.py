"""The duty API: a roster, a check-in with today's code (yesterday's refused), a visitor with an idempotency key,
attendance — scoped like the pages."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.duty import services
from jiceng.duty.models import Visitor
from jiceng.reports.models import Dispute


def test_the_round_through_the_api(site, api_login):
    leader, cadre, staff = api_login(site.leader), api_login(site.cadre_user), api_login(site.staff_a)
    now = timezone.now()
    body = {"cadre_id": site.cadre.pk, "starts_at": (now - dt.timedelta(minutes=5)).isoformat(),
            "ends_at": (now + dt.timedelta(hours=2)).isoformat()}
    r = leader.post(f"/api/duty/desks/{site.desk.pk}/shifts", body, content_type="application/json")
    assert r.status_code == 200, r.content
    shift_id = r.json()["id"]
    r = leader.post(f"/api/duty/desks/{site.desk.pk}/shifts", body, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "starts_at"
    code = leader.get(f"/api/duty/desks/{site.desk.pk}/code").json()["code"]
    assert code == services.day_code(site.desk, timezone.localdate())
    assert cadre.get(f"/api/duty/desks/{site.desk.pk}/code").status_code == 404
    yesterday = services.day_code(site.desk, timezone.localdate() - dt.timedelta(days=1))
    r = cadre.post("/api/duty/checkin", {"desk_id": site.desk.pk, "code": yesterday}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "code"
    r = cadre.post("/api/duty/checkin", {"desk_id": site.desk.pk, "code": code, "lat": 24.95, "lng": 102.83},
                   content_type="application/json")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"location"}
    r = cadre.post("/api/duty/checkin", {"desk_id": site.desk.pk, "code": code, "lat": 24.8801, "lng": 102.8301},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "on_duty" and r.json()["id"] == shift_id
    assert [s["id"] for s in cadre.get("/api/duty/shifts?mine=true").json()] == [shift_id]
    # A visitor: bad input by field; then recorded once per idempotency key, the dispute with it.
    r = staff.post(f"/api/duty/desks/{site.desk.pk}/visitors", {"kind": "dispute", "name": "张大爷", "purpose": "纠纷",
                                                               "dispute_kind": "neighbour"},
                   content_type="application/json", HTTP_IDEMPOTENCY_KEY="v0")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"parties"}
    body = {"kind": "dispute", "name": "张大爷", "phone": "13811112222", "purpose": "滴水纠纷", "dispute_kind": "neighbour",
            "parties": "张某与李某"}
    r = staff.post(f"/api/duty/desks/{site.desk.pk}/visitors", body, content_type="application/json",
                   HTTP_IDEMPOTENCY_KEY="v1")
    assert r.status_code == 200, r.content
    assert r.json()["dispute_id"] == Dispute.objects.unscoped("t").get().pk
    again = staff.post(f"/api/duty/desks/{site.desk.pk}/visitors", body, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY="v1")
    assert again.status_code == 409 and Visitor.objects.unscoped("t").count() == 1
    listed = cadre.get("/api/duty/visitors").json()
    assert [v["phone"] for v in listed] == ["138****2222"]
    assert staff.get("/api/duty/visitors").json()[0]["phone"] == "13811112222"
    r = cadre.post("/api/duty/checkout", {"desk_id": site.desk.pk, "code": code}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["points"] == 1
    rows = leader.get("/api/duty/attendance?by=person").json()
    assert {"name": "李村官", "unit": "甲社区", "shifts": 1, "kept": 1, "late": 0, "missed": 0, "rate": 100} in rows


def test_scope_another_community_sees_no_desk_and_no_shift(site, shift, api_login):
    outsider = api_login(site.outsider)
    assert outsider.get(f"/api/duty/desks/{site.desk.pk}").status_code == 404
    assert [d["id"] for d in outsider.get("/api/duty/desks").json()] == [site.desk_b.pk]
    assert outsider.get("/api/duty/shifts").json() == []
    r = outsider.post("/api/duty/checkin", {"desk_id": site.desk.pk, "code": "123456"}, content_type="application/json")
    assert r.status_code == 404
    assert outsider.delete(f"/api/duty/shifts/{shift.pk}").status_code == 404
    assert api_login(site.leader).delete(f"/api/duty/shifts/{shift.pk}").status_code == 204
