"""Uploads are streamed to a file (not memory, not the database); the limit fits a whole roll."""
from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from jiceng.people.models import Resident
from tests.conftest import PASSWORD
from tests.imports.test_import_residents import csv_bytes
from tests.imports.test_import_streaming import family_rows


def test_an_upload_is_stored_as_a_file_and_imported_from_it(district, make_user, client, settings, tmp_path,
                                                            django_capture_on_commit_callbacks):
    from jiceng.imports.models import ImportJob

    settings.IMPORT_UPLOAD_DIR = tmp_path
    user = make_user("community_staff", district.comm_a)
    assert client.login(username=user.username, password=PASSWORD)
    data = csv_bytes(family_rows(district, 2))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("r.csv", data)})
    job = ImportJob.objects.get()
    assert job.status == "checked" and job.file and bytes(job.data) == b""
    assert (tmp_path / job.file).read_bytes() == data == job.read_data()
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/apply/")
    assert Resident.objects.count() == 6


def test_the_upload_limit_fits_a_whole_roll_and_is_enforced(district, make_user, client, monkeypatch):
    from jiceng.imports import views
    from jiceng.imports.models import ImportJob

    assert views.MAX_UPLOAD >= 512 * 1024 * 1024
    monkeypatch.setattr(views, "MAX_UPLOAD", 1024 * 1024)
    user = make_user("community_staff", district.comm_a)
    assert client.login(username=user.username, password=PASSWORD)
    big = SimpleUploadedFile("r.csv", b"x" * (1024 * 1024 + 1))
    page = client.post("/imports/", {"kind": "residents", "file": big}).content.decode()
    assert "文件超过 1 MB" in page and not ImportJob.objects.exists()


def test_jobs_stored_in_the_database_still_read(district, make_user):
    from jiceng.imports.models import ImportJob

    user = make_user("community_staff", district.comm_a)
    job = ImportJob.objects.create(actor=user, kind="residents", filename="r.csv", data=b"a,b\n", sha256="0",
                                   status="queued")
    assert job.read_data() == b"a,b\n"


def test_stored_uploads_are_purged_after_apply_and_after_the_retention_period(
        district, make_user, client, settings, tmp_path, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from jiceng.imports.models import ImportJob
    from jiceng.imports.services import import_jobs_purge_due
    from jiceng.composition import scheduled_jobs

    # The nightly job as the scheduler runs it (declared in imports/module.py).
    purge_uploads = scheduled_jobs()["imports.purge_uploads"]

    settings.IMPORT_UPLOAD_DIR = tmp_path
    settings.IMPORT_RETENTION_DAYS = 7
    user = make_user("community_staff", district.comm_a)
    assert client.login(username=user.username, password=PASSWORD)
    good = csv_bytes(family_rows(district, 2))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("good.csv", good)})
    applied = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{applied.pk}/apply/")
    applied.refresh_from_db()
    # Applied: the upload (ID numbers, phones) is deleted at once; the job keeps its counts.
    assert applied.status == "applied" and applied.purged_at is not None and applied.file == ""
    assert list(tmp_path.iterdir()) == [] and applied.result["created"] == 6
    bad = good.replace(b"\xe5\xbc\xa0", b"=")  # a formula-looking name: rejected
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("bad.csv", bad)})
    rejected = ImportJob.objects.exclude(pk=applied.pk).get()
    assert rejected.status == "rejected" and rejected.purged_at is None
    assert client.get(f"/imports/{rejected.pk}/errors.xlsx").status_code == 200  # kept for the error copy
    assert import_jobs_purge_due() == 0
    assert purge_uploads.call_local() == 0
    later = timezone.now() + dt.timedelta(days=8)
    assert import_jobs_purge_due(now=later) == 1
    rejected.refresh_from_db()
    assert rejected.purged_at is not None and list(tmp_path.iterdir()) == []
    resp = client.get(f"/imports/{rejected.pk}/errors.xlsx")
    assert resp.status_code == 404
    assert "已按保存期限清除" in client.get(f"/imports/{rejected.pk}/").content.decode()
