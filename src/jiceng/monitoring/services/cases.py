"""Monitored households (监测对象): the identification and elimination chains, responsible cadres,
assistance measures and the visit schedule.

Both chains run the same steps: 入户核实 → 村级民主评议 → 村级公示 (closed by the scheduler when its
days are over) → 乡镇审核 → 县级审定 → 公告. Each step needs its role over the household, and nobody
may complete a step after completing the one before it.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.notices.services import Subject, notification_send

from .. import permissions
from ..models import (
    Category, CaseStatus, EconomicProfile, LabourCapacity, MeasureKind, AssistanceMeasure, MonitoringCase,
    Procedure, ReviewStep, RiskSignal, RuleCode, ScheduledVisit, SignalStatus, Stage,
)
from ..rules import evaluate, guarantees
from .config import _decimal, income_line_for, settings_for, site_of, thresholds_for

NEXT_STAGE = {
    Stage.HOME_CHECK: Stage.VILLAGE_REVIEW,
    Stage.VILLAGE_REVIEW: Stage.POSTING,
    Stage.TOWNSHIP_REVIEW: Stage.COUNTY_APPROVAL,
    Stage.COUNTY_APPROVAL: Stage.ANNOUNCEMENT,
    Stage.ANNOUNCEMENT: Stage.DONE,
}


def _today(now) -> dt.date:
    return timezone.localdate(now)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day when it has fewer days)."""
    import calendar

    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _locked(case) -> MonitoringCase:
    return MonitoringCase.objects.unscoped(AUTHORISED).select_for_update(of=("self",)).select_related("household").get(pk=case.pk)


def _parse_day(value, today: dt.date) -> dt.date:
    if value in (None, ""):
        return today
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise JicengError(_("日期格式不正确"), field="acted_on") from None
    if value > today:
        raise JicengError(_("日期不能晚于今天"), field="acted_on")
    return value


def elimination_conditions(case: MonitoringCase, *, today: dt.date | None = None) -> list[tuple[str, bool, str]]:
    """The conditions for risk elimination (风险消除), each (name, met, detail), checked against the record."""
    from .profiles import profile_facts

    today = today or timezone.localdate()
    site = site_of(case.org_path)
    s = settings_for(site)
    profile = (EconomicProfile.objects.unscoped(AUTHORISED).filter(household_id=case.household_id).order_by("-year")
               .prefetch_related("members__resident").first())
    if profile is None:
        return [(_("家庭经济档案"), False, _("没有经济档案，无法判断"))]
    facts = profile_facts(profile, list(profile.members.all()))
    line = income_line_for(s, profile.year)
    out = []
    since_needed = months_before(today, s.observation_months)
    if line is None:
        out.append((_("收入稳定高于监测标准"), False, _("未设置%(y)s年监测标准") % {"y": profile.year}))
    elif case.income_above_since is None:
        out.append((_("收入稳定高于监测标准"), False,
                    _("人均纯收入 %(v)s 元，未高于监测标准 %(l)s 元") % {"v": profile.income_per_head, "l": line}))
    else:
        ok = case.income_above_since <= since_needed
        out.append((_("收入稳定高于监测标准"), ok,
                    _("自 %(d)s 起高于监测标准 %(l)s 元，需持续 %(m)d 个月") % {
                        "d": case.income_above_since.isoformat(), "l": line, "m": s.observation_months}))
    g = guarantees(facts, today=today)
    missing = [name for name, (ok, _d) in g.items() if not ok]
    out.append((_("“三保障”和饮水安全有保障"), not missing,
                _("未保障：%(x)s") % {"x": "、".join(missing)} if missing else _("均已保障")))
    # Every rule counts here, whether or not the site raises signals for it (its own threshold, or the default).
    site_thresholds = thresholds_for(site)
    thresholds = {code: site_thresholds.get(code) for code in RuleCode.values}
    fired = evaluate(facts, line=line, previous_per_head=None, thresholds=thresholds, today=today)
    rigid = fired.get(RuleCode.RIGID_EXPENSE)
    out.append((_("刚性支出问题已解决"), rigid is None, rigid or _("刚性支出在合理范围内")))
    open_signals = RiskSignal.objects.unscoped(AUTHORISED).filter(household_id=case.household_id,
                                                                status=SignalStatus.OPEN).count()
    others = [v for k, v in fired.items() if k not in (RuleCode.RIGID_EXPENSE, RuleCode.INCOME_BELOW_LINE)]
    out.append((_("无新增风险"), not open_signals and not others,
                _("有 %(n)d 条待核实的风险信号") % {"n": open_signals} if open_signals else ("；".join(others) or _("无"))))
    living = [m for m in profile.members.all() if m.resident.status == "living"]
    if not living:
        out.append((_("非无劳动能力兜底户"), False, _("档案中没有在住成员的情况，无法判断劳动能力")))
        return out
    no_labour = all(m.labour_capacity == LabourCapacity.NONE for m in living)
    dependent = no_labour and profile.transfer_income > 0
    out.append((_("非无劳动能力兜底户"), not dependent,
                _("家庭无劳动能力且依靠转移性收入保障，不能标注风险消除") if dependent else _("有劳动能力或不依赖兜底")))
    return out


