"""The monitoring journey in Chromium: a worker records a visit that reveals a large medical bill → a
signal appears → it is verified and enrolled through the chain → measures and a visit are recorded →
after the observation period the household is marked eliminated → the figures page counts it.

The clock moves by shifting the case's stored dates back (``days_pass``), then the scheduler's own
job runs, as it would each hour."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.monitoring.models import (
    CaseStatus, MonitoringCase, ReviewStep, RiskSignal, ScheduledVisit, SignalStatus, Stage,
)
from jiceng.monitoring.services import postings_close
from tests.browser.conftest import shot
from tests.conftest import PASSWORD
from tests.monitoring.conftest import mon  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def days_pass(case, n: int) -> None:
    """``n`` days go by: every stored date of the case lies ``n`` days further in the past."""
    delta = dt.timedelta(days=n)
    c = MonitoringCase.objects.get(pk=case.pk)
    for f in ("posting_ends", "enrolled_on", "income_above_since"):
        if getattr(c, f):
            setattr(c, f, getattr(c, f) - delta)
    c.save()
    for s in ReviewStep.objects.filter(case=c):
        ReviewStep.objects.filter(pk=s.pk).update(acted_on=s.acted_on - delta, at=s.at - delta)
    for v in ScheduledVisit.objects.filter(case=c):
        ScheduledVisit.objects.filter(pk=v.pk).update(due_on=v.due_on - delta)


def approve(page, base, user, household, note="同意"):
    login(page, base, user)
    page.goto(f"{base}/monitoring/households/{household.pk}/")
    page.fill("#note", note)
    page.click("button[name=decision][value=approve]")
    page.wait_for_selector(".alert-success")


def test_monitoring_journey(live_server, phone_page, desk_page, mon):  # noqa: F811
    base, h = live_server.url, mon.household
    page = phone_page

    # 1. The grid worker's visit finds a large medical bill: a signal (a verification task) appears.
    login(page, base, mon.grid_worker)
    page.goto(f"{base}/monitoring/households/{h.pk}/")
    page.click("text=记录走访")
    page.check("#id_kind_0")
    page.fill("#id_findings", "户主李富贵因病住院两周，家中无其他收入来源")
    page.get_by_label("大额医疗支出").check()
    page.fill("#id_amount", "52000")
    page.fill("#id_risk_detail", "住院自付医疗费用5.2万元")
    shot(page, "monitoring-1-visit-phone")
    page.click("text=保存走访记录")
    shot(page, "monitoring-1b-after-visit")
    page.wait_for_selector("text=已生成核实任务")
    sig = RiskSignal.objects.get(household=h)
    assert (sig.channel, sig.amount, sig.status) == ("visit", 52000, SignalStatus.OPEN)
    assert page.locator("text=大额医疗支出").count() >= 1

    # 2. Verified → an identification case; the home check with the household's consent.
    page.fill("input[name=note]", "查看住院票据，情况属实")
    page.click("text=属实，启动识别")
    page.wait_for_selector("text=入户核实")
    page.check("#consent")
    page.select_option("#category", "sudden")
    page.fill("#note", "入户核实，农户签字授权")
    page.click("button[name=decision][value=approve]")
    page.wait_for_selector(".alert-success")
    shot(page, "monitoring-2-home-check-phone")
    case = MonitoringCase.objects.get(household=h)
    assert case.stage == Stage.VILLAGE_REVIEW

    # 3. Village review by the community (desk), five days' posting closed by the scheduler, then the
    #    township, the county and the announcement.
    desk = desk_page
    approve(desk, base, mon.community, h, "村民代表会议评议通过")
    assert MonitoringCase.objects.get(pk=case.pk).stage == Stage.POSTING
    days_pass(case, 6)
    assert postings_close() == 1
    approve(desk, base, mon.street, h, "街道审核同意")
    approve(desk, base, mon.county, h, "县级审定")
    approve(desk, base, mon.street, h, "已公告")
    case.refresh_from_db()
    assert (case.status, case.category) == (CaseStatus.MONITORED, "sudden")
    shot(desk, "monitoring-3-enrolled-desk")

    # 4. The responsible cadre, a measure, an assistance visit, this year's profile (income above the line).
    login(desk, base, mon.community)
    desk.goto(f"{base}/monitoring/households/{h.pk}/")
    desk.select_option("select[name=user]", str(mon.grid_worker.pk))
    desk.click("text=确定帮扶责任人")
    desk.wait_for_selector(".alert-success")
    login(page, base, mon.grid_worker)
    page.goto(f"{base}/monitoring/households/{h.pk}/")
    page.click("summary:has-text('登记帮扶措施')")
    shot(page, "monitoring-4a-measure-phone")
    page.select_option("#id_kind", "health")
    page.fill("#id_description", "落实医疗救助和大病保险二次报销")
    page.fill("#id_amount", "18000")
    page.click("button:has-text('登记')")
    page.wait_for_selector("text=帮扶措施已登记")
    page.goto(f"{base}/monitoring/households/{h.pk}/visit/")
    page.check("#id_kind_1")
    page.fill("#id_findings", "户主已出院，医疗报销到位，夫妻二人返岗务工")
    page.click("text=保存走访记录")
    page.wait_for_selector("text=走访已记录")
    assert ScheduledVisit.objects.filter(case=case, visit__isnull=False).count() == 1
    page.goto(f"{base}/monitoring/households/{h.pk}/profile/{mon.year}/")
    page.fill("#id_wage_income", "60000")
    page.fill("#id_medical_expense", "3000")
    shot(page, "monitoring-4-profile-phone")
    page.click("text=保存并检查风险")
    page.wait_for_selector("text=经济档案已保存")
    case.refresh_from_db()
    assert case.income_above_since == timezone.localdate()
    page.goto(f"{base}/monitoring/households/{h.pk}/")
    assert page.locator("text=收入稳定高于监测标准").count() == 1
    assert page.locator("text=核实后申请风险消除").count() == 1

    # 5. Six months and more later: the conditions hold; the elimination chain runs.
    days_pass(case, 200)
    page.goto(f"{base}/monitoring/households/{h.pk}/")
    shot(page, "monitoring-5-conditions-phone")
    page.fill("#elim-note", "入户核实：收入稳定，“三保障”已落实")
    page.click("text=核实后申请风险消除")
    page.wait_for_selector(".alert-success")
    approve(desk, base, mon.community, h, "评议同意风险消除")
    days_pass(case, 6)
    assert postings_close() == 1
    approve(desk, base, mon.street, h)
    approve(desk, base, mon.county, h)
    approve(desk, base, mon.street, h, "已公告")
    case.refresh_from_db()
    assert case.status == CaseStatus.ELIMINATED and case.eliminated_on == timezone.localdate()
    shot(desk, "monitoring-6-eliminated-desk")

    # 6. The figures page counts it, and its number opens the household behind it.
    login(desk, base, mon.street)
    desk.goto(f"{base}/monitoring/figures/")
    assert desk.locator("[data-figure=eliminated]").inner_text() == "1"
    shot(desk, "monitoring-7-figures-desk")
    desk.click("[data-figure=eliminated]")
    desk.wait_for_url(lambda url: "metric=eliminated" in url)
    assert desk.locator(f"text={h.number}").count() == 1
