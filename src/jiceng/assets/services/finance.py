"""Funded projects and their reimbursement (报账), collective income with its thresholds and responsibility
letters, and community funds on the ledger primitive (in fen; a fund never goes negative)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.audit.services import audit_log
from jiceng.core import ledger
from jiceng.core.errors import ErrorCollector, JicengError

from .. import permissions
from ..models import (
    CommunityFund, EconomySettings, FundOverdrawn, FundedProject, FundEntry, FundEntryKind, FundingSource, FundKind, IncomeKind,
    IncomeRecord, ProjectStatus, Reimbursement, ResponsibilityLetter,
)
from .common import day, economy_unit, locked, need, text
from .money import fen, yuan


def _year(value, errors, field: str = "year") -> int | None:
    clean = errors.integers({field: value}, (field,), low=2000, high=2100)
    if field not in clean and field not in errors.errors:
        errors.add(field, _("请填写年度"))
    return clean.get(field)


# --------------------------------------------------------------------------- funded projects

def project_create(*, actor, org_unit, name: str, source: str, year, allocated, contractor: str = "",
                   contract_amount=None) -> FundedProject:
    """Register a funded project (项目资金) with the money allocated to it (下达资金)."""
    if org_unit is None:
        raise JicengError(_("请选择实施单位"), field="org_unit")
    need(permissions.can_review, actor, org_unit.path)
    errors = ErrorCollector()
    name = text(name, "name", errors, _("项目名称"), max_length=100)
    if source not in FundingSource.values:
        errors.add("source", _("请选择资金来源"))
    year = _year(year, errors)
    allocated = yuan(allocated, "allocated", errors, label=_("下达资金"), zero=False)
    contract_amount = yuan(contract_amount, "contract_amount", errors, label=_("合同金额"), required=False)
    errors.raise_if_any()
    with transaction.atomic():
        p = FundedProject.objects.create(org_unit=org_unit, org_path=org_unit.path, name=name, source=source, year=year,
                                         allocated=allocated, contractor=(contractor or "").strip()[:100],
                                         contract_amount=contract_amount, created_by=actor)
        audit_log(actor=actor, action="assets.project.created", obj=p, after={"allocated": str(allocated), "year": year})
    return p


def project_progress(*, actor, project: FundedProject, progress, status: str) -> FundedProject:
    need(permissions.can_keep, actor, project.org_path)
    errors = ErrorCollector()
    clean = errors.integers({"progress": progress}, ("progress",), high=100)
    if status not in ProjectStatus.values:
        errors.add("status", _("请选择状态"))
    elif status == ProjectStatus.DONE and clean.get("progress") != 100:
        errors.add("progress", _("完工项目进度应为 100%"))
    errors.raise_if_any()
    with transaction.atomic():
        p = locked(FundedProject, project.pk)
        before = {"progress": p.progress, "status": p.status}
        p.progress, p.status = clean["progress"], status
        p.save(update_fields=["progress", "status"])
        audit_log(actor=actor, action="assets.project.progressed", obj=p, before=before,
                  after={"progress": p.progress, "status": p.status})
    return p


def reimbursement_record(*, actor, project: FundedProject, amount, on, voucher: str, note: str = "") -> Reimbursement:
    """Reimburse a payment against a project (报账); never beyond the money allocated."""
    need(permissions.can_keep, actor, project.org_path)
    errors = ErrorCollector()
    amount = yuan(amount, "amount", errors, label=_("报账金额"), zero=False)
    on = day(on, "on", errors, _("报账日期"))
    voucher = text(voucher, "voucher", errors, _("凭证号"), max_length=40)
    errors.raise_if_any()
    with transaction.atomic():
        p = locked(FundedProject, project.pk)
        if p.reimbursed + amount > p.allocated:
            raise JicengError(_("已报账 %(r)s 元，再报 %(a)s 元将超过下达资金 %(t)s 元") % {
                "r": p.reimbursed, "a": amount, "t": p.allocated}, field="amount", code="beyond_allocated")
        r = Reimbursement.objects.create(project=p, org_path=p.org_path, amount=amount, on=on, voucher=voucher,
                                         note=(note or "").strip()[:200], recorded_by=actor)
        p.reimbursed = p.reimbursed + amount
        p.save(update_fields=["reimbursed"])
        audit_log(actor=actor, action="assets.reimbursement.recorded", obj=r, object_repr=f"{p.name} · {amount}",
                  org_path=p.org_path, after={"amount": str(amount), "reimbursed": str(p.reimbursed)})
    return r


# --------------------------------------------------------------------------- collective income

def income_record(*, actor, org_unit, year, kind: str, amount, on, description: str) -> IncomeRecord:
    """Enter an item of collective income (集体经济收入) for a village's year."""
    org_unit = economy_unit(org_unit)
    need(permissions.can_keep, actor, org_unit.path)
    errors = ErrorCollector()
    year = _year(year, errors)
    if kind not in IncomeKind.values:
        errors.add("kind", _("请选择收入类别"))
    amount = yuan(amount, "amount", errors, label=_("金额"), zero=False)
    on = day(on, "on", errors, _("入账日期"))
    description = text(description, "description", errors, _("摘要"), max_length=200)
    if year and on and on.year != year:
        errors.add("on", _("入账日期应在 %(y)d 年内") % {"y": year})
    errors.raise_if_any()
    with transaction.atomic():
        r = IncomeRecord.objects.create(org_unit=org_unit, org_path=org_unit.path, year=year, kind=kind, amount=amount,
                                        on=on, description=description, recorded_by=actor)
        audit_log(actor=actor, action="assets.income.recorded", obj=r, object_repr=f"{org_unit.name} {description}",
                  after={"kind": kind, "amount": str(amount), "year": year})
    return r


