"""Problem reports (啄木鸟/诉求办理): categories, reports and their lifecycle, routing rules,
handlers, the timeline. Notices go through the shared outbox (jiceng.notices). Open311 GeoReport v2 is one
intake door."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet


class HandlerLevel(models.TextChoices):
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区/村")
    DEPARTMENT = "department", _("职能部门")
    PARTNER = "partner", _("共建单位")


class ReportCategory(models.Model):
    """A report category (问题类别) in a site's tree; also an Open311 service (its ``code``)."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="report_categories")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    handler_level = models.CharField(_("默认办理层级"), max_length=20, choices=HandlerLevel.choices,
                                     default=HandlerLevel.GRID)
    sla_hours = models.PositiveIntegerField(_("办理时限（小时）"), default=72)
    earns_points = models.BooleanField(_("核实办结后奖励积分"), default=True)
    keywords = models.TextField(_("关键词（逗号分隔，用于自动建议类别）"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("问题类别")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]


class AttributeType(models.TextChoices):
    STRING = "string", "string"
    NUMBER = "number", "number"
    DATETIME = "datetime", "datetime"
    TEXT = "text", "text"
    SINGLE = "singlevaluelist", "singlevaluelist"
    MULTI = "multivaluelist", "multivaluelist"


class CategoryAttribute(models.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    category = models.ForeignKey(ReportCategory, on_delete=models.CASCADE, related_name="attributes")
    code = models.CharField(max_length=30)
    datatype = models.CharField(max_length=20, choices=AttributeType.choices, default=AttributeType.STRING)
    required = models.BooleanField(default=False)
    description = models.CharField(max_length=200)
    datatype_description = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    values = models.JSONField(default=list, blank=True, help_text="[{key, name}] for list types")

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="category_attribute_unique")]


class Channel(models.TextChoices):
    RESIDENT = "resident", _("居民随手拍")
    WOODPECKER = "woodpecker", _("啄木鸟志愿者")
    GRID = "grid", _("网格员巡查")
    DESK = "desk", _("服务窗口/电话")
    OPEN311 = "open311", _("外部系统（Open311）")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结待评价")
    CLOSED = "closed", _("已关闭")


OPEN_STATUSES = [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS,
                 ReportStatus.RESOLVED]


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ReportQuerySet(ScopedQuerySet):
    pass


class Report(models.Model):
    """A problem report or request (问题线索/诉求)."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(ReportCategory, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("类别"))
    suggested_category = models.ForeignKey(ReportCategory, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+")
    description = models.TextField(_("问题描述"), max_length=4000)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("发生地点（网格/楼栋）"))
    org_path = models.CharField(max_length=255, db_index=True)
    address = models.CharField(_("详细位置"), max_length=255, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    channel = models.CharField(_("来源"), max_length=20, choices=Channel.choices)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reports")
    reporter_household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="reports")
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("电子邮箱"), blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    attributes = models.JSONField(default=dict, blank=True)
    media_url = models.URLField(_("图片或视频链接"), max_length=500, blank=True,
                                help_text=_("报送系统给出的照片、视频地址（Open311 media_url），可公开"))
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    reject_reason = models.CharField(_("不予受理原因"), max_length=200, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    handler_level = models.CharField(max_length=20, choices=HandlerLevel.choices, blank=True)
    handler_unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="handled_reports", verbose_name=_("办理单位"))
    handler_partner = models.ForeignKey("people.PartnerUnit", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="handled_reports", verbose_name=_("办理共建单位"))
    deadline = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    reopened = models.BooleanField(default=False)
    result = models.TextField(_("办理结果"), blank=True)
    rating = models.CharField(_("评价"), max_length=20, choices=Rating.choices, blank=True)
    rating_note = models.CharField(max_length=200, blank=True)
    reward = models.ForeignKey("points.PointsDeclaration", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("问题诉求")
        indexes = [models.Index(fields=["org_path", "created_at"], name="report_scope_idx"),
                   models.Index(fields=["status", "deadline"], name="report_due_idx"),
                   models.Index(fields=["category", "org_unit", "created_at"], name="report_duplicate_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.name}"


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("问题照片")
    AFTER = "after", _("办结照片")


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=10, choices=PhotoStage.choices, default=PhotoStage.BEFORE)
    image = models.ImageField(upload_to="reports/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)


class CoHandler(models.Model):
    """A unit co-handling a report (协办); the report's own handler is the lead (主办)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="co_handlers")
    unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("people.PartnerUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")


