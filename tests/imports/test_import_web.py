import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiceng.imports.models import ImportJob
from jiceng.people.models import Resident
from tests.conftest import PASSWORD, bad_check_digit
from tests.imports.test_import_residents import csv_bytes, good_rows


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_upload_check_then_confirm(district, make_user, client):
    user = make_user("community_staff", district.comm_a)
    login(client, user)
    data = csv_bytes(good_rows(district), encoding="gbk")
    r = client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("居民.csv", data)})
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "checked" and Resident.objects.count() == 0
    page = client.get(r["Location"]).content.decode()
    assert "检查通过" in page and "确认导入" in page
    r = client.post(f"/imports/{job.pk}/apply/")
    assert r.status_code == 302
    assert Resident.objects.count() == 3
    job.refresh_from_db()
    assert job.status == "applied"
    # Applying twice does nothing more.
    client.post(f"/imports/{job.pk}/apply/")
    assert Resident.objects.count() == 3


def test_errors_are_listed_and_downloadable(district, make_user, client):
    user = make_user("grid_worker", district.grid_a1)
    login(client, user)
    rows = good_rows(district)
    rows[1][1] = bad_check_digit(rows[1][1])
    r = client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("r.csv", csv_bytes(rows))})
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    page = client.get(r["Location"]).content.decode()
    assert "校验位不正确" in page and "整个文件未导入" in page and "确认导入" not in page
    book = load_workbook(io.BytesIO(client.get(f"/imports/{job.pk}/errors.xlsx").content))
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
