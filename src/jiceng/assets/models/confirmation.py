"""Rights confirmation (产权确权): a village applies, the township reviews, the district approves; each step by
a different person, dated, with comments, and one file per project (一项目一档案) holding every document."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

from .register import Asset, money_field

__all__ = ["ConfirmationStage", "ConfirmationStatus", "ConfirmationDecision", "ConfirmationProject",
           "ConfirmationStep", "ConfirmationDocument"]


class ConfirmationStage(models.TextChoices):
    APPLY = "apply", _("村级申报")
    REVIEW = "review", _("乡镇审核")
    APPROVE = "approve", _("区级审批")


class ConfirmationStatus(models.TextChoices):
    DRAFT = "draft", _("待申报")
    APPLIED = "applied", _("待乡镇审核")
    REVIEWED = "reviewed", _("待区级审批")
    APPROVED = "approved", _("已确权")
    RETURNED = "returned", _("退回修改")


class ConfirmationDecision(models.TextChoices):
    SUBMIT = "submit", _("提交")
    PASS = "pass", _("通过")
    RETURN = "return", _("退回")


class ConfirmationProject(models.Model):
    """One rights-confirmation project (确权项目) and its file (档案)."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="confirmations",
                              verbose_name=_("对应资产"))
    title = models.CharField(_("项目名称"), max_length=100)
    value = money_field(_("确权价值（元）"))
    status = models.CharField(_("状态"), max_length=10, choices=ConfirmationStatus.choices,
                              default=ConfirmationStatus.DRAFT)
    approved_on = models.DateField(_("确权日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("确权项目")
        ordering = ["org_path", "-created_at"]

    def __str__(self) -> str:
        return self.title


class ConfirmationStep(models.Model):
    """One step of the chain, as taken: who, in which role, when, the decision and the comment. Never edited."""

    project = models.ForeignKey(ConfirmationProject, on_delete=models.PROTECT, related_name="steps")
    org_path = models.CharField(max_length=255, db_index=True)
    seq = models.PositiveIntegerField()
    stage = models.CharField(_("环节"), max_length=10, choices=ConfirmationStage.choices)
    decision = models.CharField(_("意见"), max_length=10, choices=ConfirmationDecision.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("经办人"))
    actor_name = models.CharField(_("经办人"), max_length=150)
    role = models.CharField(_("角色"), max_length=30)
    comment = models.TextField(_("意见说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("确权环节")
        ordering = ["project_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="assets_confirmation_step_seq")]


class ConfirmationDocument(models.Model):
    """A document in a project's file (确权档案): survey, boundary sketch, minutes, certificate…"""

    project = models.ForeignKey(ConfirmationProject, on_delete=models.PROTECT, related_name="documents")
    org_path = models.CharField(max_length=255, db_index=True)
    stage = models.CharField(_("环节"), max_length=10, choices=ConfirmationStage.choices)
    title = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="confirmations/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("确权档案材料")
        ordering = ["uploaded_at"]