def _attempt_steps(case: MonitoringCase):
    """The steps of the chain now running: its procedure, since its latest home check."""
    steps = case.steps.filter(procedure=case.procedure)
    if case.stage == Stage.HOME_CHECK:
        return steps.none()
    start = steps.filter(stage=Stage.HOME_CHECK).order_by("-at", "-id").first()
    return steps.filter(at__gte=start.at) if start is not None else steps


def _check_actor(case: MonitoringCase, actor, stage: str) -> None:
    if not permissions.can_act_on_stage(actor, stage, case.org_path):
        raise PermissionDeniedError(_("“%(s)s”须由相应层级的人员办理") % {"s": Stage(stage).label})
    # The posting's close is the scheduler's (no actor): compare with the last person who acted.
    last = _attempt_steps(case).filter(actor__isnull=False).order_by("-at", "-id").first()
    if last is not None and last.actor_id == actor.pk:
        raise JicengError(_("上一环节由您办理，本环节须由其他人员审核"), field="actor", code="self_approval")


def case_step(*, actor, case: MonitoringCase, approved: bool = True, note: str = "", consent: bool = False,
              category: str = "", acted_on=None, now=None) -> MonitoringCase:
    """Complete the case's current step (approve to move on, or refuse with a reason)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        return _step_locked(_locked(case), actor=actor, approved=approved, note=note, consent=consent,
                            category=category, acted_on=acted_on, now=now)


def _step_locked(case: MonitoringCase, *, actor, approved: bool, note: str, consent: bool, category: str, acted_on,
                 now) -> MonitoringCase:
    """The step itself, on a case already locked inside the caller's transaction."""
    today = _today(now)
    day = _parse_day(acted_on, today)
    stage = case.stage
    if case.status not in (CaseStatus.IDENTIFYING, CaseStatus.ELIMINATING):
        raise JicengError(_("该户当前没有待审核的流程（%(s)s）") % {"s": case.get_status_display()}, field="stage")
    if stage == Stage.POSTING:
        raise JicengError(_("公示期至 %(d)s，期满后方可进行乡镇审核") % {"d": case.posting_ends.isoformat()},
                          field="stage", code="posting")
    _check_actor(case, actor, stage)
    last = _attempt_steps(case).order_by("-at", "-id").first()
    if last is not None and day < last.acted_on:
        raise JicengError(_("日期不能早于上一环节（%(d)s）") % {"d": last.acted_on.isoformat()}, field="acted_on")
    if not approved and not note.strip():
        raise JicengError(_("不同意时须写明理由"), field="note")
    identification = case.procedure == Procedure.IDENTIFICATION
    checks = {}
    if approved and identification and stage == Stage.HOME_CHECK:
        if not consent:
            raise JicengError(_("入户核实须记录农户同意（授权核查家庭经济状况）"), field="consent")
        if category not in Category.values:
            raise JicengError(_("请选择拟纳入的监测类别"), field="category")
    if approved and identification and stage == Stage.COUNTY_APPROVAL and category and category not in Category.values:
        raise JicengError(_("请选择监测类别"), field="category")
    if approved and not identification:
        conditions = elimination_conditions(case, today=today)
        checks = {name: [ok, detail] for name, ok, detail in conditions}
        failed = [name for name, ok, _d in conditions if not ok]
        if failed:
            raise JicengError(_("风险消除条件不满足：%(x)s") % {"x": "、".join(failed)}, field="conditions",
                              code="conditions")
    step = ReviewStep.objects.create(case=case, procedure=case.procedure, stage=stage, actor=actor, acted_on=day,
                                     at=now, approved=approved, consent=consent, category=category or "",
                                     note=note.strip(), checks=checks)
    before = {"status": case.status, "stage": case.stage, "category": case.category}
    procedure = case.procedure
    fields = ["status", "stage", "category", "posting_ends", "posting_closed_at", "enrolled_on", "eliminated_on",
              "dismissed_reason", "people_count", "procedure"]
    if not approved:
        if identification:
            case.status, case.stage, case.dismissed_reason = CaseStatus.DISMISSED, Stage.DONE, note.strip()
        else:
            case.status, case.stage, case.procedure = CaseStatus.MONITORED, Stage.DONE, Procedure.IDENTIFICATION
    else:
        if category and identification:
            case.category = category
        nxt = NEXT_STAGE[stage]
        case.stage = nxt
        if nxt == Stage.POSTING:
            s = settings_for(site_of(case.org_path))
            case.posting_ends = day + dt.timedelta(days=s.posting_days - 1)
            case.posting_closed_at = None
        if nxt == Stage.DONE:
            if identification:
                case.status, case.enrolled_on = CaseStatus.MONITORED, day
                case.people_count = _people(case)
                profile_line_track(case, today)
                schedule_next_visit(case, after=day)
            else:
                case.status, case.eliminated_on = CaseStatus.ELIMINATED, day
                ScheduledVisit.objects.filter(case=case, visit__isnull=True).update(cancelled=True)
    case.save(update_fields=fields)
    audit_log(actor=actor, action=f"monitoring.case.{procedure}.{stage}", obj=case,
              object_repr=f"{case.household.display_name} {Stage(stage).label}",
              before=before, after={"status": case.status, "stage": case.stage, "category": case.category,
                                    "approved": approved, "note": note, "step": step.pk})
    return case


