"""Cadre records: reserves and mentors, postings reviewed and replaced, trainings feeding performance points,
contact points overdue, loans, plaques, inspections whose unfixed findings are circulated (or counted when not)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core.errors import JicengError
from jiceng.leadership import services
from jiceng.leadership.models import Inspection, LoanedStaff, Plaque, Posting, ReserveCadre


@pytest.fixture
def cadres(site):
    from jiceng.people.models import Cadre

    def make(name, unit, post, **kw):
        return Cadre.objects.create(name=name, gender="M", post=post, org_unit=unit, org_path=unit.path, **kw)

    d = site.district
    return {"reserve": make("周后备", d.comm_a, "村委委员"), "leader": make("赵领导", d.street, "党工委副书记"),
            "first": make("钱书记", d.comm_a, "驻村第一书记"), "other": make("孙队员", d.comm_a, "驻村工作队员"),
            "b": make("吴干部", d.comm_b, "社区干部")}


def test_a_mentor_who_is_the_reserve_themself_is_refused_and_nothing_is_written(site, cadres):
    c = cadres
    with pytest.raises(JicengError) as e:
        services.reserve_add(actor=site.leader, cadre=c["reserve"], org_unit=site.district.comm_a,
                             mentor_leader=c["leader"], mentor_secretary=c["reserve"], since="2026-05-01")
    assert e.value.errors["mentor_secretary"] == ["导师不能是后备干部本人"]
    assert not ReserveCadre.objects.unscoped("test").exists()
    with pytest.raises(JicengError) as e:
        services.reserve_add(actor=site.leader, cadre=c["b"], org_unit=site.district.comm_a,
                             mentor_leader=c["leader"], mentor_secretary=c["first"], since="2026-05-01")
    assert "cadre" in e.value.errors
    r = services.reserve_add(actor=site.leader, cadre=c["reserve"], org_unit=site.district.comm_a,
                             mentor_leader=c["leader"], mentor_secretary=c["first"], since="2026-05-01")
    with pytest.raises(JicengError):
        services.reserve_add(actor=site.leader, cadre=c["reserve"], org_unit=site.district.comm_a,
                             mentor_leader=c["leader"], mentor_secretary=c["first"], since="2026-06-01")
    services.reserve_close(actor=site.leader, reserve=r, status="appointed", outcome="换届当选村委委员")


def test_a_posting_is_reviewed_and_its_cadre_replaced(site, cadres):
    c = cadres
    p = services.posting_start(actor=site.leader, cadre=c["first"], kind="first_secretary", org_unit=site.district.comm_a,
                               starts_on="2025-06-01", sent_by="县农业农村局")
    with pytest.raises(JicengError) as e:
        services.posting_review(actor=site.leader, posting=p, period="2026年上半年", rating="incompetent")
    assert e.value.field == "note"
    services.posting_review(actor=site.leader, posting=p, period="2026年上半年", rating="incompetent",
                            note="在岗天数不足，群众评价低")
    with pytest.raises(JicengError) as e:
        services.posting_replace(actor=site.leader, posting=p, new_cadre=c["other"], on="2025-01-01", reason="考核不称职")
    assert e.value.field == "on"
    new = services.posting_replace(actor=site.leader, posting=p, new_cadre=c["other"], on="2026-07-15",
                                   reason="考核不称职，按程序撤换")
    p.refresh_from_db()
    assert p.ends_on == dt.date(2026, 7, 15) and new.replaces_id == p.pk and new.kind == "first_secretary"
    assert Posting.objects.unscoped("test").filter(ends_on__isnull=True).get() == new


def test_a_training_posts_points_for_attending_and_missing(site, cadres):
    from jiceng.cadre.models import PerformanceEntry

    c = cadres
    t = services.training_create(actor=site.leader, org_unit=site.district.street, title="村干部学历能力双提升培训",
                                 starts_on="2026-09-01", ends_on="2026-09-03", hours=24, points_attended=3,
                                 points_absent=2, cadres=[c["reserve"], c["first"]])
    services.training_close(actor=site.leader, training=t, attended_ids=[c["reserve"].pk],
                            certificates={c["reserve"].pk: "ZS-2026-001"})
    rows = {e.account.cadre_id: e.amount for e in PerformanceEntry.objects.unscoped("test").filter(kind="training")
            .select_related("account")}
    assert rows == {c["reserve"].pk: 3, c["first"].pk: -2}
    with pytest.raises(JicengError):
        services.training_close(actor=site.leader, training=t, attended_ids=[])
    assert PerformanceEntry.objects.unscoped("test").filter(kind="training").count() == 2


def test_contact_points_show_who_is_overdue(site, cadres):
    from jiceng.leadership.models import ContactPoint

    today = timezone.localdate()
    a = services.contact_assign(actor=site.leader, cadre=cadres["leader"], org_unit=site.district.comm_a,
                                since=today - dt.timedelta(days=100), every_days=30)
    b = services.contact_assign(actor=site.leader, cadre=cadres["leader"], org_unit=site.district.comm_b,
                                since=today - dt.timedelta(days=100), every_days=30)
    services.contact_visit(actor=site.leader, contact=a, on=today - dt.timedelta(days=3), note="走访困难户 3 户")
    with pytest.raises(JicengError) as e:
        services.contact_visit(actor=site.leader, contact=b, on=today + dt.timedelta(days=1), note="x")
    assert e.value.field == "on"
    rows = services.contacts_with_due(ContactPoint.objects.unscoped("test"), today=today)
    assert [(r.org_unit_id, r.overdue) for r in rows] == [(b.org_unit_id, True), (a.org_unit_id, False)]


def test_staff_returned_before_leaving_is_refused(site, cadres):
    loan = services.loan_record(actor=site.leader, cadre=cadres["reserve"], org_unit=site.district.comm_a,
                                to_office="县乡村振兴局", reason="脱贫攻坚材料整理", left_on="2026-04-01")
    with pytest.raises(JicengError) as e:
        services.loan_return(actor=site.leader, loan=loan, returned_on="2026-03-01")
    assert e.value.field == "returned_on" and "早于借出日期" in e.value.message
    assert LoanedStaff.objects.unscoped("test").get().returned_on is None
    services.loan_return(actor=site.leader, loan=loan, returned_on="2026-06-30")


def test_a_plaque_check_clears_only_plaques_not_admitted(site):
    a = services.plaque_record(actor=site.leader, org_unit=site.district.comm_a, title="村（社区）党群服务中心",
                               admitted=True, admission_note="县委组织部统一规范")
    b = services.plaque_record(actor=site.leader, org_unit=site.district.comm_a, title="创卫工作站", issuer="县爱卫办")
    with pytest.raises(JicengError):
        services.plaque_check(actor=site.leader, org_unit=site.district.comm_a, on="2026-10-10", remove_ids=[a.pk])
    result = services.plaque_check(actor=site.leader, org_unit=site.district.comm_a, on="2026-10-10", remove_ids=[b.pk])
    assert result == {"checked": 2, "removed": 1}
    assert dict(Plaque.objects.unscoped("test").values_list("title", "status")) == {
        "村（社区）党群服务中心": "hung", "创卫工作站": "removed"}


def test_inspections_without_circulars_are_computed_from_findings(site):
    today = timezone.localdate()
    ins1 = services.inspection_record(actor=site.leader, org_unit=site.district.comm_a, topic="基层减负落实",
                                      on=today - dt.timedelta(days=30), inspectors="县委督查室",
                                      findings=[("台账重复报送", today - dt.timedelta(days=10)),
                                                ("牌子未清理", today - dt.timedelta(days=5))])
    ins2 = services.inspection_record(actor=site.leader, org_unit=site.district.comm_b, topic="换届承诺兑现",
                                      on=today - dt.timedelta(days=30), inspectors="街道纪工委",
                                      findings=[("承诺未公开", today - dt.timedelta(days=20))])
    f2 = ins2.findings.get()
    services.finding_fix(actor=site.leader, finding=f2, fixed_on=today - dt.timedelta(days=25), note="已公开")
    qs = Inspection.objects.unscoped("test")
    assert list(services.inspections_without_circulars(qs, today=today)) == [ins1]
    from jiceng.core.modules import Period, figure_values, registry, resolve

    figure = registry.figures()["leadership.inspections_without_circulars"]
    period = Period(today - dt.timedelta(days=60), today)
    d = site.district
    assert resolve(figure.value)(d.street, period) == 1
    assert list(resolve(figure.records)(d.street, period)) == [ins1]
    assert figure_values(figure, [d.comm_a, d.comm_b], period) == {d.comm_a.pk: 1, d.comm_b.pk: 0}
    late = list(ins1.findings.all())
    with pytest.raises(JicengError) as e:
        services.circular_issue(actor=site.leader, org_unit=site.district.street, number="街督〔2026〕3号",
                                issued_on=today, text="通报", findings=[f2])
    assert "findings" in e.value.errors
    services.circular_issue(actor=site.leader, org_unit=site.district.street, number="街督〔2026〕3号", issued_on=today,
                            text="对甲社区逾期未整改问题予以通报", findings=late)
    assert list(services.inspections_without_circulars(qs, today=today)) == []
    assert resolve(figure.value)(d.street, period) == 0


def test_the_education_upgrade_refuses_a_lower_target_and_an_end_before_enrolling(site, cadres):
    from jiceng.core.modules import Period, registry, resolve

    with pytest.raises(JicengError) as e:
        services.upgrade_enrol(actor=site.leader, cadre=cadres["reserve"], programme="开放大学", from_education="college",
                               target_education="senior", enrolled_on="2025-03-01")
    assert e.value.field == "target_education"
    up = services.upgrade_enrol(actor=site.leader, cadre=cadres["reserve"], programme="开放大学 行政管理",
                                from_education="senior", target_education="college", enrolled_on="2025-03-01")
    with pytest.raises(JicengError) as e:
        services.upgrade_finish(actor=site.leader, upgrade=up, outcome="graduated", on="2025-01-01")
    assert e.value.field == "completed_on"
    services.upgrade_finish(actor=site.leader, upgrade=up, outcome="graduated", on="2026-07-01")
    figure = registry.figures()["leadership.upgrades_graduated"]
    assert resolve(figure.value)(site.district.street, Period.year(2026)) == 1
