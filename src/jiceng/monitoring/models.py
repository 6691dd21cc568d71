"""Return-to-poverty monitoring (防止返贫动态监测).

Household economic profiles per year (家庭经济档案), the site's income line per year and province
(监测标准) and risk rules (风险规则), risk signals from three channels plus the rules (风险信号),
monitored-household cases with their identification and elimination chains (识别/风险消除), assistance
measures (帮扶措施), visits (走访) and the visit schedule (走访计划).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}


class MonitoringSettings(models.Model):
    """A site's monitoring settings (监测设置): its province (for the income line) and periods."""

    site = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="monitoring_settings")
    province_code = models.CharField(_("省级区划代码"), max_length=2, default="53",
                                     help_text=_("统计用区划代码前两位，用于查找本省监测标准"))
    posting_days = models.PositiveSmallIntegerField(_("村级公示天数"), default=5)
    observation_months = models.PositiveSmallIntegerField(_("风险消除观察期（月）"), default=6)
    visit_interval_days = models.PositiveSmallIntegerField(_("走访周期（天）"), default=90)
    visit_reminder_days = models.PositiveSmallIntegerField(_("走访提前提醒（天）"), default=7)
    verification_days = models.PositiveSmallIntegerField(_("风险信号核实时限（天）"), default=15)

    class Meta:
        verbose_name = _("监测设置")


class IncomeLine(models.Model):
    """The monitoring income line (防返贫监测标准) for one year and province, in yuan per head."""

    year = models.PositiveSmallIntegerField(_("年度"))
    province_code = models.CharField(_("省级区划代码"), max_length=2)
    amount = models.DecimalField(_("人均纯收入监测标准（元）"), **MONEY)
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "province_code"], name="income_line_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_line_positive"),
        ]
        ordering = ["-year", "province_code"]
        verbose_name = _("监测标准")


class RuleCode(models.TextChoices):
    INCOME_BELOW_LINE = "income_below_line", _("人均纯收入低于监测标准")
    INCOME_DROP = "income_drop", _("人均纯收入较上年下降")
    RIGID_EXPENSE = "rigid_expense", _("刚性支出占收入比例过高")
    SCHOOL_DROPOUT = "school_dropout", _("义务教育阶段适龄儿童未入学")
    NO_MEDICAL_INSURANCE = "no_medical_insurance", _("家庭成员未参加基本医疗保险")
    UNSAFE_HOUSING = "unsafe_housing", _("住房不安全（C/D级危房）")
    UNSAFE_WATER = "unsafe_water", _("饮水不安全")
    LABOUR_LOSS = "labour_loss", _("主要劳动力死亡、重病或残疾")
    DISASTER = "disaster", _("遭受自然灾害或意外事故")


# What the threshold of each rule means (None: the rule takes no threshold).
RULE_THRESHOLDS = {
    RuleCode.INCOME_DROP: (_("下降超过（%）"), Decimal("30")),
    RuleCode.RIGID_EXPENSE: (_("刚性支出超过收入的（%）"), Decimal("50")),
    RuleCode.DISASTER: (_("损失不少于（元）"), Decimal("1")),
}


