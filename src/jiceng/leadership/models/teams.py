"""Two-committee teams by term (两委班子)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

__all__ = ["Education", "PartyPost", "CommitteePost", "Term", "TeamMember", "PledgeStatus", "Pledge", "AdjustmentKind", "TeamAdjustment", "ManagedUpDirection", "ManagedUp", "COLLEGE_EDUCATION"]


# --------------------------------------------------------------------------- teams by term

class Education(models.TextChoices):
    PRIMARY = "primary", _("小学及以下")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


# 大专及以上 counts as college education in the term comparisons.
COLLEGE_EDUCATION = (Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE)


class PartyPost(models.TextChoices):
    NONE = "", _("—")
    SECRETARY = "secretary", _("党组织书记")
    DEPUTY = "deputy", _("党组织副书记")
    MEMBER = "member", _("党组织委员")


class CommitteePost(models.TextChoices):
    NONE = "", _("—")
    DIRECTOR = "director", _("村（居）委会主任")
    DEPUTY = "deputy", _("村（居）委会副主任")
    MEMBER = "member", _("村（居）委会委员")


class Term(models.Model):
    """One election term (届) of a village's or community's two committees."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    number = models.PositiveIntegerField(_("届次"))
    elected_on = models.DateField(_("换届日期"))
    ends_on = models.DateField(_("届满日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("换届届次")
        ordering = ["org_path", "-elected_on"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "number"], name="leadership_term_number_uniq"),
                       models.UniqueConstraint(fields=["org_unit", "elected_on"], name="leadership_term_start_uniq")]

    def __str__(self) -> str:
        return f"第{self.number}届（{self.elected_on:%Y}）"


class TeamMember(models.Model):
    """A member of a term's team: their posts (书记、主任, or both — 一肩挑), and their age and education
    at the election, kept as they were then."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="members")
    org_path = models.CharField(max_length=255, db_index=True)
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("居民"))
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1)
    party_post = models.CharField(_("党组织职务"), max_length=20, choices=PartyPost.choices, blank=True)
    committee_post = models.CharField(_("村（居）委会职务"), max_length=20, choices=CommitteePost.choices, blank=True)
    age_at_election = models.PositiveIntegerField(_("当选时年龄"))
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices)
    is_party_member = models.BooleanField(_("党员"), default=False)
    joined_on = models.DateField(_("补选/调入日期"), null=True, blank=True)  # None: elected at the election
    left_on = models.DateField(_("离任日期"), null=True, blank=True)
    left_reason = models.CharField(_("离任原因"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("班子成员")
        ordering = ["term", "id"]
        constraints = [models.UniqueConstraint(fields=["term", "resident"], name="leadership_member_once"),
                       models.CheckConstraint(condition=~Q(party_post="", committee_post=""),
                                              name="leadership_member_has_post")]

    def __str__(self) -> str:
        return f"{self.name}（{self.posts}）"

    @property
    def posts(self) -> str:
        found = [str(PartyPost(self.party_post).label)] if self.party_post else []
        if self.committee_post:
            found.append(str(CommitteePost(self.committee_post).label))
        return "、".join(found)

    @property
    def cross_held(self) -> bool:
        """书记、主任一肩挑."""
        return self.party_post == PartyPost.SECRETARY and self.committee_post == CommitteePost.DIRECTOR


class PledgeStatus(models.TextChoices):
    OPEN = "open", _("践诺中")
    KEPT = "kept", _("已兑现")
    BROKEN = "broken", _("未兑现")


class Pledge(models.Model):
    """A pledge made at the election (承诺事项, e.g. duty-desk hours), and whether it was kept."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="pledges")
    member = models.ForeignKey(TeamMember, null=True, blank=True, on_delete=models.CASCADE, related_name="pledges")
    org_path = models.CharField(max_length=255, db_index=True)
    text = models.CharField(_("承诺内容"), max_length=300)
    due_on = models.DateField(_("兑现时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.OPEN)
    checked_on = models.DateField(_("核实日期"), null=True, blank=True)
    check_note = models.CharField(_("核实情况"), max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("换届承诺")
        ordering = ["term", "id"]

    def __str__(self) -> str:
        return f"{self.text}（{PledgeStatus(self.status).label}）"


class AdjustmentKind(models.TextChoices):
    JOINED = "joined", _("补选/调入")
    LEFT = "left", _("调出/离任")
    POST = "post", _("职务调整")


class TeamAdjustment(models.Model):
    """A change in a team within a term (班子调整), with its reason and date."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="adjustments")
    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="adjustments")
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("调整类型"), max_length=10, choices=AdjustmentKind.choices)
    on = models.DateField(_("调整日期"))
    reason = models.CharField(_("调整原因"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("班子调整")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {AdjustmentKind(self.kind).label}：{self.member.name}，{self.reason}"


class ManagedUpDirection(models.TextChoices):
    POSITIVE = "positive", _("正向（激励）")
    NEGATIVE = "negative", _("负向（整改）")


class ManagedUp(models.Model):
    """A secretary put under management one level up (正负向提级管理), with the reason and reviews."""

    member = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="managed_up")
    org_path = models.CharField(max_length=255, db_index=True)
    direction = models.CharField(_("方向"), max_length=10, choices=ManagedUpDirection.choices)
    reason = models.CharField(_("原因"), max_length=300)
    starts_on = models.DateField(_("开始日期"))
    review_on = models.DateField(_("复核日期"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    outcome = models.CharField(_("复核结果"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("提级管理")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member.name}（{ManagedUpDirection(self.direction).label}）：{self.reason}"
