"""The register of certificate requests (证明事项) sent to villages and communities, and the village's answer."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import ScopedQuerySet

__all__ = ["CertificateAnswer", "CertificateRequest"]


class CertificateAnswer(models.TextChoices):
    PENDING = "pending", _("待答复")
    ISSUED = "issued", _("已出具")
    REFUSED = "refused", _("不予出具")


class CertificateRequest(models.Model):
    """A certificate an office or department asks a village or community to issue (证明事项): who asks, which
    certificate, for which resident (if any), why, when, and the village's answer. One that a negative-list item
    covers is refused before it is written — the refusal recorded — unless a push-down approval covers it
    (``approval``)."""

    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("村（社区）"))
    org_path = models.CharField(max_length=255, db_index=True)
    requester = models.CharField(_("索要单位（部门）"), max_length=100)
    title = models.CharField(_("证明事项"), max_length=100)
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("涉及居民"))
    reason = models.CharField(_("索要事由"), max_length=300)
    requested_on = models.DateField(_("索要日期"))
    answer = models.CharField(_("答复"), max_length=10, choices=CertificateAnswer.choices,
                              default=CertificateAnswer.PENDING)
    answer_note = models.CharField(_("答复说明"), max_length=300, blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approval = models.ForeignKey("leadership.PushDownApproval", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="certificate_requests", verbose_name=_("准入审批"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("证明事项索要登记")
        ordering = ["org_path", "-requested_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(answer="pending") | Q(answered_on__isnull=False),
                                   name="leadership_certificate_answered_on"),
            models.CheckConstraint(condition=~Q(answer="refused") | ~Q(answer_note=""),
                                   name="leadership_certificate_refusal_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.requester} · {self.title}"