class RiskRule(models.Model):
    """One risk rule a site switches on and tunes (风险规则)."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("规则"), max_length=30, choices=RuleCode.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    threshold = models.DecimalField(_("阈值"), null=True, blank=True, **MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="risk_rule_unique")]
        verbose_name = _("风险规则")


class HousingGrade(models.TextChoices):
    A = "A", _("A级（安全）")
    B = "B", _("B级（基本安全）")
    C = "C", _("C级危房")
    D = "D", _("D级危房")


class ProfileQuerySet(ScopedQuerySet):
    pass


class EconomicProfile(models.Model):
    """A household's economic profile for one year (家庭经济档案). Income figures are net, in yuan."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="economic_profiles")
    org_path = models.CharField(max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    member_count = models.PositiveSmallIntegerField(_("家庭人口"))
    wage_income = models.DecimalField(_("工资性收入"), default=0, **MONEY)
    operating_income = models.DecimalField(_("经营净收入"), default=0, **MONEY)
    property_income = models.DecimalField(_("财产净收入"), default=0, **MONEY)
    transfer_income = models.DecimalField(_("转移净收入"), default=0, **MONEY,
                                          help_text=_("低保、养老金、各类补贴等"))
    income_per_head = models.DecimalField(_("人均纯收入"), default=0, **MONEY)
    medical_expense = models.DecimalField(_("医疗自付支出"), default=0, **MONEY)
    education_expense = models.DecimalField(_("教育支出"), default=0, **MONEY)
    other_rigid_expense = models.DecimalField(_("其他刚性支出"), default=0, **MONEY)
    housing_grade = models.CharField(_("住房安全等级"), max_length=1, choices=HousingGrade.choices,
                                     default=HousingGrade.A)
    safe_water = models.BooleanField(_("饮水安全"), default=True)
    disaster_loss = models.DecimalField(_("灾害/意外损失"), default=0, **MONEY)
    note = models.TextField(_("备注"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="economic_profile_unique"),
            models.CheckConstraint(condition=Q(member_count__gte=1), name="economic_profile_members"),
            models.CheckConstraint(condition=Q(wage_income__gte=0) & Q(operating_income__gte=0)
                                   & Q(property_income__gte=0) & Q(transfer_income__gte=0)
                                   & Q(medical_expense__gte=0) & Q(education_expense__gte=0)
                                   & Q(other_rigid_expense__gte=0) & Q(disaster_loss__gte=0),
                                   name="economic_profile_non_negative"),
        ]
        indexes = [models.Index(fields=["year", "org_path"])]
        verbose_name = _("家庭经济档案")

    @property
    def total_income(self) -> Decimal:
        return self.wage_income + self.operating_income + self.property_income + self.transfer_income

    @property
    def rigid_expense(self) -> Decimal:
        return self.medical_expense + self.education_expense + self.other_rigid_expense


class Employment(models.TextChoices):
    STABLE = "stable", _("稳定务工")
    CASUAL = "casual", _("临时务工")
    FARMING = "farming", _("务农")
    SELF_EMPLOYED = "self_employed", _("个体经营")
    STUDENT = "student", _("在校学生")
    UNEMPLOYED = "unemployed", _("无业")
    RETIRED = "retired", _("退休/养老")
    NONE = "none", _("无劳动能力")


class SchoolStage(models.TextChoices):
    NONE = "", _("不在学龄/已毕业")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中职")
    TERTIARY = "tertiary", _("大专及以上")


class LabourCapacity(models.TextChoices):
    FULL = "full", _("有劳动能力")
    WEAK = "weak", _("弱劳动能力")
    NONE = "none", _("无劳动能力")


class LabourLoss(models.TextChoices):
    NONE = "", _("无")
    DEATH = "death", _("死亡")
    ILLNESS = "illness", _("重病")
    DISABILITY = "disability", _("残疾")


class MemberRecord(models.Model):
    """One member's line in a profile (成员情况): work, schooling, insurance, labour."""

    profile = models.ForeignKey(EconomicProfile, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    employment = models.CharField(_("就业情况"), max_length=20, choices=Employment.choices, default=Employment.FARMING)
    work_place = models.CharField(_("务工地点"), max_length=100, blank=True)
    annual_income = models.DecimalField(_("个人年收入"), default=0, **MONEY)
    school_stage = models.CharField(_("就学阶段"), max_length=20, choices=SchoolStage.choices, blank=True, default="")
    school = models.CharField(_("学校"), max_length=100, blank=True)
    enrolled = models.BooleanField(_("在校就读"), default=False)
    medical_insured = models.BooleanField(_("参加基本医疗保险"), default=True)
    labour_capacity = models.CharField(_("劳动能力"), max_length=10, choices=LabourCapacity.choices,
                                       default=LabourCapacity.FULL)
    is_main_labour = models.BooleanField(_("主要劳动力"), default=False)
    labour_loss = models.CharField(_("劳动力丧失"), max_length=20, choices=LabourLoss.choices, blank=True, default="")
    employment_updated_at = models.DateTimeField(null=True, blank=True)
    schooling_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "resident"], name="member_record_unique"),
            models.CheckConstraint(condition=Q(annual_income__gte=0), name="member_record_income_non_negative"),
        ]
        verbose_name = _("成员情况")


class Channel(models.TextChoices):
    DEPARTMENT = "department", _("部门筛查预警")
    VISIT = "visit", _("干部排查")
    SELF = "self", _("农户自主申报")
    RULE = "rule", _("规则监测")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("核实属实")
    DISMISSED = "dismissed", _("核实排除")
    CLEARED = "cleared", _("风险已自动解除")