def _people(case) -> int:
    from jiceng.people.models import Resident, ResidentStatus

    return Resident.objects.unscoped(AUTHORISED).filter(household_id=case.household_id, status=ResidentStatus.LIVING).count()


def profile_line_track(case: MonitoringCase, today: dt.date) -> None:
    """Start (or stop) the income observation period from the household's latest profile."""
    profile = EconomicProfile.objects.unscoped(AUTHORISED).filter(household_id=case.household_id).order_by("-year").first()
    line = income_line_for(settings_for(site_of(case.org_path)), profile.year) if profile else None
    if profile is None or line is None or profile.income_per_head < line:
        case.income_above_since = None
    elif case.income_above_since is None:
        case.income_above_since = today
    case.save(update_fields=["income_above_since"])


def elimination_start(*, actor, case: MonitoringCase, note: str = "", acted_on=None, now=None) -> MonitoringCase:
    """Propose risk elimination after a home check: every condition must hold on the record. The
    home check is the chain's first step, with the conditions checked and stored on it; all of it is
    one transaction, so a refused proposal leaves the case as it was."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        case = _locked(case)
        if case.status != CaseStatus.MONITORED:
            raise JicengError(_("只有监测帮扶中的户可以申请风险消除"), field="status")
        if not permissions.can_act_on_stage(actor, Stage.HOME_CHECK, case.org_path):
            raise PermissionDeniedError()
        case.procedure, case.status, case.stage = Procedure.ELIMINATION, CaseStatus.ELIMINATING, Stage.HOME_CHECK
        return _step_locked(case, actor=actor, approved=True, note=note or _("入户核实风险消除条件"), consent=False,
                            category="", acted_on=acted_on, now=now)


def postings_close(*, now=None) -> int:
    """Scheduler: close the postings whose days are over; the case waits for the township review."""
    now = now or timezone.now()
    today = _today(now)
    closed = 0
    for case in MonitoringCase.objects.filter(stage=Stage.POSTING, posting_ends__lt=today).select_related("household"):
        with transaction.atomic():
            n = MonitoringCase.objects.filter(pk=case.pk, stage=Stage.POSTING).update(
                stage=Stage.TOWNSHIP_REVIEW, posting_closed_at=now)
            if n:
                ReviewStep.objects.create(case=case, procedure=case.procedure, stage=Stage.POSTING, actor=None,
                                          acted_on=case.posting_ends, at=now, approved=True,
                                          note=_("公示期满，无异议"))
                audit_log(actor=None, action="monitoring.case.posting_closed", obj=case,
                          after={"posting_ends": case.posting_ends})
                closed += n
    return closed


def schedule_next_visit(case: MonitoringCase, *, after: dt.date) -> ScheduledVisit:
    s = settings_for(site_of(case.org_path))
    due = after + dt.timedelta(days=s.visit_interval_days)
    ScheduledVisit.objects.filter(case=case, visit__isnull=True, cancelled=False).exclude(due_on=due).update(
        cancelled=True)
    sv, _c = ScheduledVisit.objects.get_or_create(case=case, due_on=due, defaults={"org_path": case.org_path})
    return sv


def visits_check(*, now=None) -> dict:
    """Scheduler: remind the responsible cadre before a visit is due, and mark it overdue after —
    each exactly once (stored on the scheduled visit), however often the job runs."""
    now = now or timezone.now()
    today = _today(now)
    counts = {"reminded": 0, "overdue": 0}
    open_visits = ScheduledVisit.objects.filter(visit__isnull=True, cancelled=False,
                                                case__status__in=[CaseStatus.MONITORED, CaseStatus.ELIMINATING])
    by_site: dict[str, int] = {}
    for sv in open_visits.filter(reminded_at__isnull=True).select_related("case__household__head", "case__responsible"):
        root = sv.org_path.split(".")[0] + "."
        if root not in by_site:
            by_site[root] = settings_for(site_of(sv.org_path)).visit_reminder_days
        if sv.due_on - dt.timedelta(days=by_site[root]) <= today:
            with transaction.atomic():
                if ScheduledVisit.objects.filter(pk=sv.pk, reminded_at__isnull=True).update(reminded_at=now):
                    counts["reminded"] += 1
                    _remind(sv, _("走访提醒：%(h)s 应于 %(d)s 前走访") % {
                        "h": sv.case.household.display_name, "d": sv.due_on.isoformat()}, now)
    for sv in open_visits.filter(overdue_at__isnull=True, due_on__lt=today).select_related("case__household__head",
                                                                                          "case__responsible"):
        with transaction.atomic():
            if ScheduledVisit.objects.filter(pk=sv.pk, overdue_at__isnull=True).update(overdue_at=now):
                counts["overdue"] += 1
                _remind(sv, _("走访逾期：%(h)s 应于 %(d)s 走访，尚未记录") % {
                    "h": sv.case.household.display_name, "d": sv.due_on.isoformat()}, now)
                audit_log(actor=None, action="monitoring.visit.overdue", obj=sv.case,
                          object_repr=sv.case.household.display_name, after={"due_on": sv.due_on})
    return counts


def _remind(sv: ScheduledVisit, message: str, now) -> None:
    """The responsible cadre's reminder, through the shared outbox (in-app inbox; SMS can deliver it)."""
    if sv.case.responsible_id:
        notification_send(user_ids=[sv.case.responsible_id], message=message, now=now,
                          subject=Subject("monitoring.case", sv.case_id,
                                          reverse("monitoring:household", args=[sv.case.household_id])))