def settings_for(site) -> EconomySettings:
    return EconomySettings.objects.filter(site=site).first() or EconomySettings(site=site)


def settings_update(*, actor, site, total_threshold=None, operating_threshold=None, expiry_alert_days=None,
                    low_yield_percent=None) -> EconomySettings:
    need(permissions.can_review, actor, site.path)
    errors = ErrorCollector()
    clean = {}
    if total_threshold is not None:
        clean["total_threshold"] = yuan(total_threshold, "total_threshold", errors, label=_("总收入标准"))
    if operating_threshold is not None:
        clean["operating_threshold"] = yuan(operating_threshold, "operating_threshold", errors, label=_("经营性收入标准"))
    if low_yield_percent is not None:
        from .money import percent

        clean["low_yield_percent"] = percent(low_yield_percent, "low_yield_percent", errors, label=_("低效资产标准"))
    if expiry_alert_days is not None:
        clean.update(errors.integers({"expiry_alert_days": expiry_alert_days}, ("expiry_alert_days",), low=1, high=365))
    errors.raise_if_any()
    with transaction.atomic():
        s = EconomySettings.objects.select_for_update().filter(site=site).first() or EconomySettings(site=site)
        names = ("total_threshold", "operating_threshold", "expiry_alert_days", "low_yield_percent")
        before = {n: str(getattr(s, n)) for n in names}
        for k, v in clean.items():
            setattr(s, k, v)
        s.save()
        audit_log(actor=actor, action="assets.settings.updated", obj=s, object_repr=site.name, org_path=site.path,
                  before=before, after={n: str(getattr(s, n)) for n in names})
    return s


def letter_sign(*, actor, org_unit, year, target_total, target_operating, signed_on, signed_by: str,
                measures: str = "") -> ResponsibilityLetter:
    """A village's development responsibility letter for a year (集体经济发展责任书), signed with the township."""
    org_unit = economy_unit(org_unit)
    need(permissions.can_review, actor, org_unit.path)
    errors = ErrorCollector()
    year = _year(year, errors)
    target_total = yuan(target_total, "target_total", errors, label=_("总收入目标"))
    target_operating = yuan(target_operating, "target_operating", errors, label=_("经营性收入目标"))
    signed_on = day(signed_on, "signed_on", errors, _("签订日期"))
    signed_by = text(signed_by, "signed_by", errors, _("责任人"), max_length=100)
    if target_total is not None and target_operating is not None and target_operating > target_total:
        errors.add("target_operating", _("经营性收入目标不能大于总收入目标"))
    errors.raise_if_any()
    with transaction.atomic():
        if ResponsibilityLetter.objects.within(org_unit.path).filter(org_unit=org_unit, year=year).exists():
            raise JicengError(_("%(u)s %(y)d 年的责任书已签订") % {"u": org_unit.name, "y": year}, field="year")
        letter = ResponsibilityLetter.objects.create(
            org_unit=org_unit, org_path=org_unit.path, year=year, target_total=target_total,
            target_operating=target_operating, measures=(measures or "").strip(), signed_on=signed_on,
            signed_by=signed_by, created_by=actor)
        audit_log(actor=actor, action="assets.letter.signed", obj=letter, object_repr=f"{org_unit.name} {year}",
                  after={"target_total": str(target_total), "target_operating": str(target_operating)})
    return letter