class RiskKind(models.TextChoices):
    MEDICAL = "medical", _("大额医疗支出")
    DISASTER = "disaster", _("自然灾害/意外事故")
    JOB_LOSS = "job_loss", _("失业/收入骤减")
    SCHOOLING = "schooling", _("子女就学困难")
    HOUSING = "housing", _("住房安全问题")
    WATER = "water", _("饮水安全问题")
    LABOUR = "labour", _("劳动力丧失")
    OTHER = "other", _("其他困难")


class SignalQuerySet(ScopedQuerySet):
    pass


class RiskSignal(models.Model):
    """A risk signal (风险信号) and the verification task it opens (核实任务)."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="risk_signals")
    org_path = models.CharField(max_length=255, db_index=True)
    channel = models.CharField(_("发现渠道"), max_length=20, choices=Channel.choices)
    rule_code = models.CharField(_("规则"), max_length=30, choices=RuleCode.choices, blank=True)
    kind = models.CharField(_("风险类型"), max_length=20, choices=RiskKind.choices, blank=True)
    detail = models.TextField(_("情况说明"), blank=True)
    amount = models.DecimalField(_("涉及金额（元）"), null=True, blank=True, **MONEY)
    profile_year = models.PositiveSmallIntegerField(null=True, blank=True)
    department = models.CharField(_("预警部门"), max_length=100, blank=True)
    department_list = models.ForeignKey("DepartmentList", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="signals")
    visit = models.ForeignKey("Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="signals")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    raised_at = models.DateTimeField()
    deadline = models.DateField(_("核实期限"))
    overdue_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=SignalStatus.choices, default=SignalStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    outcome = models.TextField(_("核实结果"), blank=True)
    case = models.ForeignKey("MonitoringCase", null=True, blank=True, on_delete=models.PROTECT, related_name="signals")

    objects = SignalQuerySet.as_manager()

    class Meta:
        constraints = [
            # A rule raises one open signal per household; it is cleared or verified before another.
            models.UniqueConstraint(fields=["household", "rule_code"], condition=Q(status="open", channel="rule"),
                                    name="risk_signal_one_open_per_rule"),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]
        ordering = ["-raised_at", "-id"]
        verbose_name = _("风险信号")

    def label(self) -> str:
        if self.rule_code:
            return RuleCode(self.rule_code).label
        return RiskKind(self.kind).label if self.kind else Channel(self.channel).label


class Category(models.TextChoices):
    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class CaseStatus(models.TextChoices):
    IDENTIFYING = "identifying", _("识别中")
    MONITORED = "monitored", _("监测帮扶中")
    ELIMINATING = "eliminating", _("风险消除审核中")
    ELIMINATED = "eliminated", _("风险已消除")
    DISMISSED = "dismissed", _("未纳入")


ACTIVE_CASE_STATUSES = (CaseStatus.IDENTIFYING, CaseStatus.MONITORED, CaseStatus.ELIMINATING)
MONITORED_STATUSES = (CaseStatus.MONITORED, CaseStatus.ELIMINATING)


class Procedure(models.TextChoices):
    IDENTIFICATION = "identification", _("识别纳入")
    ELIMINATION = "elimination", _("风险消除")


class Stage(models.TextChoices):
    HOME_CHECK = "home_check", _("入户核实")
    VILLAGE_REVIEW = "village_review", _("村级民主评议")
    POSTING = "posting", _("村级公示")
    TOWNSHIP_REVIEW = "township_review", _("乡镇（街道）审核")
    COUNTY_APPROVAL = "county_approval", _("县级审定")
    ANNOUNCEMENT = "announcement", _("公告")
    DONE = "done", _("已完成")


STAGE_ORDER = [Stage.HOME_CHECK, Stage.VILLAGE_REVIEW, Stage.POSTING, Stage.TOWNSHIP_REVIEW, Stage.COUNTY_APPROVAL,
               Stage.ANNOUNCEMENT, Stage.DONE]


class CaseQuerySet(ScopedQuerySet):
    pass


class MonitoringCase(models.Model):
    """A household's spell as a monitored household (监测对象), from identification to elimination.

    A household whose risk returns after elimination gets a new case; the old one stays as history."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="monitoring_cases")
    org_path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.IDENTIFYING)
    category = models.CharField(_("监测类别"), max_length=20, choices=Category.choices, blank=True)
    procedure = models.CharField(_("当前流程"), max_length=20, choices=Procedure.choices,
                                 default=Procedure.IDENTIFICATION)
    stage = models.CharField(_("当前环节"), max_length=20, choices=Stage.choices, default=Stage.HOME_CHECK)
    posting_ends = models.DateField(_("公示截止"), null=True, blank=True)
    posting_closed_at = models.DateTimeField(null=True, blank=True)
    enrolled_on = models.DateField(_("纳入日期"), null=True, blank=True)
    eliminated_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    dismissed_reason = models.TextField(_("未纳入原因"), blank=True)
    people_count = models.PositiveSmallIntegerField(_("人口数"), default=0)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="monitoring_cases", verbose_name=_("帮扶责任人"))
    income_above_since = models.DateField(_("收入持续高于监测标准起始日"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household"],
                                    condition=Q(status__in=["identifying", "monitored", "eliminating"]),
                                    name="monitoring_case_one_active"),
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("监测对象")

    def __str__(self) -> str:
        return f"{self.household.display_name} · {self.get_status_display()}"


class ReviewStep(models.Model):
    """One completed step of an identification or elimination chain: who, when, what they decided."""

    case = models.ForeignKey(MonitoringCase, on_delete=models.PROTECT, related_name="steps")
    procedure = models.CharField(max_length=20, choices=Procedure.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    acted_on = models.DateField(_("日期"))
    at = models.DateTimeField()
    approved = models.BooleanField(default=True)
    consent = models.BooleanField(_("农户同意"), default=False)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    note = models.TextField(_("意见"), blank=True)
    checks = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class MeasureKind(models.TextChoices):
    INDUSTRY = "industry", _("产业帮扶")
    EMPLOYMENT = "employment", _("就业帮扶")
    HEALTH = "health", _("健康帮扶")
    EDUCATION = "education", _("教育帮扶")
    HOUSING = "housing", _("住房保障")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    SUBSIDY = "subsidy", _("临时救助/补贴")


class AssistanceMeasure(models.Model):
    """One assistance measure (帮扶措施) for a monitored household."""

    case = models.ForeignKey(MonitoringCase, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("帮扶类型"), max_length=20, choices=MeasureKind.choices)
    description = models.CharField(_("措施内容"), max_length=200)
    started_on = models.DateField(_("开始日期"))
    amount = models.DecimalField(_("金额（元）"), default=0, **MONEY)
    result = models.TextField(_("成效"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="measure_amount_non_negative")]
        ordering = ["-started_on", "-id"]


class VisitKind(models.TextChoices):
    SCREENING = "screening", _("排查走访")
    ASSISTANCE = "assistance", _("帮扶走访")


class Visit(models.Model):
    """A cadre's visit to a household (入户走访)."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="monitoring_visits")
    org_path = models.CharField(max_length=255, db_index=True)
    case = models.ForeignKey(MonitoringCase, null=True, blank=True, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField(_("走访类型"), max_length=20, choices=VisitKind.choices)
    visited_on = models.DateField(_("走访日期"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField(_("走访情况"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]


class ScheduledVisit(models.Model):
    """A visit due for a monitored household (走访计划). Reminder and overdue are stored by the scheduler."""

    case = models.ForeignKey(MonitoringCase, on_delete=models.CASCADE, related_name="scheduled_visits")
    org_path = models.CharField(max_length=255, db_index=True)
    due_on = models.DateField(_("应走访日期"))
    visit = models.OneToOneField(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="fulfils")
    done_on = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    cancelled = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "due_on"], name="scheduled_visit_unique")]
        ordering = ["due_on", "id"]


class DepartmentListStatus(models.TextChoices):
    CHECKED = "checked", _("已检查，待确认")
    REJECTED = "rejected", _("有错误，已拒绝")
    APPLIED = "applied", _("已导入")


class DepartmentList(models.Model):
    """A warning list from a department (部门筛查预警名单), checked then applied all-or-nothing."""

    department = models.CharField(_("预警部门"), max_length=100)
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    root = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=DepartmentListStatus.choices)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
