"""Cadre work (干部工作): task lists (任务清单), their tasks and reports, the points rules, performance
points (党建+积分绩效) on the ledger primitive, manual adjustments with a second approver, and appeals (申诉)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.ledger import Ledger, LedgerAccount, LedgerEntry, ledger_constraints
from jiceng.core.scope import ScopedQuerySet


class CadreRules(models.Model):
    """A site's points rules (积分规则) for tasks, and its appeal window. Settings, never constants."""

    site = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    base_points = models.PositiveIntegerField(_("年度基础分"), default=100)
    on_time_points = models.PositiveIntegerField(_("按时完成加分"), default=2)
    excellent_points = models.PositiveIntegerField(_("优秀完成加分"), default=3)
    late_points = models.PositiveIntegerField(_("逾期完成扣分"), default=1)
    not_done_points = models.PositiveIntegerField(_("未完成扣分"), default=3)
    appeal_days = models.PositiveIntegerField(_("申诉期限（天）"), default=7)
    remind_days = models.PositiveIntegerField(_("到期前提醒（天）"), default=2)
    report_on_time_points = models.PositiveIntegerField(_("诉求按时办结加分"), default=1)
    report_late_points = models.PositiveIntegerField(_("诉求超期办结扣分"), default=1)
    visit_on_time_points = models.PositiveIntegerField(_("监测走访按时加分"), default=1)
    visit_late_points = models.PositiveIntegerField(_("监测走访逾期扣分"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("积分规则")


class TaskListKind(models.TextChoices):
    MONTHLY = "monthly", _("月度清单")
    AD_HOC = "ad_hoc", _("临时清单")


class TaskListStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已下发")


class TaskList(models.Model):
    """A task list (任务清单) a street or township issues, monthly or ad hoc."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("下发单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    title = models.CharField(_("清单名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=TaskListKind.choices, default=TaskListKind.MONTHLY)
    month = models.DateField(_("月份"), null=True, blank=True, help_text=_("月度清单的月份（取当月1日）"))
    status = models.CharField(_("状态"), max_length=10, choices=TaskListStatus.choices, default=TaskListStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("任务清单")

    def __str__(self) -> str:
        return self.title


class EvidenceKind(models.TextChoices):
    NONE = "none", _("不需要")
    PHOTO = "photo", _("照片")
    FILE = "file", _("文件")
    TEXT = "text", _("文字说明")


class TaskStatus(models.TextChoices):
    DRAFT = "draft", _("待下发")
    ISSUED = "issued", _("办理中")
    REPORTED = "reported", _("已报告，待验收")
    RETURNED = "returned", _("已退回")
    GRADED = "graded", _("已评定")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    DONE = "done", _("完成")
    NOT_DONE = "not_done", _("未完成")


class Timeliness(models.TextChoices):
    ON_TIME = "on_time", _("按时")
    LATE = "late", _("逾期")


class Task(models.Model):
    """One task of a list (任务): a responsible unit, an owner and co-owners, a due moment, the evidence
    it needs and its weight (the multiplier of the rule's points). A task may come from elsewhere (a
    problem report escalated to a unit, a monitoring visit due, a rectification measure): ``source``."""

    task_list = models.ForeignKey(TaskList, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("要求"), blank=True)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("责任单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    owner = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"))
    co_owners = models.ManyToManyField("people.Cadre", blank=True, related_name="+", verbose_name=_("配合人"))
    due_at = models.DateTimeField(_("完成时限"))
    evidence = models.CharField(_("佐证要求"), max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.NONE)
    weight = models.PositiveSmallIntegerField(_("分值倍数"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.DRAFT)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(_("标记逾期时间"), null=True, blank=True)
    grade = models.CharField(_("评定"), max_length=10, choices=Grade.choices, blank=True)
    timeliness = models.CharField(_("时效"), max_length=10, choices=Timeliness.choices, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    graded_at = models.DateTimeField(null=True, blank=True)
    grade_note = models.CharField(_("评定意见"), max_length=500, blank=True)
    points = models.IntegerField(_("积分"), null=True, blank=True)
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("任务")
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=10), name="cadre_task_weight_1_10")]
        indexes = [models.Index(fields=["org_path", "status"], name="cadre_task_scope_status")]

    def __str__(self) -> str:
        return self.title


class ReportResult(models.TextChoices):
    PENDING = "pending", _("待验收")
    ACCEPTED = "accepted", _("已验收")
    RETURNED = "returned", _("已退回")


class TaskReport(models.Model):
    """A progress or completion report on a task (任务报告) with its evidence."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    org_path = models.CharField(max_length=255)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField(_("完成情况"), blank=True)
    photo = models.ImageField(_("照片"), upload_to="cadre/evidence/%Y/%m/", blank=True)
    file = models.FileField(_("文件"), upload_to="cadre/files/%Y/%m/", blank=True)
    is_final = models.BooleanField(_("报告完成"), default=True)
    result = models.CharField(max_length=10, choices=ReportResult.choices, default=ReportResult.PENDING)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("任务报告")

    def __str__(self) -> str:
        return _("“%(t)s”的报告") % {"t": self.task.title}


# --------------------------------------------------------------------------- performance points

class PerformanceAccount(LedgerAccount):
    """A cadre's performance points for one year (年度绩效积分账户), its own chain; it opens with the
    site's base points (基础分)."""

    key = models.CharField(max_length=40, unique=True)  # "<cadre id>:<year>"
    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    org_path = models.CharField(max_length=255, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta(LedgerAccount.Meta):
        verbose_name = _("绩效积分账户")
        constraints = [
            *LedgerAccount.Meta.constraints,
            models.UniqueConstraint(fields=["cadre", "year"], name="cadre_performance_account_unique"),
        ]

    @staticmethod
    def key_for(cadre_id: int, year: int) -> str:
        return f"{cadre_id}:{year}"


class PerformanceKind(models.TextChoices):
    BASE = "base", _("年度基础分")
    TASK = "task", _("任务评定")
    REPORT = "report", _("诉求办理")
    MONITORING = "monitoring", _("监测走访")
    DUTY = "duty", _("坐班值班")
    TRAINING = "training", _("教育培训")
    POSTING = "posting", _("驻村考核")
    CONTACT = "contact", _("联系点走访")
    PLEDGE = "pledge", _("换届承诺")
    SHADOWING = "shadowing", _("跟岗学习")
    MANUAL = "manual", _("人工加减分")
    APPEAL = "appeal", _("申诉改正")


class PerformanceEntry(LedgerEntry):
    """One change of a cadre's performance points (绩效积分流水), pointing at its source (a graded task, a
    report, an approved adjustment…). A deduction beyond the balance is cut to it (the balance never goes
    below zero; ``note`` says so)."""

    account = models.ForeignKey(PerformanceAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=12, choices=PerformanceKind.choices)
    reason = models.CharField(_("事由"), max_length=300)
    org_path = models.CharField(max_length=255)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    # Who posted it (``actor``) is not hashed: a user's deletion empties it.
    ledger = Ledger(hashed=("account", "kind", "amount", "balance_after", "reason", "org_path", "idempotency_key",
                            "source_type", "source_id", "reverses", "created_at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("绩效积分流水")
        constraints = ledger_constraints("cadre_perf")
        indexes = [models.Index(fields=["org_path", "created_at"], name="cadre_perf_scope_time")]


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class PointsAdjustment(models.Model):
    """A manual addition or deduction (人工加减分): proposed with a reason, posted only when a second
    person approves it."""

    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("干部"))
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.IntegerField(_("加减分"))
    reason = models.CharField(_("事由"), max_length=300)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    status = models.CharField(_("状态"), max_length=10, choices=AdjustmentStatus.choices,
                              default=AdjustmentStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    entry = models.OneToOneField(PerformanceEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("人工加减分")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="cadre_adjustment_nonzero")]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reason}"


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    UPHELD = "upheld", _("申诉成立，已改正")
    DISMISSED = "dismissed", _("维持原结果")


class Appeal(models.Model):
    """An appeal (申诉) against one entry, filed within the site's window; upheld, the entry is reversed."""

    entry = models.OneToOneField(PerformanceEntry, on_delete=models.PROTECT, related_name="appeal")
    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    status = models.CharField(_("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("复核意见"), max_length=500, blank=True)
    reversal = models.OneToOneField(PerformanceEntry, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("积分申诉")

    def __str__(self) -> str:
        return _("对“%(r)s”的申诉") % {"r": self.entry.reason if self.entry_id else ""}


# --------------------------------------------------------------------------- organisation ranking (排队抓尾)

class RankingLevel(models.TextChoices):
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")
    BRANCH = "branch", _("党支部（网格）")


class RankingScheme(models.Model):
    """A ranking's rules (排队抓尾方案): which units are ranked, by which indicators and weights, and how many
    count as advanced and as lagging."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("制定单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("方案名称"), max_length=100)
    level = models.CharField(_("排名对象"), max_length=10, choices=RankingLevel.choices, default=RankingLevel.VILLAGE)
    advanced_count = models.PositiveSmallIntegerField(_("先进名额"), default=3)
    lagging_count = models.PositiveSmallIntegerField(_("后进名额"), default=3)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("排名方案")

    def __str__(self) -> str:
        return self.name


class RankingIndicator(models.Model):
    """One indicator (指标) of a scheme: a registered figure, optionally divided by another (a rate), its weight
    out of 100 and its direction."""

    scheme = models.ForeignKey(RankingScheme, on_delete=models.CASCADE, related_name="indicators")
    label = models.CharField(_("指标名称"), max_length=50)
    numerator = models.CharField(_("指标（分子）"), max_length=60)
    denominator = models.CharField(_("除以（分母，可空）"), max_length=60, blank=True)
    weight = models.PositiveSmallIntegerField(_("权重"))
    lower_is_better = models.BooleanField(_("越低越好"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("排名指标")


class RankingBand(models.TextChoices):
    ADVANCED = "advanced", _("先进")
    MIDDLE = "middle", _("一般")
    LAGGING = "lagging", _("后进")


class RankingRun(models.Model):
    """One computation of a scheme for a period (排名结果): a snapshot computed from the records, never typed."""

    scheme = models.ForeignKey(RankingScheme, on_delete=models.PROTECT, related_name="runs")
    org_path = models.CharField(max_length=255, db_index=True)
    period_label = models.CharField(_("期间"), max_length=30)
    period_start = models.DateField(_("起"))
    period_end = models.DateField(_("止"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField()
    indicators = models.JSONField(default=list)  # the indicators as they were, for the record

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-computed_at", "-id"]
        verbose_name = _("排名结果")

    def __str__(self) -> str:
        return f"{self.scheme.name} {self.period_label}"


class RankingResult(models.Model):
    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="results")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("名次"))
    band = models.CharField(_("等次"), max_length=10, choices=RankingBand.choices)
    values = models.JSONField(default=list)  # per indicator: numerator, denominator, value, score

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "org_path"]
        verbose_name = _("单位排名")
        constraints = [models.UniqueConstraint(fields=["run", "org_unit"], name="cadre_ranking_result_unique")]


class PlanStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    CLOSED = "closed", _("已销号")


class RectificationPlan(models.Model):
    """A lagging unit's rectification plan (一村一策): problems, measures with owners and deadlines, follow-up
    entries; it closes only when every measure has its evidence and the plan has been followed up."""

    result = models.OneToOneField(RankingResult, on_delete=models.PROTECT, related_name="plan")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    problems = models.TextField(_("存在问题"))
    owner = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"))
    deadline = models.DateField(_("整改时限"))
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["status", "deadline", "id"]
        verbose_name = _("整改方案")

    def __str__(self) -> str:
        return _("%(u)s整改方案") % {"u": self.org_unit.name}


class RectificationMeasure(models.Model):
    plan = models.ForeignKey(RectificationPlan, on_delete=models.CASCADE, related_name="measures")
    text = models.CharField(_("整改措施"), max_length=300)
    owner = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"))
    deadline = models.DateField(_("完成时限"))
    evidence = models.TextField(_("完成佐证"), blank=True)
    photo = models.ImageField(_("佐证照片"), upload_to="cadre/rectification/%Y/%m/", blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("整改措施")


class PlanFollowUp(models.Model):
    """A follow-up entry (跟踪督导) on a plan."""

    plan = models.ForeignKey(RectificationPlan, on_delete=models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("跟踪情况"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("整改跟踪")


# --------------------------------------------------------------------------- demonstration sites (示范点/示范带)

class ShowcaseKind(models.TextChoices):
    POINT = "point", _("示范点")
    BELT = "belt", _("示范带")


class ShowcaseOutcome(models.TextChoices):
    PENDING = "pending", _("创建中")
    TITLED = "titled", _("命名授牌")
    TALK = "talk", _("约谈")


class Showcase(models.Model):
    """A demonstration site or belt (示范点/示范带): its targets, the responsibility letter, progress with
    evidence, the assessment, and the outcome — a title with its reward, or a recorded talk (约谈)."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("创建单位"))
    org_path = models.CharField(max_length=255, db_index=True)
    units = models.ManyToManyField("orgs.OrgUnit", blank=True, related_name="+", verbose_name=_("示范带所含单位"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=ShowcaseKind.choices, default=ShowcaseKind.POINT)
    year = models.PositiveSmallIntegerField(_("年度"))
    leader = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"))
    letter_signed_by = models.CharField(_("责任书签订人"), max_length=100, blank=True)
    letter_signed_on = models.DateField(_("责任书签订日期"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=ShowcaseOutcome.choices,
                               default=ShowcaseOutcome.PENDING)
    assessment_score = models.PositiveSmallIntegerField(_("考核得分"), null=True, blank=True)
    assessment_note = models.TextField(_("考核意见"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    assessed_at = models.DateTimeField(null=True, blank=True)
    reward = models.CharField(_("奖励"), max_length=200, blank=True)
    talk_on = models.DateField(_("约谈日期"), null=True, blank=True)
    talk_with = models.CharField(_("约谈对象"), max_length=100, blank=True)
    talk_record = models.TextField(_("约谈记录"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name", "id"]
        verbose_name = _("示范点")

    def __str__(self) -> str:
        return self.name


class ShowcaseTarget(models.Model):
    showcase = models.ForeignKey(Showcase, on_delete=models.CASCADE, related_name="targets")
    text = models.CharField(_("目标"), max_length=200)
    met = models.BooleanField(_("已达成"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class ShowcaseProgress(models.Model):
    showcase = models.ForeignKey(Showcase, on_delete=models.CASCADE, related_name="progress")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("进展"))
    photo = models.ImageField(_("照片"), upload_to="cadre/showcase/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-at", "-id"]
