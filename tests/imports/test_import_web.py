import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiceng.imports.models import ImportJob
from jiceng.people.models import Resident
from tests.conftest import PASSWORD, bad_check_digit
from tests.imports.test_import_residents import csv_bytes, good_rows


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_upload_check_then_confirm(district, make_user, client, django_capture_on_commit_callbacks):
    user = make_user("community_staff", district.comm_a)
    login(client, user)
    data = csv_bytes(good_rows(district), encoding="gbk")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("居民.csv", data)})
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "checked" and Resident.objects.count() == 0
    page = client.get(r["Location"]).content.decode()
    assert "检查通过" in page and "确认导入" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/imports/{job.pk}/apply/")
    assert r.status_code == 302
    assert Resident.objects.count() == 3
    job.refresh_from_db()
    assert job.status == "applied"
    # Applying twice does nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/apply/")
    assert Resident.objects.count() == 3


def test_errors_are_listed_and_downloadable(district, make_user, client, django_capture_on_commit_callbacks):
    user = make_user("grid_worker", district.grid_a1)
    login(client, user)
    rows = good_rows(district)
    rows[1][1] = bad_check_digit(rows[1][1])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("r.csv", csv_bytes(rows))})
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    page = client.get(r["Location"]).content.decode()
    assert "校验位不正确" in page and "整个文件未导入" in page and "确认导入" not in page
    book = load_workbook(io.BytesIO(b"".join(client.get(f"/imports/{job.pk}/errors.xlsx").streaming_content)))
    assert "校验位" in book.active.cell(3, 1).value
    assert Resident.objects.count() == 0


def test_someone_elses_job_is_not_found(district, make_user, client):
    a = make_user("community_staff", district.comm_a)
    b = make_user("community_staff", district.comm_a)
    login(client, a)
    client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("r.csv", csv_bytes(good_rows(district)))})
    job = ImportJob.objects.get()
    client.logout()
    login(client, b)
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.post(f"/imports/{job.pk}/apply/").status_code == 404
    assert Resident.objects.count() == 0


def test_read_only_roles_cannot_import_and_templates_download(district, make_user, client):
    login(client, make_user("auditor", district.street))
    assert client.get("/imports/").status_code == 403
    r = client.get("/imports/templates/residents.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(1, 1).value == "姓名（必填）"


def test_progress_is_polled_and_a_running_import_can_be_cancelled(district, make_user, client):
    from jiceng.imports.services import import_job_execute
    user = make_user("community_staff", district.comm_a)
    login(client, user)
    client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("r.csv", csv_bytes(good_rows(district)))})
    job = ImportJob.objects.get()
    assert job.status == "queued"  # the check runs in the task queue, after the request
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "hx-trigger=\"every 1s\"" in page and "取消导入" in page
    r = client.get(f"/imports/{job.pk}/progress/")
    assert r.status_code == 200 and "HX-Refresh" not in r
    client.post(f"/imports/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == "cancelled"
    import_job_execute(str(job.pk), apply=False)  # the queued task finds it cancelled and does nothing
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert client.get(f"/imports/{job.pk}/progress/")["HX-Refresh"] == "true"


def test_cancel_during_apply_rolls_the_whole_file_back(admin, district):
    from jiceng.imports.engine import Cancelled, import_file
    from tests.imports.test_import_residents import snapshot
    before = snapshot()
    calls = {"n": 0}

    def cancel_on_second_check():
        calls["n"] += 1
        return calls["n"] > 1

    import pytest
    with pytest.raises(Cancelled):
        import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(good_rows(district, 3)),
                    should_cancel=cancel_on_second_check)
    assert snapshot() == before


def test_an_unexpected_error_marks_the_job_failed(district, make_user, monkeypatch):
    import pytest

    from jiceng.imports import services

    user = make_user("community_staff", district.comm_a)
    job = ImportJob.objects.create(actor=user, kind="residents", filename="r.csv", data=b"x", sha256="0",
                                   status="queued")

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "import_file", boom)
    with pytest.raises(RuntimeError):
        services.import_job_execute(str(job.pk), apply=False)
    job.refresh_from_db()
    assert job.status == "failed" and "未写入任何数据" in job.message
