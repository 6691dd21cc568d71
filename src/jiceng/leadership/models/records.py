"""Cadre records (干部队伍): reserve cadres with their "2+1" mentors, postings of stationed cadres, first
secretaries and other staff kinds with their reviews and replacements, promotions, job-shadowing, trainings
with attendance, contact points (联系点) with their visits, staff on loan (借调), plaques at village offices
(挂牌) with their clean-up checks, and inspections (督导) with findings and circulars (通报)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

__all__ = ["ReserveStatus", "ReserveCadre", "PostingKind", "Posting", "ReviewRating", "PostingReview",
           "RankChangeKind", "RankChange", "Shadowing", "Training", "TrainingAttendance", "ContactPoint",
           "ContactVisit", "LoanedStaff", "PlaqueStatus", "Plaque", "Inspection", "InspectionFinding", "Circular",
           "UpgradeOutcome", "EducationUpgrade"]


class ReserveStatus(models.TextChoices):
    ACTIVE = "active", _("培养中")
    APPOINTED = "appointed", _("已任用")
    REMOVED = "removed", _("已调出后备库")


class ReserveCadre(models.Model):
    """A reserve cadre (后备干部) of a village or community, with their "2+1" mentors: a township leader
    and a first secretary (or another experienced cadre)."""

    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("后备干部"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    mentor_leader = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("乡镇领导导师"))
    mentor_secretary = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("第一书记（村干部）导师"))
    since = models.DateField(_("入库日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ReserveStatus.choices, default=ReserveStatus.ACTIVE)
    outcome = models.CharField(_("去向"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("后备干部")
        ordering = ["org_path", "-since"]
        constraints = [
            models.UniqueConstraint(fields=["cadre"], condition=Q(status="active"), name="leadership_reserve_once"),
            models.CheckConstraint(condition=~Q(mentor_leader=F("cadre")) & ~Q(mentor_secretary=F("cadre")),
                                   name="leadership_reserve_not_own_mentor"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name}（{self.since} 入库，{ReserveStatus(self.status).label}）"


class PostingKind(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("驻村第一书记")
    STATIONED = "stationed", _("驻村工作队员")
    INSTRUCTOR = "instructor", _("社区指导员")
    PART_TIME = "part_time", _("兼职委员")
    RELOCATION_STEWARD = "relocation_steward", _("移民管家")


class Posting(models.Model):
    """A cadre posted to a village or community (驻村、第一书记、指导员…), until it ends or they are replaced."""

    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部"))
    kind = models.CharField(_("类别"), max_length=20, choices=PostingKind.choices)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("派驻单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    sent_by = models.CharField(_("派出单位"), max_length=100, blank=True)
    starts_on = models.DateField(_("派驻日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by", verbose_name=_("接替"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("派驻")
        ordering = ["org_path", "-starts_on"]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {PostingKind(self.kind).label}（{self.starts_on} 起）"


class ReviewRating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class PostingReview(models.Model):
    """A periodic review of how a posted cadre did (驻村考核)."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="reviews")
    org_path = models.CharField(max_length=255, db_index=True)
    period = models.CharField(_("考核期"), max_length=30)
    rating = models.CharField(_("等次"), max_length=20, choices=ReviewRating.choices)
    note = models.CharField(_("评语"), max_length=300, blank=True)
    reviewed_on = models.DateField(_("考核日期"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("派驻考核")
        ordering = ["-reviewed_on"]
        constraints = [models.UniqueConstraint(fields=["posting", "period"], name="leadership_review_once")]

    def __str__(self) -> str:
        return f"{self.period}：{ReviewRating(self.rating).label}"


class RankChangeKind(models.TextChoices):
    PROMOTED = "promoted", _("提拔")
    RANK_RAISED = "rank_raised", _("职级晋升")
    TRANSFERRED = "transferred", _("交流")


class RankChange(models.Model):
    """A promotion or rank change (提拔、晋升八级职员…)."""

    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部"))
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("类别"), max_length=20, choices=RankChangeKind.choices)
    on = models.DateField(_("日期"))
    from_post = models.CharField(_("原职务（职级）"), max_length=100, blank=True)
    to_post = models.CharField(_("新职务（职级）"), max_length=100)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("提拔晋升")
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"{self.on} {self.cadre.name} {RankChangeKind(self.kind).label}：{self.to_post}"


class Shadowing(models.Model):
    """A job-shadowing placement (跟岗学习): with whom, where, when, and what came of it."""

    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部"))
    org_path = models.CharField(max_length=255, db_index=True)
    host = models.CharField(_("跟岗单位"), max_length=100)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    outcome = models.CharField(_("学习成果"), max_length=300, blank=True)
    # The site's rule when the placement was recorded; posted once the placement is over.
    points = models.IntegerField(_("完成后记分"), default=0)
    points_posted_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("跟岗学习")
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                              name="leadership_shadowing_dates")]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.host}（{self.starts_on}—{self.ends_on}）"


