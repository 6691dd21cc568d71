"""The four duty lists (四张清单) and the negative list's approvals and refusals."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

__all__ = ["DutyListKind", "DutyListStatus", "DutyList", "DutyItem", "PushDownApproval", "PushDownRefusal"]


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

    def __str__(self) -> str:
        return f"{self.item.code} → {self.subject}（至 {self.valid_until}）"


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

    def __str__(self) -> str:
        return f"{self.item.code} {self.item.name}：{self.subject[:60]}"
