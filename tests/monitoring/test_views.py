"""The monitoring pages: reachable by the roles that handle the data, scoped, every view of a record logged."""
from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.audit.models import AuditEntry
from jiceng.monitoring.models import EconomicProfile, MonitoringCase, RiskSignal, SignalStatus
from tests.conftest import PASSWORD

from .test_cases import enrol


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_every_page_renders_for_community_staff(client, mon):
    enrol(mon)
    login(client, mon.community)
    h = mon.household.pk
    for url in ("/monitoring/", "/monitoring/households/", f"/monitoring/households/{h}/", "/monitoring/signals/",
                "/monitoring/cases/", "/monitoring/figures/", "/monitoring/department-lists/",
                f"/monitoring/households/{h}/visit/", f"/monitoring/households/{h}/declare/",
                f"/monitoring/households/{h}/profile/{mon.year}/", "/monitoring/signals/?status=all",
                "/monitoring/households/?at_risk=1"):
        resp = client.get(url)
        assert resp.status_code == 200, url
    assert client.get("/monitoring/department-lists/template.xlsx").status_code == 200


def test_viewing_a_household_record_is_logged_and_scoped(client, mon, make_user):
    from jiceng.accounts.models import Role

    login(client, mon.grid_worker)
    before = AuditEntry.objects.filter(action="monitoring.profile.viewed").count()
    assert client.get(f"/monitoring/households/{mon.household.pk}/").status_code == 200
    entry = AuditEntry.objects.filter(action="monitoring.profile.viewed").latest("id")
    assert AuditEntry.objects.filter(action="monitoring.profile.viewed").count() == before + 1
    assert entry.actor_id == mon.grid_worker.pk and entry.object_id == str(mon.household.pk)
    client.logout()
    for user in (mon.outsider, make_user(Role.BRANCH_SECRETARY, mon.district.grid_a1),
                 make_user(Role.AUDITOR, mon.district.street), make_user(Role.PARTNER_HANDLER, mon.district.comm_a)):
        login(client, user)
        assert client.get(f"/monitoring/households/{mon.household.pk}/").status_code == 404, user.username
        client.logout()
    assert AuditEntry.objects.filter(action="monitoring.profile.viewed").count() == before + 1


def test_profile_form_saves_and_raises_signals(client, mon):
    login(client, mon.grid_worker)
    data = {"member_count": "3", "wage_income": "9000", "operating_income": "0", "property_income": "0",
            "transfer_income": "0", "medical_expense": "0", "education_expense": "0", "other_rigid_expense": "0",
            "disaster_loss": "0", "housing_grade": "A", "safe_water": "on", "note": ""}
    for r in (mon.head, mon.spouse, mon.child):
        data[f"m{r.pk}-employment"] = "farming"
        data[f"m{r.pk}-medical_insured"] = "on"
        data[f"m{r.pk}-labour_capacity"] = "full"
    data[f"m{mon.child.pk}-enrolled"] = "on"
    data[f"m{mon.child.pk}-school_stage"] = "primary"
    resp = client.post(f"/monitoring/households/{mon.household.pk}/profile/{mon.year}/", data)
    assert resp.status_code == 302
    p = EconomicProfile.objects.get(household=mon.household, year=mon.year)
    assert p.income_per_head == 3000
    assert set(RiskSignal.objects.filter(household=mon.household, status="open").values_list("rule_code", flat=True)) \
        == {"income_below_line"}
    data["wage_income"] = "-3"
    resp = client.post(f"/monitoring/households/{mon.household.pk}/profile/{mon.year}/", data)
    assert resp.status_code == 200 and "不能为负数" in resp.content.decode()
    p.refresh_from_db()
    assert p.wage_income == 9000


def test_visit_form_and_signal_confirmation(client, mon):
    login(client, mon.grid_worker)
    resp = client.post(f"/monitoring/households/{mon.household.pk}/visit/", {
        "kind": "screening", "visited_on": timezone.localdate().isoformat(), "findings": "户主住院",
        "risks": ["medical"], "amount": "52000", "risk_detail": "住院自付5.2万元"})
    assert resp.status_code == 302
    sig = RiskSignal.objects.get(household=mon.household)
    assert sig.amount == 52000 and sig.channel == "visit"
    resp = client.post(f"/monitoring/signals/{sig.pk}/confirm/", {"note": "票据属实"})
    sig.refresh_from_db()
    assert sig.status == SignalStatus.CONFIRMED and MonitoringCase.objects.filter(household=mon.household).exists()


