"""The leadership API: a term and its team with the comparison, a selection from nomination to an award
refused inside the publicity, the lists and a refusal — scoped like the pages."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.leadership import services
from jiceng.leadership.models import Selection


def test_teams_selections_and_lists_through_the_api(site, api_login):
    leader, staff_b = api_login(site.leader), api_login(site.staff_b)
    d = site.district
    r = leader.post("/api/leadership/terms", {"org_unit_id": d.comm_a.pk, "number": 12, "elected_on": "2026-03-01"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    term_id = r.json()["id"]
    # Bad input: a term overlapping the last one, named; a member from another community, named.
    r = leader.post("/api/leadership/terms", {"org_unit_id": d.comm_a.pk, "number": 13, "elected_on": "2025-01-01"},
                    content_type="application/json")
    assert r.status_code == 400 and "elected_on" in r.json()["errors"]
    r = leader.post(f"/api/leadership/terms/{term_id}/members",
                    {"resident_id": site.people["外人"].pk, "party_post": "secretary", "education": "bachelor"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "resident"
    r = leader.post(f"/api/leadership/terms/{term_id}/members",
                    {"resident_id": site.people["赵敏"].pk, "party_post": "secretary", "committee_post": "director",
                     "education": "bachelor"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["age_at_election"] == 34
    r = leader.get(f"/api/leadership/terms/{term_id}/comparison")
    assert r.status_code == 200 and r.json()["now"]["under_35"] == 1 and r.json()["previous"] is None
    # Another community's staff does not see the term.
    assert staff_b.get(f"/api/leadership/terms/{term_id}/members").status_code == 404

    r = leader.post("/api/leadership/selections", {"org_unit_id": d.street.pk, "title": "红旗党支部", "kind": "branch",
                                                   "year": 2026, "publicity_days": 5}, content_type="application/json")
    assert r.status_code == 200
    sel_id = r.json()["id"]
    r = leader.post(f"/api/leadership/selections/{sel_id}/nominations",
                    {"nominee_unit_id": d.grid_a1.pk, "deeds": "组织有力"}, content_type="application/json")
    assert r.status_code == 200
    nom_id = r.json()["id"]
    r = leader.post(f"/api/leadership/selections/{sel_id}/nominations/{nom_id}/review", {"approve": True},
                    content_type="application/json")
    assert r.json()["status"] == "approved"
    assert leader.post(f"/api/leadership/selections/{sel_id}/publicity").json()["status"] == "publicity"
    r = leader.post(f"/api/leadership/selections/{sel_id}/award")
    assert r.status_code == 400 and r.json()["code"] == "publicity_running"
    Selection.objects.unscoped("test").filter(pk=sel_id).update(
        publicity_ends_at=timezone.now() - dt.timedelta(minutes=1))
    assert leader.post(f"/api/leadership/selections/{sel_id}/award").json()["status"] == "awarded"
    assert leader.get(f"/api/leadership/selections/{sel_id}/nominations").json()[0]["status"] == "awarded"

    draft = services.duty_list_draft(actor=site.leader, org_unit=d.street, kind="negative")
    services.duty_item_save(actor=site.leader, duty_list=draft, code="N-01", name="不得要求村（社区）开展招商引资",
                            keywords="招商引资")
    services.duty_list_approve(actor=site.leader2, duty_list=draft)
    r = leader.get("/api/leadership/duty-lists?status=in_force")
    assert [i["code"] for i in r.json()[0]["items"]] == ["N-01"]
    item_id = r.json()[0]["items"][0]["id"]
    r = leader.post("/api/leadership/push-down-approvals",
                    {"item_id": item_id, "org_unit_id": d.comm_a.pk, "subject": "招商线索收集", "reason": "专项部署",
                     "valid_until": str(timezone.localdate() - dt.timedelta(days=1))}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "valid_until"
    assert leader.get("/api/leadership/push-down-refusals").json() == []


def test_cadre_records_through_the_api(site, api_login):
    from jiceng.cadre.models import PerformanceEntry
    from jiceng.people.models import Cadre

    d = site.district
    leader, staff_b = api_login(site.leader), api_login(site.staff_b)
    mk = {n: Cadre.objects.create(name=n, gender="M", post=p, org_unit=u, org_path=u.path)
          for n, p, u in [("周后备", "委员", d.comm_a), ("赵领导", "副书记", d.street), ("钱书记", "第一书记", d.comm_a)]}
    r = leader.post("/api/leadership/reserves", {"cadre_id": mk["周后备"].pk, "org_unit_id": d.comm_a.pk,
                                                 "mentor_leader_id": mk["周后备"].pk,
                                                 "mentor_secretary_id": mk["钱书记"].pk, "since": "2026-05-01"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["errors"]["mentor_leader"] == ["导师不能是后备干部本人"]
    r = leader.post("/api/leadership/trainings", {"org_unit_id": d.street.pk, "title": "双提升培训",
                                                  "starts_on": "2026-09-01", "ends_on": "2026-09-02",
                                                  "points_attended": 3, "points_absent": 1,
                                                  "cadre_ids": [mk["周后备"].pk, mk["钱书记"].pk]},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    r = leader.post(f"/api/leadership/trainings/{r.json()['id']}/close", {"attended_ids": [mk["钱书记"].pk]},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["closed_at"]
    assert sorted(PerformanceEntry.objects.unscoped("test").filter(kind="training").values_list("amount", flat=True)) \
        == [-1, 3]
    r = leader.post("/api/leadership/loans", {"cadre_id": mk["周后备"].pk, "org_unit_id": d.comm_a.pk,
                                              "to_office": "县农业农村局", "reason": "抽调", "left_on": "2026-04-01"},
                    content_type="application/json")
    loan_id = r.json()["id"]
    r = leader.post(f"/api/leadership/loans/{loan_id}/return", {"returned_on": "2026-03-31"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "returned_on"
    assert staff_b.get("/api/leadership/loans").json() == []
    today = timezone.localdate()
    r = leader.post("/api/leadership/inspections", {
        "org_unit_id": d.comm_a.pk, "topic": "减负落实", "on": str(today - dt.timedelta(days=20)), "inspectors": "督查室",
        "findings": [{"text": "报表重复", "deadline": str(today - dt.timedelta(days=5))}]},
        content_type="application/json")
    assert r.status_code == 200
    finding_id = r.json()["findings"][0]["id"]
    assert [i["id"] for i in leader.get("/api/leadership/inspections?uncirculated=true").json()] == [r.json()["id"]]
    r = leader.post("/api/leadership/circulars", {"org_unit_id": d.street.pk, "number": "街督〔2026〕1号",
                                                  "issued_on": str(today), "text": "通报", "finding_ids": [finding_id]},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    assert leader.get("/api/leadership/inspections?uncirculated=true").json() == []


def test_a_commendation_thanks_a_cadre_of_the_unit(site, api_login):
    from jiceng.people.models import Cadre

    d = site.district
    mine = Cadre.objects.create(name="李网格", gender="M", post="网格员", org_unit=d.grid_a1, org_path=d.grid_a1.path)
    other = Cadre.objects.create(name="吴干部", gender="M", post="干部", org_unit=d.comm_b, org_path=d.comm_b.path)
    staff = api_login(site.staff_a)
    body = {"org_unit_id": d.comm_a.pk, "kind": "banner", "giver": "张大爷", "text": "为民解忧",
            "received_on": "2026-11-02", "errand": "楼道漏水"}
    r = staff.post("/api/leadership/commendations", {**body, "cadre_id": other.pk}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "cadre_id"
    r = staff.post("/api/leadership/commendations", {**body, "cadre_id": mine.pk}, content_type="application/json")
    assert r.status_code == 200 and r.json()["cadre_id"] == mine.pk
