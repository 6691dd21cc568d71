"""Village leadership and the rules that cut the burden on villages (班子队伍与基层减负).

- Two-committee teams by election term (两委班子): the members, their posts, age and education at
  election, the pledges made, and the adjustments within a term.
- Selections and honours (评选表彰): one flow for any selection — nominate → review → publicity on
  the notice board → award — and commendations received (锦旗、感谢信).
- The four duty lists per level (四张清单), versioned, with the negative list enforced when a task
  or a report is pushed down to a village or community; approvals that let one through, and the
  refusals it made.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet


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


# --------------------------------------------------------------------------- the four lists

class DutyListKind(models.TextChoices):
    POWERS = "powers", _("行政权力清单")
    SERVICES = "services", _("公共服务清单")
    TERRITORIAL = "territorial", _("属地管理责任清单")
    NEGATIVE = "negative", _("负面清单（不得下派村〔社区〕事项）")


class DutyListStatus(models.TextChoices):
    DRAFT = "draft", _("草稿（待审定）")
    IN_FORCE = "in_force", _("施行中")
    SUPERSEDED = "superseded", _("已废止")


class DutyList(models.Model):
    """One version of one of a level's four lists (四张清单). A new version is drafted from the one in
    force (the admission and adjustment procedure), approved by someone other than its drafter, and
    then replaces it."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("层级单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("清单"), max_length=20, choices=DutyListKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=20, choices=DutyListStatus.choices, default=DutyListStatus.DRAFT)
    change_note = models.CharField(_("调整说明"), max_length=300, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("职责清单")
        ordering = ["org_path", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "kind", "version"], name="leadership_dutylist_version_uniq"),
            models.UniqueConstraint(fields=["org_unit", "kind"], condition=Q(status="in_force"),
                                    name="leadership_dutylist_one_in_force"),
            models.UniqueConstraint(fields=["org_unit", "kind"], condition=Q(status="draft"),
                                    name="leadership_dutylist_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{DutyListKind(self.kind).label} 第{self.version}版"


class DutyItem(models.Model):
    """One item of a list. On the negative list, ``keywords`` are what a task's title and description
    or a report's category are matched against when it is pushed down to a village or community."""

    duty_list = models.ForeignKey(DutyList, on_delete=models.CASCADE, related_name="items")
    org_path = models.CharField(max_length=255, db_index=True)
    code = models.CharField(_("事项编号"), max_length=20)
    name = models.CharField(_("事项名称"), max_length=200)
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    keywords = models.CharField(_("匹配关键词"), max_length=300, blank=True,
                                help_text=_("用顿号、逗号或空格分隔；下派任务或转派诉求含其中任一词即拦截"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("清单事项")
        ordering = ["duty_list", "code"]
        constraints = [models.UniqueConstraint(fields=["duty_list", "code"], name="leadership_dutyitem_code_uniq")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def keyword_list(self) -> list[str]:
        import re

        return [k for k in re.split(r"[、，,;；\s]+", self.keywords or "") if k]


class PushDownApproval(models.Model):
    """A recorded approval (准入审批) that lets one negative-list duty be pushed down to a unit (and
    the units below it) until a date."""

    item = models.ForeignKey(DutyItem, on_delete=models.PROTECT, related_name="approvals",
                             verbose_name=_("负面清单事项"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("下派到"))
    org_path = models.CharField(max_length=255, db_index=True)
    subject = models.CharField(_("下派事项"), max_length=200)
    reason = models.CharField(_("准入理由"), max_length=300)
    valid_until = models.DateField(_("有效期至"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("下派准入审批")
        ordering = ["-approved_at"]


class PushDownRefusal(models.Model):
    """A push-down the negative list refused: what, to whom, by whom, which item. Kept even though the
    refused action wrote nothing, so the figure of refusals counts records."""

    item = models.ForeignKey(DutyItem, on_delete=models.PROTECT, related_name="refusals")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    subject = models.CharField(_("下派事项"), max_length=300)
    source_type = models.CharField(max_length=40)
    keyword = models.CharField(max_length=50)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("负面清单拦截")
        ordering = ["-at"]
