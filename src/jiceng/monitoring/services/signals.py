"""Risk signals (风险信号) from the three channels and the rules, and their verification (核实)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core.errors import JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED

from .. import permissions
from ..models import (
    ACTIVE_CASE_STATUSES, MONITORED_STATUSES, Channel, EconomicProfile, MonitoringCase, RiskKind, RiskSignal,
    RuleCode, ScheduledVisit, SignalStatus, Visit, VisitKind,
)
from ..rules import evaluate
from .config import _decimal, income_line_for, settings_for, site_of, thresholds_for


def _today(now) -> dt.date:
    return timezone.localdate(now)


def signal_raise(*, actor, household, channel: str, kind: str = "", rule_code: str = "", detail: str = "",
                 amount=None, visit=None, department_list=None, department: str = "", profile_year=None,
                 now=None) -> RiskSignal:
    """Open a signal and its verification task (deadline: the site's verification period)."""
    now = now or timezone.now()
    s = settings_for(site_of(household.org_path))
    active = (MonitoringCase.objects.unscoped(AUTHORISED).filter(household=household, status__in=ACTIVE_CASE_STATUSES)
              .values_list("pk", flat=True).first())
    with transaction.atomic():
        signal = RiskSignal.objects.create(
            household=household, org_path=household.org_path, channel=channel, kind=kind, rule_code=rule_code,
            detail=detail[:2000], amount=amount, visit=visit, department_list=department_list,
            department=department[:100], profile_year=profile_year, raised_by=actor if getattr(actor, "pk", None) else None,
            raised_at=now, deadline=_today(now) + dt.timedelta(days=s.verification_days), case_id=active)
        audit_log(actor=actor, action="monitoring.signal.raised", obj=signal, object_repr=f"{household.display_name} {signal.label()}",
                  after={"channel": channel, "kind": kind, "rule": rule_code, "amount": amount, "detail": detail[:200]})
    return signal


def latest_profile(household) -> EconomicProfile | None:
    return (EconomicProfile.objects.unscoped(AUTHORISED).filter(household=household).order_by("-year")
            .prefetch_related("members__resident").first())


def rules_run_for_household(household, *, now=None, actor=None, _site_cache=None) -> dict:
    """Evaluate the site's rules on the household's latest profile: raise what fires, clear what no
    longer does, and track how long income has stayed above the line for an active case."""
    from .profiles import profile_facts

    now = now or timezone.now()
    today = _today(now)
    profile = latest_profile(household)
    counts = {"raised": 0, "cleared": 0}
    if profile is None:
        return counts
    if _site_cache is not None:
        site, s, thresholds = _site_cache
    else:
        site = site_of(household.org_path)
        s, thresholds = settings_for(site), thresholds_for(site)
    line = income_line_for(s, profile.year)
    previous = (EconomicProfile.objects.unscoped(AUTHORISED).filter(household=household, year=profile.year - 1)
                .values_list("income_per_head", flat=True).first())
    fired = evaluate(profile_facts(profile, list(profile.members.all())), line=line, previous_per_head=previous,
                     thresholds=thresholds, today=today)
    # Only what was really evaluated may clear a signal: a rule switched off, or a year without a line
    # (or without last year's profile, for the drop rule), says nothing about the risk.
    evaluated = set(thresholds)
    if line is None:
        evaluated.discard(RuleCode.INCOME_BELOW_LINE)
    if not previous:
        evaluated.discard(RuleCode.INCOME_DROP)
    with transaction.atomic():
        open_rules = {sig.rule_code: sig for sig in RiskSignal.objects.unscoped(AUTHORISED).select_for_update()
                      .filter(household=household, channel=Channel.RULE, status=SignalStatus.OPEN)}
        # A rule signal already verified (confirmed or dismissed) for this profile year is not raised again.
        handled = set(RiskSignal.objects.unscoped(AUTHORISED).filter(
            household=household, channel=Channel.RULE, profile_year=profile.year,
            status__in=[SignalStatus.CONFIRMED, SignalStatus.DISMISSED]).values_list("rule_code", flat=True))
        for code, why in fired.items():
            if code not in open_rules and code not in handled:
                try:
                    with transaction.atomic():
                        signal_raise(actor=actor, household=household, channel=Channel.RULE, rule_code=code,
                                     detail=why, profile_year=profile.year, now=now)
                    counts["raised"] += 1
                except IntegrityError:
                    pass  # raised by a concurrent run: one open signal per rule
        for code, sig in open_rules.items():
            if code not in fired and code in evaluated:
                RiskSignal.objects.filter(pk=sig.pk, status=SignalStatus.OPEN).update(
                    status=SignalStatus.CLEARED, closed_at=now,
                    outcome=_("%(y)s年档案已不再触发该规则") % {"y": profile.year})
                audit_log(actor=actor, action="monitoring.signal.cleared", obj=sig, object_repr=sig.label(),
                          after={"profile_year": profile.year})
                counts["cleared"] += 1
        case = (MonitoringCase.objects.unscoped(AUTHORISED).select_for_update().filter(household=household, status__in=MONITORED_STATUSES)
                .first())
        if case is not None and line is not None:
            above = profile.income_per_head >= line
            if above and case.income_above_since is None:
                case.income_above_since = today
                case.save(update_fields=["income_above_since"])
            elif not above and case.income_above_since is not None:
                case.income_above_since = None
                case.save(update_fields=["income_above_since"])
    return counts


def rules_run_all(*, now=None, org_path: str = "") -> dict:
    """The scheduled run over every household with a profile (catches changed lines and rules)."""
    from jiceng.people.models import Household

    now = now or timezone.now()
    totals = {"households": 0, "raised": 0, "cleared": 0}
    cache: dict[str, tuple] = {}
    profiles = (EconomicProfile.objects.within(org_path) if org_path
                else EconomicProfile.objects.unscoped("the nightly run over every site"))
    ids = (profiles.values_list("household_id", flat=True)
           .distinct().order_by("household_id"))
    for hid in ids.iterator():
        h = Household.objects.get(pk=hid)
        root = h.org_path.split(".")[0] + "."
        if root not in cache:
            site = site_of(h.org_path)
            cache[root] = (site, settings_for(site), thresholds_for(site))
        c = rules_run_for_household(h, now=now, _site_cache=cache[root])
        totals["households"] += 1
        totals["raised"] += c["raised"]
        totals["cleared"] += c["cleared"]
    return totals


def _locked_signal(signal) -> RiskSignal:
    return RiskSignal.objects.unscoped(AUTHORISED).select_for_update().select_related("household").get(pk=signal.pk)


def signal_confirm(*, actor, signal: RiskSignal, note: str = "", now=None) -> RiskSignal:
    """The risk is real: open an identification case for the household (or add the signal to its
    active case). A household eliminated earlier gets a new case; its history stays."""
    now = now or timezone.now()
    if not permissions.can_record(actor, signal.org_path):
        raise PermissionDeniedError()
    if not note.strip():
        raise JicengError(_("请填写核实情况"), field="note")
    with transaction.atomic(durable=True):
        sig = _locked_signal(signal)
        if sig.status != SignalStatus.OPEN:
            raise JicengError(_("这条信号已处理（%(s)s）") % {"s": sig.get_status_display()}, field="status")
        case = (MonitoringCase.objects.unscoped(AUTHORISED).select_for_update().filter(household=sig.household, status__in=ACTIVE_CASE_STATUSES)
                .first())
        if case is None:
            try:
                with transaction.atomic():
                    case = MonitoringCase.objects.create(household=sig.household, org_path=sig.org_path)
                audit_log(actor=actor, action="monitoring.case.opened", obj=case, after={"signal": sig.pk})
            except IntegrityError:  # another signal of the household opened its case at the same moment
                case = MonitoringCase.objects.select_for_update().get(household=sig.household,
                                                                      status__in=ACTIVE_CASE_STATUSES)
        sig.status, sig.closed_at, sig.closed_by, sig.outcome, sig.case = SignalStatus.CONFIRMED, now, actor, note, case
        sig.save(update_fields=["status", "closed_at", "closed_by", "outcome", "case"])
        audit_log(actor=actor, action="monitoring.signal.confirmed", obj=sig, object_repr=sig.label(),
                  after={"case": case.pk, "note": note})
    return sig


def signal_dismiss(*, actor, signal: RiskSignal, reason: str, now=None) -> RiskSignal:
    now = now or timezone.now()
    if not permissions.can_record(actor, signal.org_path):
        raise PermissionDeniedError()
    if not reason.strip():
        raise JicengError(_("请填写排除理由"), field="reason")
    with transaction.atomic(durable=True):
        sig = _locked_signal(signal)
        if sig.status != SignalStatus.OPEN:
            raise JicengError(_("这条信号已处理（%(s)s）") % {"s": sig.get_status_display()}, field="status")
        sig.status, sig.closed_at, sig.closed_by, sig.outcome = SignalStatus.DISMISSED, now, actor, reason
        sig.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
        audit_log(actor=actor, action="monitoring.signal.dismissed", obj=sig, object_repr=sig.label(),
                  after={"reason": reason})
    return sig


def signals_mark_overdue(*, now=None) -> int:
    """Scheduler: mark open signals past their verification deadline, once."""
    now = now or timezone.now()
    return RiskSignal.objects.filter(status=SignalStatus.OPEN, overdue_at__isnull=True,
                                     deadline__lt=_today(now)).update(overdue_at=now)


def self_declaration_submit(*, actor, household, kind: str, detail: str, amount=None, now=None) -> RiskSignal:
    """农户自主申报: a resident for their own household, or a worker entering it for them."""
    if not permissions.can_declare_for_household(actor, household):
        raise PermissionDeniedError()
    if kind not in RiskKind.values:
        raise JicengError(_("请选择困难类型"), field="kind")
    if not (detail or "").strip():
        raise JicengError(_("请说明遇到的困难"), field="detail")
    value = _decimal(amount, field="amount", label=_("金额"), allow_none=True)
    with transaction.atomic(durable=True):
        return signal_raise(actor=actor, household=household, channel=Channel.SELF, kind=kind,
                            detail=detail.strip(), amount=value, now=now)


def visit_record(*, actor, household, kind: str, visited_on, findings: str, risks=(), now=None) -> Visit:
    """A visit (走访). Each risk found ((kind, amount, detail)) raises a visit signal; any visit to a
    monitored household fulfils its earliest scheduled visit and schedules the next."""
    now = now or timezone.now()
    if not permissions.can_record(actor, household.org_path):
        raise PermissionDeniedError()
    if kind not in VisitKind.values:
        raise JicengError(_("请选择走访类型"), field="kind")
    if isinstance(visited_on, str):
        try:
            visited_on = dt.date.fromisoformat(visited_on)
        except ValueError:
            raise JicengError(_("走访日期格式不正确"), field="visited_on") from None
    if visited_on is None:
        raise JicengError(_("请填写走访日期"), field="visited_on")
    if visited_on > _today(now):
        raise JicengError(_("走访日期不能晚于今天"), field="visited_on")
    if not (findings or "").strip():
        raise JicengError(_("请填写走访情况"), field="findings")
    checked = []
    for rk, amount, detail in risks:
        if rk not in RiskKind.values:
            raise JicengError(_("未知的风险类型"), field="risks")
        checked.append((rk, _decimal(amount, field="amount", label=_("金额"), allow_none=True), detail or ""))
    with transaction.atomic(durable=True):
        case = (MonitoringCase.objects.unscoped(AUTHORISED).select_for_update()
                .filter(household=household, status__in=ACTIVE_CASE_STATUSES).first())
        visit = Visit.objects.create(household=household, org_path=household.org_path, case=case, kind=kind,
                                     visited_on=visited_on, visitor=actor, findings=findings.strip())
        audit_log(actor=actor, action="monitoring.visit.recorded", obj=visit, object_repr=household.display_name,
                  org_path=household.org_path,
                  after={"kind": kind, "visited_on": visited_on, "risks": [r[0] for r in checked]})
        for rk, amount, detail in checked:
            text = detail or _("走访发现：%(k)s") % {"k": RiskKind(rk).label}
            signal_raise(actor=actor, household=household, channel=Channel.VISIT, kind=rk, detail=text,
                         amount=amount, visit=visit, now=now)
        if case is not None and case.status in MONITORED_STATUSES:
            from .cases import schedule_next_visit

            due = (ScheduledVisit.objects.select_for_update().filter(case=case, visit__isnull=True, cancelled=False)
                   .order_by("due_on").first())
            if due is not None:
                due.visit, due.done_on = visit, visited_on
                due.save(update_fields=["visit", "done_on"])
            schedule_next_visit(case, after=visited_on)
    return visit


def money(value) -> Decimal | None:
    return _decimal(value, field="amount", label=_("金额"), allow_none=True)


__all__ = ["RuleCode"]