def test_resident_declares_for_their_own_household(client, mon, make_user):
    from jiceng.accounts.models import Role

    resident_user = make_user(Role.RESIDENT, mon.district.grid_a1, resident=mon.spouse)
    login(client, resident_user)
    assert client.get("/monitoring/declare/").status_code == 200
    resp = client.post("/monitoring/declare/", {"kind": "medical", "detail": "丈夫住院，花了很多钱", "amount": "30000"})
    assert resp.status_code == 302
    sig = RiskSignal.objects.get(household=mon.household)
    assert sig.channel == "self" and sig.raised_by_id == resident_user.pk
    # The resident sees no economic record.
    assert client.get(f"/monitoring/households/{mon.household.pk}/").status_code == 404
    assert client.get("/monitoring/figures/").status_code == 403  # monitoring's door refuses a resident


def test_figures_count_and_link_to_the_households_behind_them(client, mon):
    case = enrol(mon)
    login(client, mon.street)
    year_start = f"{timezone.localdate().year}-01-01"
    to = (timezone.localdate() + timezone.timedelta(days=30)).isoformat()
    resp = client.get(f"/monitoring/figures/?from={year_start}&to={to}")
    body = resp.content.decode()
    assert 'data-figure="enrolled">1<' in body and 'data-figure="monitored">1<' in body
    resp = client.get(f"/monitoring/households/?metric=monitored:sudden&from={year_start}&to={to}")
    assert mon.household.number in resp.content.decode()
    resp = client.get(f"/monitoring/households/?metric=monitored:marginal&from={year_start}&to={to}")
    assert mon.household.number not in resp.content.decode()
    resp = client.get(f"/monitoring/figures/?from={year_start}&to={to}&format=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)}
    assert values["新识别纳入监测对象"] == 1 and values["期末监测对象·突发严重困难户"] == 1
    resp = client.get(f"/monitoring/households/?metric=enrolled&from={year_start}&to={to}&format=xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws.cell(row=2, column=1).value == mon.household.number
    assert ws.cell(row=2, column=2).value == "李*贵"  # names are masked in exports
    assert case.pk


def test_department_list_upload_through_the_page(client, mon):
    from .test_department_lists import xlsx

    login(client, mon.community)
    data = xlsx([[mon.head.id_number, "李富贵", "大额医疗支出", "", "38000", "", ""]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post("/monitoring/department-lists/", {
        "department": "县医保局", "root": str(mon.district.comm_a.pk),
        "file": SimpleUploadedFile("list.xlsx", data)})
    assert resp.status_code == 302
    detail = resp["Location"]
    assert "确认导入" in client.get(detail).content.decode()
    client.post(detail)
    assert RiskSignal.objects.filter(channel="department", household=mon.household).count() == 1


def test_settings_page_is_for_managers_only(client, mon, admin):
    from jiceng.monitoring.models import IncomeLine, RiskRule

    login(client, mon.grid_worker)
    assert client.get("/monitoring/settings/").status_code == 403  # as cadre's and duty's rules pages answer
    client.logout()
    login(client, mon.street)
    assert client.get("/monitoring/settings/").status_code == 200
    # The line is the province's: a street administrator cannot change it for every site in the province.
    client.post("/monitoring/settings/", {"what": "line", "year": "2027", "province_code": "53", "amount": "1"})
    assert not IncomeLine.objects.filter(year=2027).exists()
    # Rules are saved all or none: a bad threshold on one leaves every rule as it was.
    data = {"what": "rules", "income_drop-enabled": "on", "income_drop-threshold": "25",
            "rigid_expense-enabled": "on", "rigid_expense-threshold": "abc"}
    client.post("/monitoring/settings/", data)
    assert not RiskRule.objects.exists()
    data["rigid_expense-threshold"] = "40"
    client.post("/monitoring/settings/", data)
    assert RiskRule.objects.get(code="income_drop").threshold == 25
    assert RiskRule.objects.get(code="unsafe_water").enabled is False
    client.logout()
    assert client.login(username=admin.username, password=PASSWORD)
    resp = client.post("/monitoring/settings/", {"what": "line", "year": "2027", "province_code": "53",
                                                 "amount": "6500", "note": "省文件"})
    assert resp.status_code == 302
    assert IncomeLine.objects.get(year=2027, province_code="53").amount == 6500


def test_opening_the_profile_form_is_logged(client, mon):
    login(client, mon.grid_worker)
    before = AuditEntry.objects.filter(action="monitoring.profile.viewed").count()
    assert client.get(f"/monitoring/households/{mon.household.pk}/profile/{mon.year}/").status_code == 200
    assert AuditEntry.objects.filter(action="monitoring.profile.viewed").count() == before + 1


@pytest.mark.parametrize("role_attr", ["county"])
def test_county_approver_lands_on_the_worklist(client, mon, role_attr):
    login(client, getattr(mon, role_attr))
    resp = client.get("/")
    assert resp.status_code == 302 and resp["Location"].endswith("/monitoring/")
    assert client.get("/monitoring/").status_code == 200


def test_measure_result_is_updated_and_audited(client, mon):
    from jiceng.monitoring.services import measure_add

    case = enrol(mon)
    m = measure_add(actor=mon.grid_worker, case=case, kind="employment", description="推荐到工业园区就业",
                    started_on=timezone.localdate(), amount="0")
    login(client, mon.grid_worker)
    resp = client.post(f"/monitoring/cases/{case.pk}/measure_result/", {"measure": m.pk, "result": "已上岗，月收入3500元"})
    assert resp.status_code == 302
    m.refresh_from_db()
    assert m.result == "已上岗，月收入3500元"
    assert AuditEntry.objects.filter(action="monitoring.measure.updated").latest("id").after["result"] == m.result


def test_registry_household_page_links_to_monitoring_for_those_who_see_it(client, mon, make_user):
    from jiceng.accounts.models import Role

    enrol(mon)
    login(client, mon.community)
    body = client.get(f"/people/households/{mon.household.pk}/").content.decode()
    assert f"/monitoring/households/{mon.household.pk}/" in body and "监测帮扶中" in body
    client.logout()
    login(client, make_user(Role.BRANCH_SECRETARY, mon.district.grid_a1))
    body = client.get(f"/people/households/{mon.household.pk}/").content.decode()
    assert "/monitoring/households/" not in body


def test_scheduled_jobs_run(mon):
    """The jobs monitoring/module.py declares, as the scheduler runs them."""
    from jiceng.composition import scheduled_jobs

    jobs = scheduled_jobs()
    enrol(mon)
    assert jobs["monitoring.close_postings"].call_local() == 0
    assert set(jobs["monitoring.check_visits"].call_local()) == {"reminded", "overdue", "signals_overdue"}
    assert jobs["monitoring.run_rules"].call_local()["households"] == 0


def test_case_actions_say_what_was_done_and_refused_or_unknown_ones_change_nothing(client, mon):
    case = enrol(mon)
    login(client, mon.grid_worker)
    page = f"/monitoring/households/{mon.household.pk}/"

    def post(action, body):
        resp = client.post(f"/monitoring/cases/{case.pk}/{action}/", body, follow=True)
        return resp.redirect_chain, [(m.level_tag, m.message) for m in resp.context["messages"]]

    assert post("measure", {"kind": "employment", "description": "公益岗位", "amount": "0",
                            "started_on": timezone.localdate().isoformat()}) == ([(page, 302)], [("success", "帮扶措施已登记")])
    assert case.measures.count() == 1
    for action, body in (("measure_result", {"measure": "999999", "result": "x"}), ("frobnicate", {})):
        assert post(action, body) == ([(page, 302)], [("error", "记录不存在或您无权访问")])
    assert case.measures.get().result == ""
    assert client.get(f"/monitoring/cases/{case.pk}/measure/").status_code == 405
