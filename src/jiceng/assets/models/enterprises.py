"""Companies, cooperatives and workshops run by or for villages (强村富民公司、帮扶车间、合作社、物业公司):
members and shareholdings, each year's revenue, profit, jobs and wages, and the profit distributed by a rule
the site defines (such as "5221": four recipients at 50/20/20/10)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

from .register import money_field

__all__ = ["EnterpriseKind", "Enterprise", "Shareholding", "EnterpriseYear", "DistributionRule", "RuleShare",
           "Distribution", "DistributionLine"]


class EnterpriseKind(models.TextChoices):
    COMPANY = "company", _("强村富民公司")
    WORKSHOP = "workshop", _("帮扶车间（工坊）")
    COOPERATIVE = "cooperative", _("合作社")
    PROPERTY = "property", _("物业公司")


class Enterprise(models.Model):
    """A company, workshop or cooperative (经营主体), held by the unit it is registered under; the villages
    it covers (联村) may be more than one."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("所属单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("类型"), max_length=12, choices=EnterpriseKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    villages = models.ManyToManyField("orgs.OrgUnit", related_name="+", blank=True, verbose_name=_("覆盖村（社区）"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("经营主体")
        ordering = ["org_path", "name"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "name"], name="assets_enterprise_name_unique")]

    def __str__(self) -> str:
        return self.name


class Shareholding(models.Model):
    """A member or shareholder (成员、股东) and their share in percent; the shares of one enterprise sum to
    100 once all are entered."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="shareholdings")
    org_path = models.CharField(max_length=255, db_index=True)
    holder = models.CharField(_("股东（成员）"), max_length=100)
    share = models.DecimalField(_("持股比例（%）"), max_digits=5, decimal_places=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("股权（成员）")
        ordering = ["-share", "holder"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "holder"], name="assets_share_holder_once"),
                       models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=100),
                                              name="assets_share_range")]


class EnterpriseYear(models.Model):
    """An enterprise's year (年度经营情况): revenue, profit, jobs created and wages paid."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="years")
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    revenue = money_field(_("营业收入（元）"))
    profit = money_field(_("利润（元）"))
    jobs = models.PositiveIntegerField(_("带动就业（人）"), default=0)
    wages = money_field(_("发放工资（元）"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度经营情况")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="assets_enterprise_year_once"),
                       models.CheckConstraint(condition=Q(revenue__gte=0) & Q(wages__gte=0),
                                              name="assets_enterprise_year_non_negative")]


class DistributionRule(models.Model):
    """A profit-sharing rule (收益分配办法) a site defines, such as "5221": its recipients and their
    percentages, summing to 100."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("收益分配办法")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="assets_rule_name_unique")]

    def __str__(self) -> str:
        return self.name


class RuleShare(models.Model):
    rule = models.ForeignKey(DistributionRule, on_delete=models.CASCADE, related_name="shares")
    position = models.PositiveSmallIntegerField()
    recipient = models.CharField(_("分配对象"), max_length=100)
    percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["rule", "position"], name="assets_rule_share_position"),
                       models.CheckConstraint(condition=Q(percent__gt=0) & Q(percent__lte=100),
                                              name="assets_rule_share_range")]


class Distribution(models.Model):
    """An enterprise's year's profit distributed by a rule (收益分配), published on the notice board. The rule's
    recipients and percentages are copied into the lines, so a later change to the rule leaves it as it was."""

    enterprise_year = models.OneToOneField(EnterpriseYear, on_delete=models.PROTECT, related_name="distribution")
    org_path = models.CharField(max_length=255, db_index=True)
    rule = models.ForeignKey(DistributionRule, on_delete=models.PROTECT, related_name="+")
    rule_name = models.CharField(_("分配办法"), max_length=50)
    amount = money_field(_("分配总额（元）"))
    published_at = models.DateTimeField(_("公示时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("收益分配")
        ordering = ["-published_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="assets_distribution_positive")]


class DistributionLine(models.Model):
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    recipient = models.CharField(_("分配对象"), max_length=100)
    percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2)
    amount = money_field(_("金额（元）"))

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["distribution", "position"], name="assets_line_position")]
