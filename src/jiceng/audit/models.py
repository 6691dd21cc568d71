"""Append-only, hash-chained audit trail (审计日志)."""
from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """One recorded write or personal-data access (审计记录).

    Rows are never updated or deleted by the application. Each row's ``entry_hash`` covers its own
    fields and the previous row's hash, so editing or deleting any row breaks the chain.
    The actor is stored by id and name (no foreign key), so deleting a user never rewrites history.
    """

    keeps_org_path = True  # a moved or merged unit leaves its past entries where they were written

    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "审计记录"

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The chain's tip (审计链头): one row, locked while appending, so appends are serialised and
    a deleted last row is detected."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    entry_count = models.BigIntegerField(default=0)