class Training(models.Model):
    """A training (class or session) a level organises, with the performance points attending earns and
    missing costs (the organiser's rule; 0 posts nothing)."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("举办单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("培训名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    hours = models.PositiveIntegerField(_("学时"), default=0)
    points_attended = models.PositiveIntegerField(_("参训加分"), default=0)
    points_absent = models.PositiveIntegerField(_("缺训扣分"), default=0)
    closed_at = models.DateTimeField(_("结业时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("教育培训")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.title}（{self.starts_on}—{self.ends_on}）"


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    attended = models.BooleanField(_("到课"), null=True)
    certificate = models.CharField(_("结业证书编号"), max_length=50, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("参训")
        constraints = [models.UniqueConstraint(fields=["training", "cadre"], name="leadership_attendance_once")]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.training.title}"


class ContactPoint(models.Model):
    """A leader or cadre assigned to a village, community or grid (联系点), to visit at least every so many days."""

    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("联系领导（干部）"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("联系点"))
    org_path = models.CharField(max_length=255, db_index=True)
    every_days = models.PositiveIntegerField(_("走访周期（天）"), default=30)
    since = models.DateField(_("联系起始"))
    until = models.DateField(_("联系截止"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系点")
        ordering = ["org_path"]
        constraints = [models.UniqueConstraint(fields=["cadre", "org_unit"], condition=Q(until__isnull=True),
                                               name="leadership_contact_once")]

    def __str__(self) -> str:
        return f"{self.cadre.name} → {self.org_unit.name}"


class ContactVisit(models.Model):
    contact = models.ForeignKey(ContactPoint, on_delete=models.CASCADE, related_name="visits")
    org_path = models.CharField(max_length=255, db_index=True)
    on = models.DateField(_("走访日期"))
    note = models.CharField(_("走访情况"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("联系走访")
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"{self.on} {self.contact.cadre.name} → {self.contact.org_unit.name}：{self.note[:40]}"


class LoanedStaff(models.Model):
    """Staff of a village or community on loan (借调) to a higher office, until they come back."""

    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("被借调人员"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    to_office = models.CharField(_("借调到"), max_length=100)
    reason = models.CharField(_("借调事由"), max_length=200)
    left_on = models.DateField(_("借出日期"))
    returned_on = models.DateField(_("返岗日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("借调人员")
        ordering = ["-left_on"]
        constraints = [models.CheckConstraint(condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("left_on")),
                                              name="leadership_loan_dates")]

    def __str__(self) -> str:
        return f"{self.cadre.name} → {self.to_office}（{self.left_on} 起）"


class PlaqueStatus(models.TextChoices):
    HUNG = "hung", _("在挂")
    REMOVED = "removed", _("已清理")


class Plaque(models.Model):
    """A plaque or sign at a village office (挂牌), with its admission approval; clean-up checks mark the ones
    not admitted and remove them."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("牌子名称"), max_length=100)
    issuer = models.CharField(_("要求挂牌的部门"), max_length=100, blank=True)
    admitted = models.BooleanField(_("经准入审批"), default=False)
    admission_note = models.CharField(_("准入依据"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PlaqueStatus.choices, default=PlaqueStatus.HUNG)
    checked_on = models.DateField(_("最近检查"), null=True, blank=True)
    removed_on = models.DateField(_("清理日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("挂牌")
        ordering = ["org_path", "title"]

    def __str__(self) -> str:
        return f"{self.title}（{PlaqueStatus(self.status).label}）"


class Inspection(models.Model):
    """An inspection visit (督导) to a unit, with its findings."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("督导对象"))
    org_path = models.CharField(max_length=255, db_index=True)
    topic = models.CharField(_("督导事项"), max_length=200)
    on = models.DateField(_("督导日期"))
    inspectors = models.CharField(_("督导人员"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.topic}（{self.inspectors}）"


class InspectionFinding(models.Model):
    """A finding with the day it must be fixed by; one not fixed by then is circulated (通报)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    org_path = models.CharField(max_length=255, db_index=True)
    text = models.CharField(_("问题"), max_length=300)
    deadline = models.DateField(_("整改期限"))
    fixed_on = models.DateField(_("整改完成"), null=True, blank=True)
    fix_note = models.CharField(_("整改情况"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导发现问题")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.text}（期限 {self.deadline}）"


class Circular(models.Model):
    """A circular (通报) on findings not fixed by their deadline."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("通报单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    number = models.CharField(_("文号"), max_length=50)
    issued_on = models.DateField(_("通报日期"))
    text = models.TextField(_("通报内容"))
    findings = models.ManyToManyField(InspectionFinding, related_name="circulars", verbose_name=_("通报的问题"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return self.number


class UpgradeOutcome(models.TextChoices):
    STUDYING = "studying", _("在读")
    GRADUATED = "graduated", _("已毕业")
    WITHDRAWN = "withdrawn", _("中途退出")


class EducationUpgrade(models.Model):
    """A cadre enrolled in the education-upgrade plan (学历能力双提升): the programme, the education it leads
    to, and how it ended."""

    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部"))
    org_path = models.CharField(max_length=255, db_index=True)
    programme = models.CharField(_("就读院校与专业"), max_length=150)
    from_education = models.CharField(_("原学历"), max_length=20)
    target_education = models.CharField(_("目标学历"), max_length=20)
    enrolled_on = models.DateField(_("入学日期"))
    outcome = models.CharField(_("结果"), max_length=10, choices=UpgradeOutcome.choices, default=UpgradeOutcome.STUDYING)
    completed_on = models.DateField(_("毕业（退出）日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("学历提升")
        ordering = ["-enrolled_on"]
        constraints = [models.CheckConstraint(condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("enrolled_on")),
                                              name="leadership_upgrade_dates")]

    def __str__(self) -> str:
        return f"{self.cadre.name} · {self.programme}（{UpgradeOutcome(self.outcome).label}）"
