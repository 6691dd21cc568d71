"""Monitoring API: assistance measures (帮扶措施) read and written, risk elimination and the responsible cadre,
scoped like the household page."""
from __future__ import annotations

from django.utils import timezone

from jiceng.audit.models import AuditEntry
from jiceng.monitoring.models import AssistanceMeasure, CaseStatus

from .test_cases import enrol


def test_measures_are_listed_added_and_their_result_written(mon, api_login):
    case = enrol(mon)
    c = api_login(mon.grid_worker)
    assert c.get(f"/api/monitoring/cases/{case.pk}/measures").json() == []
    today = timezone.localdate().isoformat()
    r = c.post(f"/api/monitoring/cases/{case.pk}/measures",
               {"kind": "employment", "description": "推荐到工业园区就业", "started_on": today, "amount": "1200.5"},
               content_type="application/json")
    assert r.status_code == 200, r.content
    m = r.json()
    assert (m["kind"], m["kind_label"], m["amount"], m["started_on"], m["result"]) == (
        "employment", "就业帮扶", "1200.50", today, "")
    r = c.post(f"/api/monitoring/cases/{case.pk}/measures/{m['id']}/result", {"result": "已上岗，月收入3500元"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["result"] == "已上岗，月收入3500元"
    listed = c.get(f"/api/monitoring/cases/{case.pk}/measures").json()
    assert [(x["id"], x["result"]) for x in listed] == [(m["id"], "已上岗，月收入3500元")]
    assert AuditEntry.objects.filter(action__in=["monitoring.measure.added", "monitoring.measure.updated"]).count() == 2


def test_a_bad_measure_is_refused_naming_the_field_and_nothing_is_written(mon, api_login):
    case = enrol(mon)
    c = api_login(mon.grid_worker)
    r = c.post(f"/api/monitoring/cases/{case.pk}/measures",
               {"kind": "employment", "description": "补贴", "started_on": timezone.localdate().isoformat(),
                "amount": "-5"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "amount"
    r = c.post(f"/api/monitoring/cases/{case.pk}/measures",
               {"kind": "lottery", "description": "补贴", "started_on": timezone.localdate().isoformat()},
               content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "kind"
    assert not AssistanceMeasure.objects.exists()


def test_measures_of_another_unit_or_case_are_not_found(mon, api_login, make_household):
    case = enrol(mon)
    m = AssistanceMeasure.objects.create(case=case, kind="health", description="医疗救助",
                                         started_on=timezone.localdate(), created_by=mon.grid_worker)
    outsider = api_login(mon.outsider)
    assert outsider.get(f"/api/monitoring/cases/{case.pk}/measures").status_code == 404
    r = outsider.post(f"/api/monitoring/cases/{case.pk}/measures/{m.pk}/result", {"result": "x"},
                      content_type="application/json")
    assert r.status_code == 404
    r = api_login(mon.grid_worker).post(f"/api/monitoring/cases/{case.pk}/measures/{m.pk + 1000}/result",
                                        {"result": "x"}, content_type="application/json")
    assert r.status_code == 404
    m.refresh_from_db()
    assert m.result == ""


def test_responsible_cadre_is_named_through_the_api(mon, api_login):
    case = enrol(mon)
    r = api_login(mon.grid_worker).post(f"/api/monitoring/cases/{case.pk}/responsible",
                                        {"user_id": mon.grid_worker.pk}, content_type="application/json")
    assert r.status_code == 403
    c = api_login(mon.community)
    r = c.post(f"/api/monitoring/cases/{case.pk}/responsible", {"user_id": mon.outsider.pk},
               content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "responsible"
    r = c.post(f"/api/monitoring/cases/{case.pk}/responsible", {"user_id": mon.grid_worker.pk},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["responsible"] == str(mon.grid_worker)


def test_elimination_proposed_too_early_is_refused_through_the_api_and_the_case_is_unchanged(mon, api_login):
    from jiceng.monitoring.services import profile_save

    from .conftest import healthy_values

    profile_save(actor=mon.grid_worker, household=mon.household, year=mon.year, values=healthy_values())
    case = enrol(mon)
    r = api_login(mon.grid_worker).post(f"/api/monitoring/cases/{case.pk}/eliminate", {"note": "入户核实"},
                                        content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "conditions"
    case.refresh_from_db()
    assert case.status == CaseStatus.MONITORED and case.procedure == "identification"
    assert api_login(mon.outsider).post(f"/api/monitoring/cases/{case.pk}/eliminate", {},
                                        content_type="application/json").status_code == 404
