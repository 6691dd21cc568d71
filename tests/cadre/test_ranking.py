"""The organisation ranking equals a hand computation; lagging units' plans close only with evidence and
follow-up; demonstration sites end in a title with its reward or a recorded talk."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.cadre import services
from jiceng.cadre.models import Grade, RankingResult, Task, TaskList, TaskStatus, Timeliness
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.orgs.models import OrgUnit, OrgUnitKind


@pytest.fixture
def comm_c(district):
    street = district.street
    n = OrgUnit.objects.get(pk=street.pk).next_child
    OrgUnit.objects.filter(pk=street.pk).update(next_child=n + 1)
    return OrgUnit.objects.create(parent=street, path=f"{street.path}{n:05d}.", depth=1, kind=OrgUnitKind.COMMUNITY,
                                  name="丙社区", code="530124001003")


def _task(tl, unit, owner, *, graded_on_time=False, overdue=False):
    now = timezone.now()
    return Task.objects.create(
        task_list=tl, title="任务", org_unit=unit, org_path=unit.path, owner=owner, due_at=now - dt.timedelta(days=1),
        created_at=now, status=TaskStatus.GRADED if graded_on_time else TaskStatus.ISSUED,
        grade=Grade.DONE if graded_on_time else "", timeliness=Timeliness.ON_TIME if graded_on_time else "",
        overdue_at=now if overdue else None)


@pytest.fixture
def ranked(site, comm_c):
    d = site.district
    tl = TaskList.objects.create(org_unit=d.street, org_path=d.street.path, title="清单", month=timezone.localdate(),
                                 status="issued", created_by=site.leader, created_at=timezone.now())
    _task(tl, d.comm_a, site.cadre, graded_on_time=True)
    _task(tl, d.comm_a, site.cadre, graded_on_time=True)
    _task(tl, d.comm_b, site.other_cadre, graded_on_time=True)
    _task(tl, d.comm_b, site.other_cadre, overdue=True)
    scheme = services.scheme_save(actor=site.leader, site=d.street, name="季度排队", level="village",
                                  advanced_count=1, lagging_count=1, indicators=[
                                      {"label": "按时完成率", "numerator": "cadre.tasks_on_time",
                                       "denominator": "cadre.tasks_issued", "weight": 60},
                                      {"label": "逾期未完成", "numerator": "cadre.tasks_overdue", "weight": 40,
                                       "lower_is_better": True}])
    return scheme


def test_the_ranking_equals_a_hand_computation(site, comm_c, ranked):
    """按时完成率: 甲 2/2 = 1, 乙 1/2 = 0.5, 丙 no tasks (no data, 0) -> 甲 60, 乙 0, 丙 0.
    逾期 (lower is better): 甲 0, 乙 1, 丙 0 -> 甲 40, 乙 0, 丙 40. Totals 甲 100, 丙 40, 乙 0."""
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    run = services.ranking_run(actor=site.leader, scheme=ranked, year=today.year, quarter=quarter)
    got = [(r.org_unit.name, r.score, r.rank, r.band) for r in RankingResult.objects.filter(run=run).order_by("rank")]
    assert got == [("甲社区", Decimal("100.00"), 1, "advanced"), ("丙社区", Decimal("40.00"), 2, "middle"),
                   ("乙社区", Decimal("0.00"), 3, "lagging")]
    b = RankingResult.objects.get(run=run, org_unit=site.district.comm_b)
    assert b.values[0] == {"label": "按时完成率", "numerator": 1, "denominator": 2, "value": 0.5, "score": 0.0}
    c = RankingResult.objects.get(run=run, org_unit=comm_c)
    assert c.values[0]["value"] is None and c.values[1]["score"] == 40.0


def test_weights_that_do_not_sum_to_100_and_unknown_figures_are_refused(site):
    with pytest.raises(JicengError) as err:
        services.scheme_save(actor=site.leader, site=site.district.street, name="方案", level="village", indicators=[
            {"label": "完成率", "numerator": "cadre.tasks_on_time", "denominator": "cadre.tasks_issued", "weight": 60},
            {"label": "逾期", "numerator": "cadre.tasks_overdue", "weight": 30}])
    assert err.value.errors["weight"] == ["各项指标权重合计应为 100，现为 90"]
    with pytest.raises(JicengError) as err:
        services.scheme_save(actor=site.leader, site=site.district.street, name="方案", level="village",
                             indicators=[{"label": "x", "numerator": "no.such", "weight": 100}])
    assert "no.such" in err.value.errors["indicators"][0]
    from jiceng.cadre.models import RankingScheme

    assert not RankingScheme.objects.unscoped("t").exists()


def test_ties_share_a_rank(site, comm_c):
    scheme = services.scheme_save(actor=site.leader, site=site.district.street, name="方案", level="village",
                                  indicators=[{"label": "逾期", "numerator": "cadre.tasks_overdue", "weight": 100,
                                               "lower_is_better": True}], advanced_count=0, lagging_count=0)
    rows = services.ranking_compute(scheme, services.period_of(timezone.localdate().year, None)[0])
    assert [r["rank"] for r in rows] == [1, 1, 1] and {r["score"] for r in rows} == {Decimal("100.00")}


def test_a_lagging_units_plan_refuses_to_close_without_evidence_and_follow_up(site, comm_c, ranked):
    run = services.ranking_run(actor=site.leader, scheme=ranked, year=timezone.localdate().year)
    lagging = RankingResult.objects.get(run=run, band="lagging")
    advanced = RankingResult.objects.get(run=run, band="advanced")
    deadline = timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(JicengError) as err:
        services.plan_create(actor=site.leader, result=advanced, problems="无", owner=site.cadre, deadline=deadline,
                             measures=[{"text": "x", "owner": site.cadre, "deadline": deadline}])
    assert err.value.field == "result"
    with pytest.raises(JicengError) as err:
        services.plan_create(actor=site.leader, result=lagging, problems="任务逾期", owner=site.other_cadre,
                             deadline=deadline, measures=[])
    assert err.value.field == "measures"
    plan = services.plan_create(actor=site.leader, result=lagging, problems="任务逾期未完成", owner=site.other_cadre,
                                deadline=deadline, measures=[
                                    {"text": "建立任务台账，每周调度", "owner": site.other_cadre, "deadline": deadline},
                                    {"text": "补办逾期任务", "owner": site.other_cadre, "deadline": deadline}])
    m1, m2 = plan.measures.all()
    services.measure_complete(actor=site.leader, measure=m1, evidence="台账已建立")
    with pytest.raises(JicengError) as err:
        services.plan_close(actor=site.leader, plan=plan)
    assert set(err.value.errors) == {"measures", "follow_ups"} and "补办逾期任务" in err.value.errors["measures"][0]
    with pytest.raises(JicengError):
        services.measure_complete(actor=site.leader, measure=m2, evidence="  ")
    services.measure_complete(actor=site.leader, measure=m2, evidence="已补办")
    with pytest.raises(JicengError) as err:
        services.plan_close(actor=site.leader, plan=plan)
    assert set(err.value.errors) == {"follow_ups"}
    services.follow_up_add(actor=site.leader, plan=plan, note="实地督导，整改到位")
    assert services.plan_close(actor=site.leader, plan=plan).status == "closed"


def test_a_showcase_ends_in_a_title_with_its_reward_or_a_recorded_talk(site):
    d = site.district
    with pytest.raises(JicengError) as err:
        services.showcase_create(actor=site.leader, org_unit=d.street, name="沿河示范带", kind="belt",
                                 year=2026, leader=site.leader_cadre, template="six", units=[d.comm_a])
    assert err.value.field == "units"
    s = services.showcase_create(actor=site.leader, org_unit=d.street, name="沿河示范带", kind="belt", year=2026,
                                 leader=site.leader_cadre, template="six", units=[d.comm_a, d.comm_b])
    assert s.targets.count() == 6
    with pytest.raises(JicengError) as err:
        services.showcase_assess(actor=site.leader, showcase=s, score=90, note="好", outcome="titled", reward="")
    assert set(err.value.errors) == {"outcome", "reward"}
    services.showcase_letter(actor=site.leader, showcase=s, signed_by="赵领导、李村官", signed_on=dt.date(2026, 3, 1))
    services.showcase_progress(actor=site.leader, showcase=s, text="阵地改造完成", met_targets=[s.targets.first().pk])
    with pytest.raises(JicengError) as err:
        services.showcase_assess(actor=site.leader, showcase=s, score=55, note="差", outcome="talk")
    assert set(err.value.errors) == {"talk_on", "talk_with", "talk_record"}
    s = services.showcase_assess(actor=site.leader, showcase=s, score=55, note="进度滞后", outcome="talk",
                                 talk_on=dt.date(2026, 11, 1), talk_with="甲社区书记", talk_record="限期一个月整改")
    assert s.outcome == "talk" and s.talk_record == "限期一个月整改"
    with pytest.raises(PermissionDeniedError):
        services.showcase_create(actor=site.cadre_user, org_unit=d.street, name="x", kind="point", year=2026,
                                 leader=site.cadre, targets=["a"])


def test_a_measure_and_a_report_become_tasks_naming_their_source(site, comm_c, ranked):
    from jiceng.cadre.models import Task

    run = services.ranking_run(actor=site.leader, scheme=ranked, year=timezone.localdate().year)
    lagging = RankingResult.objects.get(run=run, band="lagging")
    deadline = timezone.localdate() + dt.timedelta(days=7)
    plan = services.plan_create(actor=site.leader, result=lagging, problems="滞后", owner=site.other_cadre,
                                deadline=deadline, measures=[{"text": "补办任务", "owner": site.other_cadre,
                                                              "deadline": deadline}])
    task = services.measure_to_task(actor=site.leader, measure=plan.measures.get())
    assert (task.source_type, task.status, task.owner_id) == ("cadre.measure", TaskStatus.ISSUED, site.other_cadre.pk)
    assert task.task_list.kind == "ad_hoc" and "转办任务" in task.task_list.title
    with pytest.raises(JicengError) as err:
        services.task_from_source(actor=site.leader, source_type="reports.report", source_id=999999,
                                  org_unit=site.district.comm_a, owner=site.cadre, due_at=timezone.now())
    assert err.value.field == "source_id"
    with pytest.raises(JicengError) as err:
        services.task_from_source(actor=site.leader, source_type="nothing", source_id=1,
                                  org_unit=site.district.comm_a, owner=site.cadre, due_at=timezone.now())
    assert err.value.field == "source_type"
    from tests.cadre.test_sources import _report

    report = _report(site, deadline=timezone.now(), resolved_at=timezone.now())
    t2 = services.task_from_source(actor=site.leader, source_type="reports.report", source_id=report.pk,
                                   org_unit=site.district.comm_a, owner=site.cadre, due_at=timezone.now())
    assert t2.task_list_id == task.task_list_id and t2.title.startswith("办理诉求")
    assert Task.objects.filter(task_list=task.task_list).count() == 2