class ReportEvent(models.Model):
    """One step on a report's timeline (办理经过); each is also in the audit trail."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True, help_text="shown to the reporter and on the public board")

    class Meta:
        ordering = ["at", "id"]


class RoutingRule(models.Model):
    """Who handles a category in a part of the tree (派单规则); the most specific enabled rule wins."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(ReportCategory, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="routing_rules", help_text=_("空：所有类别"))
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("适用范围"))
    org_path = models.CharField(max_length=255)
    hour_from = models.PositiveSmallIntegerField(null=True, blank=True)
    hour_to = models.PositiveSmallIntegerField(null=True, blank=True)
    handler_level = models.CharField(max_length=20, choices=HandlerLevel.choices)
    handler_unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handler_partner = models.ForeignKey("people.PartnerUnit", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    enabled = models.BooleanField(default=True)


class Open311Client(models.Model):
    """A partner system allowed to post requests (its ``api_key``, stored hashed)."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)


class ReportSettings(models.Model):
    """A site's report settings (诉求办理设置): its area (for shared locations), reminders, duplicates."""

    site = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="report_settings")
    min_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    max_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    min_long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    max_long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    remind_before_hours = models.PositiveIntegerField(_("到期前提醒（小时）"), default=24)
    duplicate_days = models.PositiveIntegerField(_("重复线索比对天数"), default=7)
    duplicate_metres = models.PositiveIntegerField(_("重复线索比对距离（米）"), default=100)
    reward_event = models.CharField(max_length=50, default="report.verified")


class DisputeKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    FAMILY = "family", _("婚姻家庭")
    PROPERTY = "property", _("物业纠纷")
    LAND = "land", _("土地山林")
    LABOUR = "labour", _("劳资纠纷")
    OTHER = "other", _("其他")


class DisputeOutcome(models.TextChoices):
    MEDIATING = "mediating", _("调解中")
    AGREED = "agreed", _("调解成功，达成协议")
    REFERRED = "referred", _("移交（司法所、法院等）")
    FAILED = "failed", _("调解未成功")


class Dispute(models.Model):
    """A dispute mediated at the desk (矛盾纠纷调处)."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="disputes",
                                 verbose_name=_("发生地点"))
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("纠纷类型"), max_length=20, choices=DisputeKind.choices)
    parties = models.CharField(_("当事人"), max_length=200)
    description = models.TextField(_("纠纷情况"))
    mediator = models.CharField(_("调解人"), max_length=100)
    occurred_on = models.DateField(_("受理日期"))
    outcome = models.CharField(_("调处结果"), max_length=20, choices=DisputeOutcome.choices,
                               default=DisputeOutcome.MEDIATING)
    agreement = models.TextField(_("协议内容或移交去向"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("矛盾纠纷")


class Errand(models.Model):
    """An errand a party member ran for a resident (红色代办): what, for whom, by whom, when."""

    site = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="errands",
                                  verbose_name=_("服务对象（户）"))
    org_path = models.CharField(max_length=255, db_index=True)
    what = models.CharField(_("代办事项"), max_length=200)
    party_member = models.ForeignKey("people.PartyMember", on_delete=models.PROTECT, related_name="errands",
                                     verbose_name=_("代办党员"))
    requested_on = models.DateField(_("受理日期"))
    done_on = models.DateField(_("办结日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("红色代办")
