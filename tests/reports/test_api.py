"""Reports API: scoping, refused transitions that change nothing, the whole lifecycle through JSON."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.people.models import Resident
from jiceng.reports import services
from jiceng.reports.models import Channel, Report, ReportEvent, ReportStatus


def post(c, url, body=None, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return c.post(url, body or {}, content_type="application/json", **headers)


@pytest.fixture
def actors(district, make_user, make_household):
    hh = make_household(district.building_a1)
    hh_b = make_household(district.grid_b1)
    return {
        "resident": make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh)),
        "neighbour": make_user(Role.RESIDENT, district.grid_b1, resident=Resident.objects.get(household=hh_b)),
        "desk": make_user(Role.COMMUNITY_STAFF, district.comm_a),
        "desk_b": make_user(Role.COMMUNITY_STAFF, district.comm_b),
        "worker": make_user(Role.GRID_WORKER, district.grid_a1),
        "other_worker": make_user(Role.GRID_WORKER, district.grid_b1),
    }


def desk_report(actors, report_site, district, **kw):
    data = dict(actor=actors["desk"], channel=Channel.DESK, category_id=report_site.fire.pk,
                description="1栋楼道有人给电动车充电", org_unit=district.building_a1, reporter_name="王阿姨",
                reporter_phone="13900001111")
    data.update(kw)
    return services.report_submit(**data)


def test_full_lifecycle_through_the_api(actors, report_site, district, api_login):
    resident, desk, worker = api_login(actors["resident"]), api_login(actors["desk"]), api_login(actors["worker"])
    body = {"category_id": report_site.fire.pk, "description": "1栋消防通道被电动车堵死了",
            "org_unit_id": district.building_a1.pk, "address": "1栋东侧", "lat": 25.2123456, "long": 102.5}
    r = post(resident, "/api/reports", body, key="submit-1")
    assert r.status_code == 200, r.content
    rid = r.json()["id"]
    assert r.json()["status"] == "submitted" and r.json()["suggested_category_id"] == report_site.fire.pk
    assert (r.json()["lat"], r.json()["long"]) == (25.212346, 102.5)     # stored to the column's 6 places
    assert post(resident, "/api/reports", body, key="submit-1").status_code == 409   # a retry is not a second report
    assert Report.objects.count() == 1

    r = post(desk, f"/api/reports/{rid}/accept")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "assigned" and r.json()["handler_unit_id"] == district.grid_a1.pk
    assert r.json()["reporter_name"] == ""  # the resident reported it themselves; no name typed
    assert "start" in worker.get(f"/api/reports/{rid}").json()["actions"]
    assert post(worker, f"/api/reports/{rid}/start", {"note": "已到现场"}).json()["status"] == "in_progress"
    r = post(worker, f"/api/reports/{rid}/resolve", {"result": "已联系车主移走电动车"})
    assert r.status_code == 200 and r.json()["status"] == "resolved" and r.json()["result"] == "已联系车主移走电动车"
    detail = resident.get(f"/api/reports/{rid}").json()
    assert detail["actions"] == ["rate"]
    r = post(resident, f"/api/reports/{rid}/rate", {"rating": "satisfied"})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["rating"] == "satisfied"
    assert [e["action"] for e in r.json()["timeline"]] == ["submitted", "accepted", "assigned", "started", "resolved",
                                                          "rated"]
    assert Report.objects.get(pk=rid).status == ReportStatus.CLOSED


def test_submit_requires_an_idempotency_key_and_a_place_in_the_users_area(actors, report_site, district, api_login):
    c = api_login(actors["resident"])
    body = {"category_id": report_site.fire.pk, "description": "消防通道堵了", "org_unit_id": district.building_a1.pk}
    r = post(c, "/api/reports", body)
    assert r.status_code == 400 and r.json()["field"] == "Idempotency-Key"
    r = post(c, "/api/reports", {**body, "org_unit_id": district.grid_b1.pk}, key="k2")   # another community
    assert r.status_code == 404 and r.json()["field"] == "org_unit_id"
    r = post(c, "/api/reports", {**body, "description": "  "}, key="k3")
    assert r.status_code == 400 and r.json()["field"] == "description"
    assert Report.objects.count() == 0


def test_user_outside_the_unit_gets_404_and_does_not_see_it_in_the_list(actors, report_site, district, api_login):
    rep = desk_report(actors, report_site, district)
    for who in ("desk_b", "other_worker", "neighbour"):
        c = api_login(actors[who])
        assert c.get(f"/api/reports/{rep.pk}").status_code == 404, who
        r = post(c, f"/api/reports/{rep.pk}/accept")
        assert r.status_code == 404 and r.json()["code"] == "not_found", who
        assert rep.pk not in [x["id"] for x in c.get("/api/reports").json()["results"]], who
    rep.refresh_from_db()
    assert rep.status == ReportStatus.SUBMITTED
    assert api_login(actors["desk"]).get("/api/reports").json()["count"] == 1


def test_resident_lists_only_their_own_reports_and_never_sees_a_reporters_details(actors, report_site, district,
                                                                                  api_login):
    desk_report(actors, report_site, district)
    mine = services.report_submit(actor=actors["resident"], channel=Channel.RESIDENT, category_id=report_site.litter.pk,
                                  description="垃圾桶满了", org_unit=district.building_a1)
    data = api_login(actors["resident"]).get("/api/reports").json()
    assert [x["id"] for x in data["results"]] == [mine.pk] and data["count"] == 1
    assert "reporter_phone" not in data["results"][0]


def test_illegal_transition_is_refused_with_the_field_and_changes_nothing(actors, report_site, district, api_login):
    rep = services.report_accept(actor=actors["desk"], report=desk_report(actors, report_site, district))
    before = Report.objects.filter(pk=rep.pk).values().get()
    events = ReportEvent.objects.filter(report=rep).count()
    desk = api_login(actors["desk"])
    for action, body in (("accept", {}), ("reject", {"reason": "不属实"})):   # assigned: too late for either
        r = post(desk, f"/api/reports/{rep.pk}/{action}", body)
        assert r.status_code == 400, r.content
        assert r.json()["code"] == "bad_transition" and r.json()["field"] == "status"
    r = post(api_login(actors["resident"]), f"/api/reports/{rep.pk}/rate", {"rating": "satisfied"})
    assert r.status_code == 404          # not the resident's report (a desk report): not even visible
    r = post(api_login(actors["other_worker"]), f"/api/reports/{rep.pk}/start")
    assert r.status_code == 404
    r = post(desk, f"/api/reports/{rep.pk}/resolve", {"result": ""})
    assert r.status_code == 400 and r.json()["field"] == "result"
    assert Report.objects.filter(pk=rep.pk).values().get() == before
    assert ReportEvent.objects.filter(report=rep).count() == events


def test_refusals_name_the_field(actors, report_site, district, api_login):
    rep = desk_report(actors, report_site, district)
    desk = api_login(actors["desk"])
    r = post(desk, f"/api/reports/{rep.pk}/reject", {"reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = post(desk, f"/api/reports/{rep.pk}/accept", {"category_id": 999999})
    assert r.status_code == 400 and r.json()["field"] == "category"
    services.report_accept(actor=actors["desk"], report=rep)
    r = post(desk, f"/api/reports/{rep.pk}/assign", {"unit_id": district.grid_a2.pk})
    assert r.status_code == 400 and r.json()["field"] == "reason"     # a transfer needs a reason
    r = post(desk, f"/api/reports/{rep.pk}/assign", {"unit_id": district.grid_a2.pk, "reason": "属于二网格"})
    assert r.status_code == 200 and r.json()["handler_unit_id"] == district.grid_a2.pk
    r = post(api_login(actors["resident"]), f"/api/reports/{rep.pk}/rate", {"rating": "satisfied"})
    assert r.status_code == 404   # not the resident's report: not even visible


def test_reject_as_duplicate_merges_into_the_open_report(actors, report_site, district, api_login):
    first = services.report_accept(actor=actors["desk"], report=desk_report(actors, report_site, district))
    second = desk_report(actors, report_site, district)
    r = post(api_login(actors["desk"]), f"/api/reports/{second.pk}/reject", {"duplicate_of": first.pk})
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["merged_into_id"] == first.pk


def test_list_filters_and_pagination(actors, report_site, district, api_login):
    a = desk_report(actors, report_site, district)
    b = desk_report(actors, report_site, district, category_id=report_site.litter.pk, description="垃圾没人清运")
    c = desk_report(actors, report_site, district, org_unit=district.grid_a2)
    services.report_accept(actor=actors["desk"], report=a)
    Report.objects.filter(pk=a.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    services.deadlines_check()
    desk = api_login(actors["desk"])
    ids = lambda q: [x["id"] for x in desk.get("/api/reports" + q).json()["results"]]   # noqa: E731
    assert ids(f"?category_id={report_site.litter.pk}") == [b.pk]
    assert ids("?status=submitted") == [c.pk, b.pk]
    assert ids("?overdue=true") == [a.pk]
    assert desk.get("/api/reports?overdue=true").json()["results"][0]["overdue"] is True
    assert ids(f"?org_unit_id={district.grid_a2.pk}") == [c.pk]
    assert ids("?limit=2") == [c.pk, b.pk] and ids("?limit=2&offset=2") == [a.pk]
    assert desk.get("/api/reports?limit=2").json()["count"] == 3
    assert desk.get("/api/reports?status=nonsense").json()["field"] == "status"
    assert desk.get(f"/api/reports?org_unit_id={district.comm_b.pk}").status_code == 404


def test_staff_see_the_reporter_and_the_whole_timeline_residents_only_public_steps(actors, report_site, district,
                                                                                   api_login):
    rep = desk_report(actors, report_site, district)
    d = api_login(actors["desk"]).get(f"/api/reports/{rep.pk}").json()
    assert d["reporter_name"] == "王阿姨" and d["reporter_phone"] == "13900001111"
    assert d["actions"] == ["accept", "reject"]


def test_list_query_count_does_not_grow_with_rows(actors, report_site, district, api_login,
                                                  django_assert_max_num_queries):
    for i in range(5):
        desk_report(actors, report_site, district, description=f"楼道充电 {i}")
    desk = api_login(actors["desk"])
    with django_assert_max_num_queries(8):
        assert desk.get("/api/reports").json()["count"] == 5