# --------------------------------------------------------------------------- community funds

def fund_open(*, actor, org_unit, kind: str, year) -> CommunityFund:
    """Open a community's fund for a year (one per kind and year); opening it twice returns the first."""
    org_unit = economy_unit(org_unit)
    need(permissions.can_review, actor, org_unit.path)
    errors = ErrorCollector()
    if kind not in FundKind.values:
        errors.add("kind", _("请选择经费类别"))
    year = _year(year, errors)
    errors.raise_if_any()
    key = CommunityFund.key_for(org_unit.pk, kind, year)
    with transaction.atomic():
        fund, created = CommunityFund.objects.unscoped("a fund is found by its own unique key").get_or_create(
            key=key, defaults={"org_unit": org_unit, "org_path": org_unit.path, "kind": kind, "year": year})
        if created:
            audit_log(actor=actor, action="assets.fund.opened", obj=fund,
                      object_repr=f"{org_unit.name} {year} {FundKind(kind).label}")
    return fund


def _post(*, actor, fund: CommunityFund, amount_fen: int, kind: str, purpose: str, counterparty: str = "",
          receipt_no: str = "", idempotency_key: str, source_type: str = "", source_id: str = "", now=None):
    entry, created = ledger.post(FundEntry, account=fund, amount=amount_fen, idempotency_key=idempotency_key,
                                 kind=kind, purpose=purpose, counterparty=counterparty, receipt_no=receipt_no,
                                 org_path=fund.org_path, actor=actor, source_type=source_type, source_id=source_id,
                                 now=now)
    return entry, created


def fund_receive(*, actor, fund: CommunityFund, amount, purpose: str, counterparty: str = "",
                 idempotency_key: str = "", now=None) -> FundEntry:
    """Money into a fund: the township's allocation (拨付), or a partner's contribution (共建单位支持) to the
    partner fund, recorded by the community."""
    partner = fund.kind == FundKind.PARTNER
    need(permissions.can_keep if partner else permissions.can_review, actor, fund.org_path)
    errors = ErrorCollector()
    amount = yuan(amount, "amount", errors, label=_("金额"), zero=False)
    purpose = text(purpose, "purpose", errors, _("摘要"), max_length=200)
    counterparty = text(counterparty, "counterparty", errors, _("共建单位"), max_length=100, required=partner)
    errors.raise_if_any()
    key = idempotency_key or f"in:{timezone.now().timestamp()}:{actor.pk}"
    with transaction.atomic():
        entry, created = _post(actor=actor, fund=fund, amount_fen=fen(amount), purpose=purpose,
                               kind=FundEntryKind.CONTRIBUTION if partner else FundEntryKind.ALLOCATION,
                               counterparty=counterparty, idempotency_key=key, now=now)
        if created:
            audit_log(actor=actor, action="assets.fund.received", obj=entry, org_path=fund.org_path,
                      object_repr=f"{fund.org_unit.name} {FundKind(fund.kind).label} +{amount}",
                      after={"amount": str(amount), "counterparty": counterparty})
    return entry


def fund_spend(*, actor, fund: CommunityFund, amount, purpose: str, receipt_no: str, counterparty: str = "",
               idempotency_key: str = "", now=None) -> FundEntry:
    """Spend from a fund (支出) with its receipt (票据): refused beyond the balance. Concurrent spending is
    serialised on the fund's row by the ledger's posting (its lock), so the balance never goes negative."""
    need(permissions.can_keep, actor, fund.org_path)
    errors = ErrorCollector()
    amount = yuan(amount, "amount", errors, label=_("支出金额"), zero=False)
    purpose = text(purpose, "purpose", errors, _("用途"), max_length=200)
    receipt_no = text(receipt_no, "receipt_no", errors, _("票据号"), max_length=40)
    counterparty = text(counterparty, "counterparty", errors, _("收款方"), max_length=100, required=False)
    errors.raise_if_any()
    key = idempotency_key or f"out:{receipt_no}"
    with transaction.atomic():
        entry, created = _post(actor=actor, fund=fund, amount_fen=-fen(amount), kind=FundEntryKind.SPENDING,
                               purpose=purpose, counterparty=counterparty, receipt_no=receipt_no,
                               idempotency_key=key, now=now)
        if created:
            audit_log(actor=actor, action="assets.fund.spent", obj=entry, org_path=fund.org_path,
                      object_repr=f"{fund.org_unit.name} {FundKind(fund.kind).label} -{amount}",
                      after={"amount": str(amount), "receipt_no": receipt_no, "purpose": purpose})
    return entry
