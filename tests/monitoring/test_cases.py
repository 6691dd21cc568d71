"""Identification and elimination chains: each step by its role, never two in a row by one person,
the posting closed by the scheduler; the visit schedule's reminders and overdue marks exactly once."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.monitoring.models import (
    CaseStatus, Channel, MonitoringCase, ReviewStep, RiskKind, RiskSignal, ScheduledVisit, SignalStatus, Stage,
    Visit, VisitKind,
)
from jiceng.monitoring.services import (
    case_step, elimination_conditions, elimination_start, measure_add, postings_close, profile_save,
    responsible_assign, self_declaration_submit, signal_confirm, signal_dismiss, visit_record, visits_check,
)
from jiceng.monitoring.roles import COUNTY_APPROVER

from .conftest import healthy_values


def days(n):
    return timezone.now() + dt.timedelta(days=n)


def signal_and_case(mon, now=None):
    visit = visit_record(actor=mon.grid_worker, household=mon.household, kind=VisitKind.SCREENING,
                         visited_on=timezone.localdate(now), findings="户主住院",
                         risks=[(RiskKind.MEDICAL, "48000", "户主住院自付4.8万元")], now=now)
    sig = visit.signals.get()
    signal_confirm(actor=mon.grid_worker, signal=sig, note="核实属实，有住院票据", now=now)
    sig.refresh_from_db()
    return sig.case


def enrol(mon, now=None):
    now = now or timezone.now()
    case = signal_and_case(mon, now=now)
    case_step(actor=mon.grid_worker, case=case, consent=True, category="sudden", note="入户核实", now=now)
    case_step(actor=mon.community, case=case, note="村民代表会议评议通过", now=now)
    later = now + dt.timedelta(days=5)
    assert postings_close(now=later) == 1
    case_step(actor=mon.street, case=case, note="乡镇审核同意", now=later)
    case_step(actor=mon.county, case=case, category="sudden", note="县级审定", now=later)
    case_step(actor=mon.street, case=case, note="已公告", now=later)
    case.refresh_from_db()
    case.steps_moment = later  # the moment the county and announcement steps were taken
    return case


def test_visit_revealing_a_medical_bill_raises_a_visit_signal_with_a_deadline(mon):
    visit = visit_record(actor=mon.grid_worker, household=mon.household, kind=VisitKind.SCREENING,
                         visited_on=timezone.localdate(), findings="户主住院",
                         risks=[(RiskKind.MEDICAL, "48000", "")])
    sig = RiskSignal.objects.get(visit=visit)
    assert (sig.channel, sig.kind, sig.amount, sig.status) == (Channel.VISIT, "medical", 48000, SignalStatus.OPEN)
    assert sig.deadline == timezone.localdate() + dt.timedelta(days=15)


def test_visit_in_the_future_is_refused_and_nothing_written(mon):
    with pytest.raises(JicengError) as exc:
        visit_record(actor=mon.grid_worker, household=mon.household, kind=VisitKind.SCREENING,
                     visited_on=timezone.localdate() + dt.timedelta(days=1), findings="x",
                     risks=[(RiskKind.MEDICAL, "1", "")])
    assert exc.value.field == "visited_on"
    assert not Visit.objects.exists() and not RiskSignal.objects.exists()


def test_full_identification_chain_enrols_the_household(mon):
    case = enrol(mon)
    assert case.status == CaseStatus.MONITORED
    assert case.category == "sudden"
    # the local day (Asia/Shanghai) of the steps, five days on; not the UTC date (they differ 16:00–24:00 UTC)
    assert case.enrolled_on == timezone.localdate(case.steps_moment)
    assert case.people_count == 3
    stages = list(ReviewStep.objects.filter(case=case).values_list("stage", flat=True))
    assert stages == ["home_check", "village_review", "posting", "township_review", "county_approval",
                      "announcement"]
    assert ScheduledVisit.objects.filter(case=case, visit__isnull=True).count() == 1


def test_home_check_needs_consent_and_a_category(mon):
    case = signal_and_case(mon)
    with pytest.raises(JicengError) as exc:
        case_step(actor=mon.grid_worker, case=case, category="sudden")
    assert exc.value.field == "consent"
    with pytest.raises(JicengError) as exc:
        case_step(actor=mon.grid_worker, case=case, consent=True)
    assert exc.value.field == "category"
    assert not ReviewStep.objects.filter(case=case).exists()


def test_steps_cannot_be_skipped(mon):
    case = signal_and_case(mon)
    # The county approver and the township cannot act while the case waits for the home check's next
    # step (village review), and the township cannot act during posting.
    case_step(actor=mon.grid_worker, case=case, consent=True, category="marginal")
    for actor in (mon.county, mon.street, mon.grid_worker):
        with pytest.raises(PermissionDeniedError):
            case_step(actor=actor, case=case)
    case_step(actor=mon.community, case=case)
    with pytest.raises(JicengError) as exc:
        case_step(actor=mon.street, case=case)
    assert exc.value.code == "posting"
    assert postings_close(now=days(4)) == 0  # five days of posting: still running on the fifth day
    assert postings_close(now=days(5)) == 1
    assert postings_close(now=days(6)) == 0  # closed once
    with pytest.raises(PermissionDeniedError):
        case_step(actor=mon.county, case=case, now=days(5))
    case.refresh_from_db()
    assert case.stage == Stage.TOWNSHIP_REVIEW


def test_nobody_approves_the_step_they_made(mon, make_user):
    from jiceng.accounts.models import Role

    case = signal_and_case(mon)
    case_step(actor=mon.community, case=case, consent=True, category="marginal")
    with pytest.raises(JicengError) as exc:
        case_step(actor=mon.community, case=case)
    assert exc.value.code == "self_approval"
    case_step(actor=mon.community2, case=case)
    postings_close(now=days(5))
    both = make_user(COUNTY_APPROVER, mon.district.street, username="both-roles")
    from jiceng.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=both, role=Role.STREET_ADMIN, org_unit=mon.district.street)
    case_step(actor=both, case=case, now=days(5))
    with pytest.raises(JicengError) as exc:
        case_step(actor=both, case=case, now=days(5))
    assert exc.value.code == "self_approval"
    case.refresh_from_db()
    assert case.stage == Stage.COUNTY_APPROVAL


def test_refusal_dismisses_with_the_reason(mon):
    case = signal_and_case(mon)
    case_step(actor=mon.grid_worker, case=case, consent=True, category="marginal")
    with pytest.raises(JicengError):
        case_step(actor=mon.community, case=case, approved=False)  # a refusal needs a reason
    case_step(actor=mon.community, case=case, approved=False, note="经评议，家庭收入稳定，不符合条件")
    case.refresh_from_db()
    assert (case.status, case.dismissed_reason) == (CaseStatus.DISMISSED, "经评议，家庭收入稳定，不符合条件")


def test_dismissed_signal_opens_no_case(mon):
    sig = self_declaration_submit(actor=mon.grid_worker, household=mon.household, kind=RiskKind.JOB_LOSS,
                                  detail="在外务工失业", amount="")
    with pytest.raises(JicengError):
        signal_dismiss(actor=mon.grid_worker, signal=sig, reason="")
    signal_dismiss(actor=mon.grid_worker, signal=sig, reason="已在本地重新就业")
    sig.refresh_from_db()
    assert sig.status == SignalStatus.DISMISSED and sig.case is None
    assert not MonitoringCase.objects.exists()
    with pytest.raises(JicengError):
        signal_confirm(actor=mon.grid_worker, signal=sig, note="x")


def test_elimination_refused_until_the_observation_period_is_over(mon):
    profile_save(actor=mon.grid_worker, household=mon.household, year=mon.year, values=healthy_values())
    case = enrol(mon)
    assert case.income_above_since == timezone.localdate(days(5))
    conditions = {name: ok for name, ok, _ in elimination_conditions(case, today=timezone.localdate(days(5)))}
    assert conditions["收入稳定高于监测标准"] is False
    with pytest.raises(JicengError) as exc:
        elimination_start(actor=mon.grid_worker, case=case, now=days(30))
    assert exc.value.code == "conditions"
    case.refresh_from_db()
    assert case.status == CaseStatus.MONITORED and case.procedure == "identification"
    # Six months later every condition holds: the chain runs and the household is marked eliminated.
    later = days(5 + 190)
    elimination_start(actor=mon.grid_worker, case=case, now=later)
    case_step(actor=mon.community, case=case, now=later)
    postings_close(now=later + dt.timedelta(days=5))
    after = later + dt.timedelta(days=5)
    case_step(actor=mon.street, case=case, now=after)
    case_step(actor=mon.county, case=case, now=after)
    case_step(actor=mon.street, case=case, now=after)
    case.refresh_from_db()
    assert case.status == CaseStatus.ELIMINATED and case.eliminated_on == timezone.localdate(after)
    step = ReviewStep.objects.filter(case=case, procedure="elimination", stage="home_check").get()
    assert step.checks["收入稳定高于监测标准"][0] is True
    # The risk returns: a new case, the eliminated one and its twelve steps kept as they were.
    again = signal_and_case(mon)
    assert again.pk != case.pk and again.status == CaseStatus.IDENTIFYING
    case.refresh_from_db()
    assert case.status == CaseStatus.ELIMINATED and ReviewStep.objects.filter(case=case).count() == 12


def test_household_without_labour_living_on_support_cannot_be_eliminated(mon):
    none = {"labour_capacity": "none"}
    profile_save(actor=mon.grid_worker, household=mon.household, year=mon.year,
                 values=healthy_values(wage_income="0", operating_income="0", transfer_income="24000"),
                 members={mon.head.pk: none, mon.spouse.pk: none, mon.child.pk: none})
    case = enrol(mon)
    conditions = {name: (ok, d) for name, ok, d in elimination_conditions(case, today=timezone.localdate(days(400)))}
    assert conditions["非无劳动能力兜底户"][0] is False
    with pytest.raises(JicengError):
        elimination_start(actor=mon.grid_worker, case=case, now=days(400))


def test_returning_risk_reenrols_with_history_intact(mon):
    profile_save(actor=mon.grid_worker, household=mon.household, year=mon.year, values=healthy_values())
    case = enrol(mon)
    MonitoringCase.objects.filter(pk=case.pk).update(status=CaseStatus.ELIMINATED, eliminated_on=timezone.localdate())
    new = signal_and_case(mon)
    assert new.pk != case.pk and new.status == CaseStatus.IDENTIFYING
    assert MonitoringCase.objects.filter(household=mon.household).count() == 2
    assert ReviewStep.objects.filter(case=case).count() == 6


def test_overdue_visits_are_raised_exactly_once(mon):
    from jiceng.notices.models import Notification

    case = enrol(mon)
    responsible_assign(actor=mon.community, case=case, user=mon.grid_worker)
    sv = ScheduledVisit.objects.get(case=case, visit__isnull=True)
    assert sv.due_on == case.enrolled_on + dt.timedelta(days=90)
    before_reminder = timezone.make_aware(dt.datetime.combine(sv.due_on - dt.timedelta(days=8), dt.time(9)))
    assert visits_check(now=before_reminder) == {"reminded": 0, "overdue": 0}
    on_reminder = before_reminder + dt.timedelta(days=1)
    assert visits_check(now=on_reminder) == {"reminded": 1, "overdue": 0}
    assert visits_check(now=on_reminder) == {"reminded": 0, "overdue": 0}
    late = timezone.make_aware(dt.datetime.combine(sv.due_on + dt.timedelta(days=1), dt.time(9)))
    assert visits_check(now=late) == {"reminded": 0, "overdue": 1}
    assert visits_check(now=late) == {"reminded": 0, "overdue": 0}
    assert visits_check(now=late + dt.timedelta(days=3)) == {"reminded": 0, "overdue": 0}
    sv.refresh_from_db()
    assert sv.overdue_at is not None
    from jiceng.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="monitoring.visit.overdue").count() == 1
    # The responsible cadre got one reminder before and one overdue notice after, through the outbox.
    messages = list(Notification.objects.filter(user=mon.grid_worker).order_by("id").values_list("message", flat=True))
    assert len(messages) == 2 and messages[0].startswith("走访提醒") and messages[1].startswith("走访逾期")


def test_assistance_visit_fulfils_the_schedule_and_sets_the_next(mon):
    case = enrol(mon)
    later = days(20)
    visit_record(actor=mon.grid_worker, household=mon.household, kind=VisitKind.ASSISTANCE,
                 visited_on=timezone.localdate(later), findings="了解康复情况", now=later)
    done = ScheduledVisit.objects.get(case=case, visit__isnull=False)
    assert done.done_on == timezone.localdate(later)
    nxt = ScheduledVisit.objects.get(case=case, visit__isnull=True, cancelled=False)
    assert nxt.due_on == timezone.localdate(later) + dt.timedelta(days=90)


def test_measures_and_responsible_cadre(mon):
    case = enrol(mon)
    with pytest.raises(PermissionDeniedError):
        responsible_assign(actor=mon.grid_worker, case=case, user=mon.grid_worker)
    with pytest.raises(JicengError):
        responsible_assign(actor=mon.community, case=case, user=mon.outsider)
    responsible_assign(actor=mon.community, case=case, user=mon.grid_worker)
    with pytest.raises(JicengError) as exc:
        measure_add(actor=mon.grid_worker, case=case, kind="health", description="医疗救助", started_on="",
                    amount="-5")
    assert exc.value.field == "started_on"
    with pytest.raises(JicengError) as exc:
        measure_add(actor=mon.grid_worker, case=case, kind="health", description="医疗救助",
                    started_on=timezone.localdate(), amount="-5")
    assert exc.value.field == "amount"
    m = measure_add(actor=mon.grid_worker, case=case, kind="health", description="医疗救助",
                    started_on=timezone.localdate(), amount="12000")
    assert m.amount == 12000 and case.measures.count() == 1


def test_nobody_approves_across_the_posting_either(mon, make_user):
    from jiceng.accounts.models import Role, RoleAssignment

    both = make_user(Role.COMMUNITY_STAFF, mon.district.comm_a, username="village-and-township")
    RoleAssignment.objects.create(user=both, role=Role.STREET_ADMIN, org_unit=mon.district.street)
    case = signal_and_case(mon)
    case_step(actor=mon.grid_worker, case=case, consent=True, category="marginal")
    case_step(actor=both, case=case)
    postings_close(now=days(5))
    with pytest.raises(JicengError) as exc:
        case_step(actor=both, case=case, now=days(5))
    assert exc.value.code == "self_approval"


def test_a_refused_elimination_proposal_changes_nothing(mon):
    profile_save(actor=mon.grid_worker, household=mon.household, year=mon.year, values=healthy_values())
    case = enrol(mon)
    steps = ReviewStep.objects.filter(case=case).count()
    with pytest.raises(JicengError):
        elimination_start(actor=mon.grid_worker, case=case, now=days(30))
    case.refresh_from_db()
    assert (case.status, case.procedure, case.stage) == (CaseStatus.MONITORED, "identification", Stage.DONE)
    assert ReviewStep.objects.filter(case=case).count() == steps


def test_the_worklist_does_not_offer_a_step_to_whoever_made_the_last_one(mon):
    from jiceng.monitoring.selectors import approvals_waiting

    case = signal_and_case(mon)
    case_step(actor=mon.community, case=case, consent=True, category="marginal")
    assert list(approvals_waiting(user=mon.community)) == []
    assert [c.pk for c in approvals_waiting(user=mon.community2)] == [case.pk]