def responsible_assign(*, actor, case: MonitoringCase, user) -> MonitoringCase:
    """Name the household's responsible cadre (帮扶责任人): a monitoring worker over the household."""
    if not permissions.can_act_on_stage(actor, Stage.VILLAGE_REVIEW, case.org_path) and not \
            permissions.can_act_on_stage(actor, Stage.TOWNSHIP_REVIEW, case.org_path):
        raise PermissionDeniedError()
    if user is None or not permissions.can_record(user, case.org_path):
        raise JicengError(_("帮扶责任人须是负责该户所在地的工作人员"), field="responsible")
    with transaction.atomic(durable=True):
        case = _locked(case)
        before = case.responsible_id
        case.responsible = user
        case.save(update_fields=["responsible"])
        audit_log(actor=actor, action="monitoring.case.responsible", obj=case, before={"responsible": before},
                  after={"responsible": user.pk, "name": str(user)})
    return case


def measure_add(*, actor, case: MonitoringCase, kind: str, description: str, started_on, amount=0,
                result: str = "", now=None) -> AssistanceMeasure:
    now = now or timezone.now()
    if not (permissions.can_record(actor, case.org_path) or case.responsible_id == actor.pk):
        raise PermissionDeniedError()
    if case.status not in (CaseStatus.MONITORED, CaseStatus.ELIMINATING):
        raise JicengError(_("只有监测帮扶中的户可以登记帮扶措施"), field="status")
    if kind not in MeasureKind.values:
        raise JicengError(_("请选择帮扶类型"), field="kind")
    if not (description or "").strip():
        raise JicengError(_("请填写措施内容"), field="description")
    start = _parse_day(started_on, _today(now)) if started_on not in (None, "") else None
    if start is None:
        raise JicengError(_("请填写开始日期"), field="started_on")
    value = _decimal(amount or 0, field="amount", label=_("金额"))
    with transaction.atomic(durable=True):
        m = AssistanceMeasure.objects.create(case=case, kind=kind, description=description.strip()[:200],
                                             started_on=start, amount=value, result=result.strip(), created_by=actor)
        audit_log(actor=actor, action="monitoring.measure.added", obj=case, object_repr=case.household.display_name,
                  after={"measure": m.pk, "kind": kind, "amount": value, "description": m.description})
    return m


def measure_update(*, actor, measure: AssistanceMeasure, result: str) -> AssistanceMeasure:
    case = measure.case
    if not (permissions.can_record(actor, case.org_path) or case.responsible_id == actor.pk):
        raise PermissionDeniedError()
    with transaction.atomic(durable=True):
        before = measure.result
        measure.result = result.strip()
        measure.save(update_fields=["result"])
        audit_log(actor=actor, action="monitoring.measure.updated", obj=case, object_repr=case.household.display_name,
                  before={"result": before}, after={"measure": measure.pk, "result": measure.result})
    return measure
