"""The one outbox (通知): what changed, for whom, whichever module said it. Shown in the recipient's inbox; an SMS
or WeChat sender can deliver undelivered rows later without touching any module's workflow."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """One message to one staff user or one phone. ``subject`` names what it is about (``reports.report``) and
    ``subject_id`` which one; ``link`` is the page to open."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    phone = models.CharField(max_length=20, blank=True)
    message = models.CharField(max_length=300)
    subject = models.CharField(max_length=50, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=20, default="web")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_inbox_idx"),
                   models.Index(fields=["subject", "subject_id"], name="notice_subject_idx")]
        constraints = [models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(phone=""),
                                              name="notice_has_recipient")]
