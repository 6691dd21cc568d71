"""Performance points (党建+积分绩效) on the ledger primitive: one account per cadre per year, opened with the
site's base points; manual adjustments posted only on a second person's approval; appeals within the window."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core import ledger
from jiceng.core.errors import ErrorCollector, JicengError, PermissionDeniedError
from jiceng.core.scope import AUTHORISED
from jiceng.notices.services import Subject, notification_send

from .. import permissions
from ..models import (
    AdjustmentStatus, Appeal, AppealStatus, PerformanceAccount, PerformanceEntry, PerformanceKind, PointsAdjustment,
)
from .rules import rules_for, site_of


def performance_account_open(*, cadre, year: int, now=None) -> PerformanceAccount:
    """The cadre's account for the year, opened with the site's base points (idempotent: one base per year)."""
    key = PerformanceAccount.key_for(cadre.pk, year)
    base = rules_for(site_of(cadre.org_path)).base_points
    if base > 0:
        ledger.post(PerformanceEntry, account_by={"key": key},
                    open_account={"cadre_id": cadre.pk, "year": year, "org_path": cadre.org_path},
                    amount=base, idempotency_key=f"base:{year}", kind=PerformanceKind.BASE,
                    reason=_("%(y)s 年度基础分") % {"y": year}, org_path=cadre.org_path,
                    source_type="cadre.rules", source_id=str(year), now=now)
    else:
        PerformanceAccount.objects.bulk_create(
            [PerformanceAccount(key=key, cadre_id=cadre.pk, year=year, org_path=cadre.org_path)], ignore_conflicts=True)
    return PerformanceAccount.objects.unscoped(AUTHORISED).get(key=key)


def performance_post(*, cadre, year: int, amount: int, kind: str, reason: str, idempotency_key: str,
                     source_type: str = "", source_id="", actor=None, now=None) -> PerformanceEntry | None:
    """Post to the cadre's year (opening it with the base points first). The same idempotency key posts once.
    A deduction beyond the balance is cut to it; ``None`` when nothing was left to deduct."""
    return performance_post_once(cadre=cadre, year=year, amount=amount, kind=kind, reason=reason,
                                 idempotency_key=idempotency_key, source_type=source_type, source_id=source_id,
                                 actor=actor, now=now)[0]


def performance_post_once(*, cadre, year: int, amount: int, kind: str, reason: str, idempotency_key: str,
                          source_type: str = "", source_id="", actor=None, now=None):
    """``performance_post`` returning ``(entry, created)``: ``created`` is false when the key had posted before."""
    if amount == 0:
        return None, False
    with transaction.atomic():
        account = performance_account_open(cadre=cadre, year=year, now=now)
        return ledger.post(PerformanceEntry, account=account, amount=amount, idempotency_key=idempotency_key,
                           kind=kind, reason=reason[:300], org_path=cadre.org_path,
                           source_type=source_type, source_id=str(source_id or ""),
                           actor=actor if getattr(actor, "pk", None) else None, clamp=True, now=now)


# --------------------------------------------------------------------------- manual adjustments

def adjustment_propose(*, actor, cadre, year: int, amount, reason: str, now=None) -> PointsAdjustment:
    """Propose a manual addition or deduction (人工加减分) with a reason; nothing is posted yet."""
    if not permissions.can_manage(actor, cadre.org_path):
        raise PermissionDeniedError()
    errors = ErrorCollector()
    try:
        amount = int(amount)
        if amount == 0 or abs(amount) > 100:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("amount", _("加减分应为 -100 到 100 之间、不为 0 的整数"))
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("请填写加减分事由"))
    errors.raise_if_any()
    now = now or timezone.now()
    with transaction.atomic():
        adj = PointsAdjustment.objects.create(cadre=cadre, org_path=cadre.org_path, year=year, amount=amount,
                                              reason=reason[:300], proposed_by=actor, proposed_at=now)
        audit_log(actor=actor, action="cadre.adjustment.proposed", obj=adj, object_repr=f"{cadre.name} {amount:+d}",
                  after={"amount": amount, "reason": reason[:200], "year": year})
    return adj


def adjustment_decide(*, actor, adjustment: PointsAdjustment, approve: bool, note: str = "",
                      now=None) -> PointsAdjustment:
    """A second person approves (posts it) or rejects it. The proposer may not decide their own proposal."""
    if not permissions.can_manage(actor, adjustment.org_path):
        raise PermissionDeniedError()
    if adjustment.proposed_by_id == actor.pk:
        raise JicengError(_("加减分须由提议人以外的第二人审批"), field="decided_by", code="same_person")
    now = now or timezone.now()
    with transaction.atomic():
        adj = PointsAdjustment.objects.unscoped(AUTHORISED).select_for_update().get(pk=adjustment.pk)
        if adj.status != AdjustmentStatus.PENDING:
            raise JicengError(_("该申请已审批"), field="status", code="already_decided")
        adj.decided_by, adj.decided_at, adj.decision_note = actor, now, (note or "")[:300]
        if approve:
            from jiceng.people.models import Cadre

            cadre = Cadre.objects.unscoped(AUTHORISED).get(pk=adj.cadre_id)
            adj.entry = performance_post(cadre=cadre, year=adj.year, amount=adj.amount, kind=PerformanceKind.MANUAL,
                                         reason=adj.reason, idempotency_key=f"adjustment:{adj.pk}",
                                         source_type="cadre.adjustment", source_id=adj.pk, actor=actor, now=now)
            adj.status = AdjustmentStatus.APPROVED
        else:
            adj.status = AdjustmentStatus.REJECTED
        adj.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "entry"])
        audit_log(actor=actor, action="cadre.adjustment.approved" if approve else "cadre.adjustment.rejected", obj=adj,
                  object_repr=f"{adj.amount:+d} {adj.reason[:50]}", after={"note": note[:200] if note else ""})
    return adj


# --------------------------------------------------------------------------- appeals

def appeal_deadline(entry: PerformanceEntry) -> dt.datetime:
    rules = rules_for(site_of(entry.org_path))
    return entry.created_at + dt.timedelta(days=rules.appeal_days)


def appeal_file(*, actor, entry: PerformanceEntry, reason: str, now=None) -> Appeal:
    """The cadre appeals a deduction (申诉) within the site's window; upheld, the deduction is reversed. An
    addition, the base or a reversal cannot be appealed (a grade thought too low is raised by a manual
    addition, which needs its own second approver)."""
    now = now or timezone.now()
    account = PerformanceAccount.objects.unscoped(AUTHORISED).select_related("cadre").get(pk=entry.account_id)
    cadre = permissions.cadre_of(actor)
    if cadre is None or cadre.pk != account.cadre_id:
        raise PermissionDeniedError(_("只能对本人的积分提出申诉"))
    errors = ErrorCollector()
    if entry.kind in (PerformanceKind.BASE, PerformanceKind.APPEAL) or entry.reverses_id or entry.amount > 0:
        errors.add("entry", _("只能对扣分提出申诉"))
    deadline = appeal_deadline(entry)
    if now > deadline:
        errors.add("entry", _("已超过申诉期限（%(d)s 前）") % {"d": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")})
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("请填写申诉理由"))
    errors.raise_if_any()
    with transaction.atomic():
        if Appeal.objects.unscoped(AUTHORISED).filter(entry=entry).exists():
            raise JicengError(_("该笔积分已申诉过"), field="entry", code="already_appealed")
        appeal = Appeal.objects.create(entry=entry, cadre_id=account.cadre_id, org_path=entry.org_path,
                                       reason=reason[:2000], filed_by=actor, filed_at=now)
        audit_log(actor=actor, action="cadre.appeal.filed", obj=appeal, object_repr=f"{account.cadre.name} {entry.reason[:50]}",
                  after={"entry": entry.pk, "amount": entry.amount})
    return appeal


def appeal_decide(*, actor, appeal: Appeal, uphold: bool, note: str = "", now=None) -> Appeal:
    """Review an appeal (复核): upheld, the entry is reversed on the ledger; dismissed, it stands. Recorded either way."""
    if not permissions.can_manage(actor, appeal.org_path):
        raise PermissionDeniedError()
    cadre = permissions.cadre_of(actor)
    if cadre is not None and cadre.pk == appeal.cadre_id:
        raise JicengError(_("不能复核本人的申诉"), field="decided_by", code="same_person")
    note = (note or "").strip()
    if not note:
        raise JicengError(_("请填写复核意见"), field="note")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appeal.objects.unscoped(AUTHORISED).select_for_update().get(pk=appeal.pk)
        if locked.status != AppealStatus.PENDING:
            raise JicengError(_("该申诉已复核"), field="status", code="already_decided")
        locked.decided_by, locked.decided_at, locked.decision_note = actor, now, note[:500]
        if uphold:
            entry = PerformanceEntry.objects.unscoped(AUTHORISED).get(pk=locked.entry_id)
            locked.reversal = ledger.reverse(entry, idempotency_key=f"appeal:{locked.pk}", kind=PerformanceKind.APPEAL,
                                             reason=(_("申诉成立，改正：%(r)s") % {"r": entry.reason})[:300],
                                             org_path=entry.org_path, actor=actor, now=now)
            locked.status = AppealStatus.UPHELD
        else:
            locked.status = AppealStatus.DISMISSED
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "reversal"])
        audit_log(actor=actor, action=f"cadre.appeal.{locked.status}", obj=locked, after={"note": note[:200]})
        filer = locked.filed_by_id
        notification_send(user_ids=[filer], message=_("您的积分申诉已复核：%(s)s") % {"s": AppealStatus(locked.status).label},
                          subject=Subject("cadre.appeal", locked.pk, "/cadre/points/"))
    return locked
