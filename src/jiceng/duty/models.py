"""Duty desks (坐班值班): a village's or community's service desk (值班台) with its daily QR code, the roster of
shifts (值班表) with check-in and check-out, the visitors received (来访登记), and a site's duty rules."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet


class DutyRules(models.Model):
    """A site's duty rules (值班规则): the check-in windows, the distance allowed from the desk, and the
    performance points a shift kept or missed is worth. Settings, never constants."""

    site = models.OneToOneField("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    kept_points = models.PositiveIntegerField(_("按时值班加分"), default=1)
    late_points = models.PositiveIntegerField(_("迟到扣分"), default=1)
    missed_points = models.PositiveIntegerField(_("缺勤扣分"), default=2)
    early_minutes = models.PositiveIntegerField(_("提前签到（分钟）"), default=30)
    late_minutes = models.PositiveIntegerField(_("迟到宽限（分钟）"), default=10)
    missed_minutes = models.PositiveIntegerField(_("未签到记缺勤（开始后分钟）"), default=60)
    max_distance_m = models.PositiveIntegerField(_("签到距离上限（米）"), default=300)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("值班规则")


class DutyDesk(models.Model):
    """A service desk (便民服务站/值班台) of a village or community: its public line, where it is, the days it
    opens, and the secret its daily QR code is made from."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    name = models.CharField(_("值班台"), max_length=100)
    phone = models.CharField(_("值班电话"), max_length=20, blank=True)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    days = models.CharField(_("坐班日"), max_length=7, default="12345", help_text=_("星期几坐班：1=周一 … 7=周日"))
    secret = models.CharField(max_length=64)
    is_active = models.BooleanField(_("启用"), default=True)
    uncovered_reminded_for = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org_path", "id"]
        verbose_name = _("值班台")

    def __str__(self) -> str:
        return self.name


class ShiftStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待签到")
    ON_DUTY = "on_duty", _("在岗")
    DONE = "done", _("已完成")
    MISSED = "missed", _("缺勤")


class DutyShift(models.Model):
    """One shift on the roster (班次): a cadre at a desk from one moment to another. Kept (checked in, then out
    or settled at the end) or missed (no check-in by its start plus the site's minutes) — stored facts."""

    desk = models.ForeignKey(DutyDesk, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("值班台"))
    org_path = models.CharField(max_length=255, db_index=True)
    cadre = models.ForeignKey("people.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("值班人"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    status = models.CharField(_("状态"), max_length=10, choices=ShiftStatus.choices, default=ShiftStatus.SCHEDULED)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    late = models.BooleanField(_("迟到"), default=False)
    missed_at = models.DateTimeField(_("记缺勤时间"), null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    points = models.IntegerField(_("积分"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("班次")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="duty_shift_ends_after_start")]
        indexes = [models.Index(fields=["org_path", "starts_at"], name="duty_shift_scope_start"),
                   models.Index(fields=["cadre", "starts_at"], name="duty_shift_cadre_start")]


class VisitorKind(models.TextChoices):
    CONSULT = "consult", _("咨询")
    MATTER = "matter", _("办事（诉求）")
    DISPUTE = "dispute", _("矛盾纠纷调解")


class Visitor(models.Model):
    """A visitor received at the desk (来访登记): who, what for, the outcome. A matter is filed as a report and
    a dispute as a mediated dispute through the reports module, and the row links to it."""

    desk = models.ForeignKey(DutyDesk, on_delete=models.PROTECT, related_name="visitors", verbose_name=_("值班台"))
    shift = models.ForeignKey(DutyShift, null=True, blank=True, on_delete=models.PROTECT, related_name="visitors")
    org_path = models.CharField(max_length=255, db_index=True)
    at = models.DateTimeField(_("来访时间"))
    name = models.CharField(_("来访人"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    purpose = models.CharField(_("来访事由"), max_length=500)
    kind = models.CharField(_("类型"), max_length=10, choices=VisitorKind.choices, default=VisitorKind.CONSULT)
    outcome = models.CharField(_("接待结果"), max_length=500, blank=True)
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    dispute = models.ForeignKey("reports.Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("来访登记")
        indexes = [models.Index(fields=["org_path", "at"], name="duty_visitor_scope_at")]
