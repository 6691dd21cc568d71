"""The monitoring API: scoped like the pages, every read of an economic record logged, refusals name the field."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.audit.models import AuditEntry
from jiceng.monitoring.models import EconomicProfile, MonitoringCase, RiskSignal


def test_profile_put_and_get_with_logging(mon, api_login):
    c = api_login(mon.grid_worker)
    body = {"member_count": 3, "wage_income": "12000", "operating_income": "0", "housing_grade": "A",
            "safe_water": True, "members": [{"resident_id": mon.spouse.pk, "medical_insured": False}]}
    r = c.put(f"/api/monitoring/households/{mon.household.pk}/profile/{mon.year}", body, content_type="application/json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["income_per_head"] == "4000.00" and data["income_line"] == "6000.00"
    assert data["guarantees"]["基本医疗"] is False
    rules = set(RiskSignal.objects.filter(household=mon.household, status="open").values_list("rule_code", flat=True))
    assert rules == {"income_below_line", "no_medical_insurance"}
    before = AuditEntry.objects.filter(action="monitoring.profile.viewed").count()
    r = c.get(f"/api/monitoring/households/{mon.household.pk}/profile")
    assert r.status_code == 200 and r.json()["year"] == mon.year
    assert AuditEntry.objects.filter(action="monitoring.profile.viewed").count() == before + 1
    r = c.put(f"/api/monitoring/households/{mon.household.pk}/profile/{mon.year}", {"wage_income": "-1"},
              content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "wage_income"
    assert EconomicProfile.objects.get(household=mon.household).wage_income == 12000


def test_outsiders_and_other_roles_get_404(mon, make_user, api_login):
    from jiceng.accounts.models import Role

    for user in (mon.outsider, make_user(Role.AUDITOR, mon.district.street)):
        c = api_login(user)
        assert c.get(f"/api/monitoring/households/{mon.household.pk}/profile").status_code == 404
        r = c.post(f"/api/monitoring/households/{mon.household.pk}/visits",
                   {"kind": "screening", "visited_on": timezone.localdate().isoformat(), "findings": "x"},
                   content_type="application/json")
        assert r.status_code == 404
    assert not AuditEntry.objects.filter(action="monitoring.profile.viewed").exists()


def test_visit_signal_and_chain_through_the_api(mon, api_login):
    c = api_login(mon.grid_worker)
    today = timezone.localdate()
    r = c.post(f"/api/monitoring/households/{mon.household.pk}/visits",
               {"kind": "screening", "visited_on": (today + dt.timedelta(days=1)).isoformat(), "findings": "x"},
               content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "visited_on"
    r = c.post(f"/api/monitoring/households/{mon.household.pk}/visits",
               {"kind": "screening", "visited_on": today.isoformat(), "findings": "户主住院",
                "risks": [{"kind": "medical", "amount": "52000", "detail": "住院自付"}]},
               content_type="application/json")
    assert r.status_code == 200
    (signal_id,) = r.json()["signal_ids"]
    listed = c.get("/api/monitoring/signals?status=open").json()
    assert [s["id"] for s in listed] == [signal_id] and listed[0]["amount"] == "52000.00"
    r = c.post(f"/api/monitoring/signals/{signal_id}/confirm", {"note": "属实"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    case_id = r.json()["case_id"]
    r = c.post(f"/api/monitoring/cases/{case_id}/steps", {"category": "sudden"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "consent"
    r = c.post(f"/api/monitoring/cases/{case_id}/steps", {"category": "sudden", "consent": True},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["stage"] == "village_review"
    r = c.post(f"/api/monitoring/cases/{case_id}/steps", {}, content_type="application/json")
    assert r.status_code == 403  # the grid worker cannot do the village review
    r = api_login(mon.community).post(f"/api/monitoring/cases/{case_id}/steps", {"note": "评议通过"},
                                      content_type="application/json")
    assert r.status_code == 200 and r.json()["stage"] == "posting"
    assert [s["stage"] for s in r.json()["steps"]] == ["home_check", "village_review"]
    cases = api_login(mon.street).get("/api/monitoring/cases?status=identifying").json()
    assert [x["id"] for x in cases] == [case_id]
    assert MonitoringCase.objects.get(pk=case_id).posting_ends is not None


def test_figures(mon, api_login):
    from .test_cases import enrol

    enrol(mon)
    end = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    data = api_login(mon.street).get(f"/api/monitoring/figures?from={timezone.localdate().year}-01-01&to={end}").json()
    assert data["enrolled_households"] == 1 and data["enrolled_people"] == 3
    assert data["monitored_by_category"]["sudden"] == 1 and data["signals_by_channel"]["visit"] == 1
