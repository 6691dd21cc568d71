"""Property-rights transactions (农村产权交易): a listing with its reserve price and public notice, bidders
and bids, the award, the contract with its payment schedule, payments received, and the households whose
shares of the proceeds the contract names."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

from .register import Asset, money_field

__all__ = ["ListingStatus", "Listing", "Bid", "Contract", "PaymentDue", "ContractPayment", "Beneficiary"]


class ListingStatus(models.TextChoices):
    NOTICE = "notice", _("公告中")
    AWARDED = "awarded", _("已成交")
    CONTRACTED = "contracted", _("已签约")
    FAILED = "failed", _("流拍")


class Listing(models.Model):
    """A transaction listing (交易项目): what is let or sold, the reserve price, the notice period during
    which bidders register and bid, and how it ended."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="listings", verbose_name=_("交易资产"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("项目名称"), max_length=100)
    terms = models.TextField(_("交易条件"), blank=True)
    reserve_price = money_field(_("底价（元/年）"))
    term_years = models.PositiveSmallIntegerField(_("流转年限"))
    notice_starts_on = models.DateField(_("公告开始"))
    closes_at = models.DateTimeField(_("报名竞价截止"))
    status = models.CharField(_("状态"), max_length=12, choices=ListingStatus.choices, default=ListingStatus.NOTICE)
    awarded_bid = models.OneToOneField("Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("成交报价"))
    award_basis = models.CharField(_("成交依据"), max_length=200, blank=True)
    awarded_at = models.DateTimeField(_("成交时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("产权交易项目")
        ordering = ["org_path", "-created_at"]
        constraints = [models.CheckConstraint(condition=Q(reserve_price__gt=0), name="assets_listing_reserve_positive"),
                       models.CheckConstraint(condition=Q(term_years__gte=1), name="assets_listing_term_positive")]

    def __str__(self) -> str:
        return self.title


class Bid(models.Model):
    """A registered bidder's offer (报名竞价), in yuan a year."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="bids")
    org_path = models.CharField(max_length=255, db_index=True)
    bidder = models.CharField(_("竞买人"), max_length=100)
    bidder_id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    amount = money_field(_("报价（元/年）"))
    at = models.DateTimeField(_("报价时间"))
    valid = models.BooleanField(_("有效"), default=True)
    invalid_reason = models.CharField(_("无效原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("竞价报价")
        ordering = ["-amount", "at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="assets_bid_positive")]

    def __str__(self) -> str:
        return f"{self.bidder} {self.amount}"


class Contract(models.Model):
    """The contract of an awarded listing (交易合同): the other party, the term, the yearly rent and the total,
    payable by the schedule (``PaymentDue``)."""

    listing = models.OneToOneField(Listing, on_delete=models.PROTECT, related_name="contract")
    org_path = models.CharField(max_length=255, db_index=True)
    number = models.CharField(_("合同编号"), max_length=40)
    party = models.CharField(_("承租（受让）方"), max_length=100)
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("到期日期"))
    yearly_rent = money_field(_("年租金（元）"))
    total = money_field(_("合同总额（元）"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expiry_alerted_on = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("交易合同")
        ordering = ["ends_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="assets_contract_dates"),
                       models.CheckConstraint(condition=Q(total__gt=0), name="assets_contract_total_positive")]

    def __str__(self) -> str:
        return f"{self.number} {self.party}"


class PaymentDue(models.Model):
    """One instalment of a contract's payment schedule (付款计划)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="schedule")
    org_path = models.CharField(max_length=255, db_index=True)
    due_on = models.DateField(_("应付日期"))
    amount = money_field(_("应付金额（元）"))
    overdue_alerted_on = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("付款计划")
        ordering = ["due_on"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="assets_due_positive")]


class ContractPayment(models.Model):
    """A payment received under a contract (收款): it enters the village's collective income."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    org_path = models.CharField(max_length=255, db_index=True)
    amount = money_field(_("金额（元）"))
    received_on = models.DateField(_("收款日期"))
    receipt_no = models.CharField(_("收据号"), max_length=40)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同收款")
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="assets_payment_positive")]


class Beneficiary(models.Model):
    """A household with a share of a contract's proceeds (受益农户), in percent with two decimals; the shares
    of one contract sum to 100."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="beneficiaries")
    org_path = models.CharField(max_length=255, db_index=True)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("受益农户"))
    share = models.DecimalField(_("份额（%）"), max_digits=5, decimal_places=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("受益农户")
        constraints = [models.UniqueConstraint(fields=["contract", "household"], name="assets_beneficiary_once"),
                       models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=100),
                                              name="assets_beneficiary_share_range")]
