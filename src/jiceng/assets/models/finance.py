"""Money the collective manages: funded projects and their reimbursement (报账), collective income by year
with the thresholds and responsibility letters, and community funds on the ledger primitive."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.ledger import InsufficientBalance, Ledger, LedgerAccount, LedgerEntry, ledger_constraints
from jiceng.core.scope import ScopedQuerySet

from .register import money_field

__all__ = ["FundingSource", "ProjectStatus", "FundedProject", "Reimbursement", "IncomeKind", "IncomeRecord",
           "EconomySettings", "ResponsibilityLetter", "FundKind", "CommunityFund", "FundOverdrawn", "FundEntryKind", "FundEntry"]


class FundingSource(models.TextChoices):
    LINKAGE = "linkage", _("衔接推进乡村振兴补助资金")
    EAST_WEST = "east_west", _("东西部协作资金")
    FISCAL = "fiscal", _("财政专项资金")
    COLLECTIVE = "collective", _("村集体自筹")
    OTHER = "other", _("其他")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    BUILDING = "building", _("实施中")
    DONE = "done", _("已完工")


class FundedProject(models.Model):
    """A project paid from earmarked funds (项目资金): its source, the money allocated (下达资金), the contract,
    progress and what has been reimbursed (报账). 报账率 = reimbursed ÷ allocated."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("实施单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("项目名称"), max_length=100)
    source = models.CharField(_("资金来源"), max_length=12, choices=FundingSource.choices)
    year = models.PositiveSmallIntegerField(_("计划年度"))
    allocated = money_field(_("下达资金（元）"))
    contractor = models.CharField(_("承建单位"), max_length=100, blank=True)
    contract_amount = money_field(_("合同金额（元）"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    reimbursed = money_field(_("已报账（元）"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目资金")
        ordering = ["org_path", "-year", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(allocated__gt=0), name="assets_project_allocated_positive"),
            models.CheckConstraint(condition=Q(reimbursed__gte=0) & Q(reimbursed__lte=models.F("allocated")),
                                   name="assets_project_reimbursed_within"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="assets_project_progress_range"),
        ]

    def __str__(self) -> str:
        return self.name


class Reimbursement(models.Model):
    """A payment reimbursed against a project (报账), with its voucher; the project's ``reimbursed`` is their
    sum, moved in the same transaction."""

    project = models.ForeignKey(FundedProject, on_delete=models.PROTECT, related_name="reimbursements")
    org_path = models.CharField(max_length=255, db_index=True)
    amount = money_field(_("报账金额（元）"))
    on = models.DateField(_("报账日期"))
    voucher = models.CharField(_("凭证号"), max_length=40)
    note = models.CharField(_("用途"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("报账记录")
        ordering = ["-on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="assets_reimbursement_positive")]


class IncomeKind(models.TextChoices):
    OPERATING = "operating", _("经营收入")
    INVESTMENT = "investment", _("投资收益")
    SUBSIDY = "subsidy", _("补助收入")
    OTHER = "other", _("其他收入")


class IncomeRecord(models.Model):
    """One item of a village's collective income (集体经济收入) in a year; a contract payment writes one
    (``source_type``/``source_id`` name it)."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("收入类别"), max_length=12, choices=IncomeKind.choices)
    amount = money_field(_("金额（元）"))
    on = models.DateField(_("入账日期"))
    description = models.CharField(_("摘要"), max_length=200)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("集体经济收入")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="assets_income_positive"),
            models.UniqueConstraint(fields=["source_type", "source_id"], condition=~Q(source_type=""),
                                    name="assets_income_source_once"),
        ]
        indexes = [models.Index(fields=["year", "org_path"], name="assets_income_year_scope")]


class EconomySettings(models.Model):
    """A site's thresholds for collective income (消薄标准): a village below either is counted as weak."""

    site = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    total_threshold = money_field(_("集体经济总收入标准（元）"), default=100000)
    operating_threshold = money_field(_("经营性收入标准（元）"), default=50000)
    expiry_alert_days = models.PositiveSmallIntegerField(_("合同到期提前提醒（天）"), default=60)
    # An asset in use whose yearly output is below this share of its current value is low-yield (低效).
    low_yield_percent = models.DecimalField(_("低效资产年收益率标准（%）"), max_digits=5, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("集体经济设置")


class ResponsibilityLetter(models.Model):
    """A village's development responsibility letter for a year (集体经济发展责任书): its targets, against which
    the year's income is set."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    target_total = money_field(_("总收入目标（元）"))
    target_operating = money_field(_("经营性收入目标（元）"))
    measures = models.TextField(_("主要措施"), blank=True)
    signed_on = models.DateField(_("签订日期"))
    signed_by = models.CharField(_("责任人"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("集体经济发展责任书")
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "year"], name="assets_letter_once_a_year"),
                       models.CheckConstraint(condition=Q(target_total__gte=0) & Q(target_operating__gte=0),
                                              name="assets_letter_targets_non_negative")]


class FundKind(models.TextChoices):
    RUNNING = "running", _("运转经费")
    SERVICE = "service", _("服务群众专项经费")
    PARTNER = "partner", _("共建单位支持经费")


class CommunityFund(LedgerAccount):
    """A community's fund for one year (社区经费账户), in fen, its own chain: the balance is the sum of its
    entries and never negative."""

    key = models.CharField(max_length=60, unique=True)  # "<unit id>:<kind>:<year>"
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("社区（村）"))
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("经费类别"), max_length=10, choices=FundKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))

    objects = ScopedQuerySet.as_manager()

    class Meta(LedgerAccount.Meta):
        verbose_name = _("社区经费账户")
        ordering = ["org_path", "-year", "kind"]
        constraints = [*LedgerAccount.Meta.constraints,
                       models.UniqueConstraint(fields=["org_unit", "kind", "year"], name="assets_fund_once")]

    @staticmethod
    def key_for(unit_id: int, kind: str, year: int) -> str:
        return f"{unit_id}:{kind}:{year}"


class FundOverdrawn(InsufficientBalance):
    """Spending beyond a fund's balance (经费余额不足), in yuan."""

    def __init__(self, balance: int, needed: int):
        from decimal import Decimal

        from django.utils.translation import gettext

        super().__init__(balance, needed, code="fund_overdrawn", field="amount", message=gettext(
            "经费余额 %(b)s 元，不足支出 %(n)s 元") % {"b": (Decimal(balance) / 100).quantize(Decimal("0.01")),
                                              "n": (Decimal(needed) / 100).quantize(Decimal("0.01"))})


class FundEntryKind(models.TextChoices):
    ALLOCATION = "allocation", _("拨付")
    CONTRIBUTION = "contribution", _("共建单位支持")
    SPENDING = "spending", _("支出")
    REVERSAL = "reversal", _("冲正")


class FundEntry(LedgerEntry):
    """One change of a community fund (经费流水), in fen: money in (an allocation, a partner's contribution) or
    out (spending, with its receipt)."""

    account = models.ForeignKey(CommunityFund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=12, choices=FundEntryKind.choices)
    purpose = models.CharField(_("摘要"), max_length=200)
    counterparty = models.CharField(_("对方单位（个人）"), max_length=100, blank=True)
    receipt_no = models.CharField(_("票据号"), max_length=40, blank=True)
    org_path = models.CharField(max_length=255)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    # Who posted it is not hashed: a user's deletion empties it.
    ledger = Ledger(hashed=("account", "kind", "amount", "balance_after", "purpose", "counterparty", "receipt_no",
                            "org_path", "idempotency_key", "source_type", "source_id", "reverses", "created_at"),
                    insufficient=FundOverdrawn)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("经费流水")
        constraints = ledger_constraints("assets_fund")
        indexes = [models.Index(fields=["org_path", "created_at"], name="assets_fund_scope_time")]
