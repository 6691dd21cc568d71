"""An import job (导入任务): the uploaded file, what the check found, and whether it was applied."""
from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队检查中")
    CHECKING = "checking", _("正在检查")
    CHECKED = "checked", _("已检查，待确认")
    APPLY_QUEUED = "apply_queued", _("排队导入中")
    APPLYING = "applying", _("正在导入")
    FAILED = "failed", _("出错")
    REJECTED = "rejected", _("有错误，已拒绝")
    APPLIED = "applied", _("已导入")
    CANCELLED = "cancelled", _("已取消")


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs")
    kind = models.CharField(max_length=20)
    filename = models.CharField(max_length=255)
    data = models.BinaryField(default=b"", blank=True)  # jobs from before uploads were stored as files
    file = models.CharField(max_length=255, blank=True)  # the upload, under settings.IMPORT_UPLOAD_DIR
    sha256 = models.CharField(max_length=64)
    root = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT)
    simplify = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=ImportStatus.choices)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)  # when the stored upload was deleted

    RUNNING = ("queued", "checking", "apply_queued", "applying")

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    def read_data(self) -> bytes:
        """The uploaded file's bytes (gone once the job is purged)."""
        if self.purged_at is not None:
            from django.utils.translation import gettext as _

            from jiceng.core.errors import NotFoundError

            raise NotFoundError(_("上传的文件已按保存期限清除，请重新上传"))
        if self.file:
            return (Path(settings.IMPORT_UPLOAD_DIR) / self.file).read_bytes()
        return bytes(self.data)

    class Meta:
        ordering = ["-created_at"]
