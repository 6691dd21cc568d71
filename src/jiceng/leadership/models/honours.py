"""Selections and honours (评选表彰) and commendations received."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

__all__ = ["SelectionKind", "SelectionStatus", "Selection", "NominationStatus", "Nomination", "ObjectionStatus", "SelectionObjection", "CommendationKind", "Commendation", "UNIT_KINDS"]


# --------------------------------------------------------------------------- selections and honours

class SelectionKind(models.TextChoices):
    BRANCH = "branch", _("红旗党支部")
    PIONEER = "pioneer", _("党员先锋岗")
    CO_CREATOR = "co_creator", _("优秀共建人")
    COMPOUND = "compound", _("法治文明小区")
    FAMILY = "family", _("文明家庭")
    OTHER = "other", _("其他评选")


# Who a selection of each kind honours: a unit of the tree, or a resident.
UNIT_KINDS = (SelectionKind.BRANCH, SelectionKind.COMPOUND)


class SelectionStatus(models.TextChoices):
    NOMINATING = "nominating", _("推荐中")
    PUBLICITY = "publicity", _("公示中")
    AWARDED = "awarded", _("已表彰")


class Selection(models.Model):
    """One selection (评选): who organises it, what it honours, how long its publicity runs."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("评选名称"), max_length=100)
    kind = models.CharField(_("评选类别"), max_length=20, choices=SelectionKind.choices)
    year = models.PositiveIntegerField(_("年度"))
    quota = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    publicity_days = models.PositiveIntegerField(_("公示天数"), default=5)
    status = models.CharField(_("状态"), max_length=20, choices=SelectionStatus.choices,
                              default=SelectionStatus.NOMINATING)
    publicity_starts_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_ends_at = models.DateTimeField(_("公示截止"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("表彰时间"), null=True, blank=True)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评选")
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return f"{self.year}年{self.title}"

    @property
    def honours_units(self) -> bool:
        return self.kind in UNIT_KINDS


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("待审核")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("因异议撤销")
    AWARDED = "awarded", _("已表彰")


class Nomination(models.Model):
    """A nominee of a selection: a unit (a branch, a compound) or a resident; reviewed, publicised, awarded."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="nominations")
    org_path = models.CharField(max_length=255, db_index=True)  # the nominee's place
    nominee_unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("推荐单位"))
    nominee_resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("推荐人选"))
    nominee_name = models.CharField(_("推荐对象"), max_length=100)
    deeds = models.TextField(_("主要事迹"))
    status = models.CharField(_("状态"), max_length=20, choices=NominationStatus.choices,
                              default=NominationStatus.NOMINATED)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("推荐对象")
        ordering = ["selection", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(nominee_unit__isnull=True) | Q(nominee_resident__isnull=True),
                                   name="leadership_nominee_one_kind"),
            models.UniqueConstraint(fields=["selection", "nominee_unit"], condition=Q(nominee_unit__isnull=False),
                                    name="leadership_nominee_unit_once"),
            models.UniqueConstraint(fields=["selection", "nominee_resident"],
                                    condition=Q(nominee_resident__isnull=False),
                                    name="leadership_nominee_resident_once"),
        ]

    def __str__(self) -> str:
        return self.nominee_name


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class SelectionObjection(models.Model):
    """An objection raised during a selection's publicity (公示异议); it stops the award until it is
    resolved, and an upheld one withdraws the nominee."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="objections")
    org_path = models.CharField(max_length=255, db_index=True)
    text = models.TextField(_("异议内容"))
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    filed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    resolution = models.CharField(_("核实结果"), max_length=300, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示异议")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"{self.nomination.nominee_name}：{self.text[:40]}"


class CommendationKind(models.TextChoices):
    BANNER = "banner", _("锦旗")
    LETTER = "letter", _("感谢信")
    OTHER = "other", _("其他")


class Commendation(models.Model):
    """A commendation received (群众送来的锦旗、感谢信), tied to the unit, cadre or errand it thanks."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("受表扬单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    cadre = models.ForeignKey("people.Cadre", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("受表扬干部"))
    kind = models.CharField(_("类别"), max_length=10, choices=CommendationKind.choices)
    giver = models.CharField(_("赠送人"), max_length=100)
    text = models.CharField(_("内容"), max_length=300)
    errand = models.CharField(_("所谢事项"), max_length=200, blank=True)
    report_id = models.PositiveBigIntegerField(_("关联诉求编号"), null=True, blank=True)
    received_on = models.DateField(_("收到日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("锦旗与感谢信")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.received_on} {CommendationKind(self.kind).label}「{self.text}」（{self.giver}）"
