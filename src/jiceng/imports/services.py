"""Import jobs: created by the web page, checked and applied by the task queue, cancellable.

Progress and cancel requests travel through the cache (shared by the web workers and the task
consumer), not the database: during the apply phase the import holds one long transaction, and
progress written to the database would not be visible (or, on SQLite, writable) until it ends.
"""
from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.errors import JicengError, PermissionDeniedError

from .engine import Cancelled, import_file, importable_kinds, may_import_kind
from .models import ImportJob, ImportStatus
from .spec import kind_specs


def _progress_key(job_id) -> str:
    return f"jiceng:import:{job_id}:progress"


def _cancel_key(job_id) -> str:
    return f"jiceng:import:{job_id}:cancel"


def import_job_progress(job: ImportJob) -> dict:
    done, total = cache.get(_progress_key(job.pk), (0, 0))
    return {"done": done, "total": total, "percent": int(100 * done / total) if total else 0}


def _store_upload(job_id, chunks) -> tuple[str, str]:
    """Write the upload's chunks to IMPORT_UPLOAD_DIR as they come; (file name, sha256)."""
    folder = Path(settings.IMPORT_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{job_id}.upload"
    digest = hashlib.sha256()
    tmp = folder / (name + ".part")
    with open(tmp, "wb") as f:
        for chunk in chunks:
            digest.update(chunk)
            f.write(chunk)
    os.replace(tmp, folder / name)
    return name, digest.hexdigest()


def import_job_create(*, actor, kind: str, filename: str, data: bytes | None = None, upload=None, root=None,
                      simplify: bool = False) -> ImportJob:
    """Store the upload and queue its check (nothing is written to the registry).

    ``upload`` (a Django UploadedFile, spooled to disk by Django when large) is copied to the upload
    folder a chunk at a time, so a file of hundreds of megabytes never sits in the web worker's
    memory; ``data`` (bytes) is stored the same way."""
    if not importable_kinds(actor):
        raise PermissionDeniedError(_("您的角色不能导入数据"))
    if kind not in kind_specs():
        raise JicengError(_("未知的导入类型：%(k)s") % {"k": kind}, field="kind")
    if not may_import_kind(actor, kind):
        raise JicengError(_("您的角色不能导入“%(k)s”") % {"k": kind_specs()[kind].label}, field="kind")
    if root is not None and not may_import_kind(actor, kind, root):
        raise JicengError(_("“%(u)s”不在您的管辖范围内") % {"u": root.name}, field="root")
    from .tasks import import_job_run

    job_id = uuid.uuid4()
    name, sha256 = _store_upload(job_id, upload.chunks() if upload is not None else [data])
    with transaction.atomic():
        job = ImportJob.objects.create(id=job_id, actor=actor, kind=kind, filename=filename[:255], file=name,
                                       sha256=sha256, root=root, simplify=simplify, status=ImportStatus.QUEUED)
        transaction.on_commit(lambda: import_job_run(str(job.pk), apply=False))
    return job


def import_job_apply(*, actor, job: ImportJob) -> ImportJob:
    if job.actor_id != actor.pk:
        raise PermissionDeniedError()
    from .tasks import import_job_run

    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
            status=ImportStatus.APPLY_QUEUED)
        if not updated:
            raise JicengError(_("这个文件现在不能导入：%(s)s") % {"s": job.get_status_display()}, field="status")
        transaction.on_commit(lambda: import_job_run(str(job.pk), apply=True))
    job.refresh_from_db()
    return job


def import_job_cancel(*, actor, job: ImportJob) -> ImportJob:
    """Stop a queued or running import; a running apply rolls back, so nothing of the file is written."""
    if job.actor_id != actor.pk:
        raise PermissionDeniedError()
    if job.status in (ImportStatus.CHECKED, ImportStatus.QUEUED, ImportStatus.APPLY_QUEUED):
        ImportJob.objects.filter(pk=job.pk, status=job.status).update(status=ImportStatus.CANCELLED)
    cache.set(_cancel_key(job.pk), True, 24 * 3600)
    job.refresh_from_db()
    if job.status == ImportStatus.CANCELLED:
        import_job_purge(job)
        job.refresh_from_db()
    return job


def import_job_execute(job_id: str, *, apply: bool) -> None:
    """The task body: check (or apply) the stored file, reporting progress, honouring cancel."""
    job = ImportJob.objects.select_related("actor", "root").get(pk=job_id)
    expected = ImportStatus.APPLY_QUEUED if apply else ImportStatus.QUEUED
    running = ImportStatus.APPLYING if apply else ImportStatus.CHECKING
    if not ImportJob.objects.filter(pk=job.pk, status=expected).update(status=running):
        return  # cancelled before it started, or already handled
    cache.set(_progress_key(job.pk), (0, 0), 24 * 3600)

    def progress(done, total):
        cache.set(_progress_key(job.pk), (done, total), 24 * 3600)

    def should_cancel():
        return bool(cache.get(_cancel_key(job.pk)))

    try:
        result = import_file(actor=job.actor, kind=job.kind, filename=job.filename, data=job.read_data(),
                             root=job.root, simplify=job.simplify, dry_run=not apply, progress=progress,
                             should_cancel=should_cancel)
    except Cancelled:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CANCELLED,
                                                   message=_("已取消，未写入任何数据"))
        import_job_purge(ImportJob.objects.get(pk=job.pk))
        return
    except JicengError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message=exc.message)
        return
    except Exception:
        # Never leave a job "checking"/"applying" forever: the transaction has rolled back; say so.
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, message=_("导入时发生系统错误，未写入任何数据，请联系管理员"))
        raise
    progress(result.total, result.total)
    if apply:
        status = ImportStatus.APPLIED if result.applied else ImportStatus.REJECTED
    else:
        status = ImportStatus.CHECKED if result.ok else ImportStatus.REJECTED
    ImportJob.objects.filter(pk=job.pk).update(status=status, result=result.as_dict(),
                                               applied_at=timezone.now() if result.applied else None)
    if result.applied:
        import_job_purge(ImportJob.objects.get(pk=job.pk))


def import_job_purge(job: ImportJob, *, now=None) -> bool:
    """Delete a job's stored upload (it holds ID numbers and phones); the job keeps its result."""
    now = now or timezone.now()
    if job.is_running or job.purged_at is not None:
        return False
    if job.file:
        (Path(settings.IMPORT_UPLOAD_DIR) / job.file).unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job.pk).update(file="", data=b"", purged_at=now)
    return True


def import_jobs_purge_due(*, now=None) -> int:
    """Scheduler: purge uploads that are no longer needed — applied or cancelled jobs at once, the
    others (kept so the user can download their file with an error column) after
    IMPORT_RETENTION_DAYS."""
    import datetime as dt

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.IMPORT_RETENTION_DAYS)
    done = [ImportStatus.APPLIED, ImportStatus.CANCELLED]
    jobs = ImportJob.objects.filter(purged_at__isnull=True).exclude(status__in=ImportJob.RUNNING).filter(
        models.Q(status__in=done) | models.Q(created_at__lt=cutoff))
    return sum(import_job_purge(job, now=now) for job in jobs)
