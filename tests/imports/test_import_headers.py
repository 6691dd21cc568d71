"""Headers: the names people's own rolls give a column are recognised, and a column that is not
imported is named to the user (on the result page, in ``jiceng import``, in the stored result)."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from jiceng.imports.engine import import_file
from jiceng.imports.models import ImportJob
from jiceng.imports.spec import SPECS, normalise_header
from jiceng.people.models import Household, Resident
from tests.conftest import PASSWORD
from tests.imports.test_import_residents import HEADERS, csv_bytes, good_rows

UNIT_CODE_NAMES = ["所在单元编码", "所属网格代码", "网格代码", "所在网格编码", "网格编号", "所属社区代码", "单位代码",
                   "单元编码", "楼栋编码", "所属小区编码", "村代码", "所属村民小组编码"]


@pytest.mark.parametrize("kind", ["households", "residents"])
@pytest.mark.parametrize("name", UNIT_CODE_NAMES)
def test_common_names_of_the_unit_code_column_are_recognised(kind, name):
    assert SPECS[kind].header_map()[normalise_header(name)] == "unit_code"


@pytest.mark.parametrize("name", ["所属单位代码", "所在社区编码", "单位编码", "所属乡镇代码"])
def test_a_cadres_unit_goes_by_the_same_names(name):
    assert SPECS["cadres"].header_map()[normalise_header(name)] == "unit_code"


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_no_two_columns_of_a_kind_share_a_header_name(kind):
    owners: dict[str, set] = {}
    for col in SPECS[kind].columns:
        for name in (col.header, *col.aliases):
            owners.setdefault(normalise_header(name), set()).add(col.key)
    assert {name: keys for name, keys in owners.items() if len(keys) > 1} == {}


def test_a_roll_whose_unit_column_is_headed_suoshu_wangge_daima_imports(admin, district):
    headers = [("所属网格代码" if h == "所在单元编码" else h) for h in HEADERS]
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(good_rows(district), headers))
    assert result.ok and result.applied, [e.as_dict() for e in result.errors]
    assert result.ignored_headers == []
    assert set(Resident.objects.values_list("org_unit__code", flat=True)) == {district.building_a1.code}


def test_households_with_a_grid_code_column_import(admin, district):
    data = f"户编号,网格代码,住址\nH-1,{district.grid_a1.code},甲一网格1号\n".encode()
    result = import_file(actor=admin, kind="households", filename="h.csv", data=data)
    assert result.ok and Household.objects.get().org_unit == district.grid_a1


def ignored_file(district):
    """The template's columns, one column no kind knows, and a second phone column (the first is read)."""
    headers = HEADERS[:5] + ["备注", "手机号"] + HEADERS[5:]
    rows = [r[:5] + ["老党员", "13900000000"] + r[5:] for r in good_rows(district)]
    return csv_bytes(rows, headers)


def test_unknown_and_repeated_headers_are_listed_as_ignored(admin, district):
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=ignored_file(district), dry_run=True)
    assert result.ok and result.ignored_headers == ["备注", "手机号"]
    assert result.as_dict()["ignored_headers"] == ["备注", "手机号"]
    assert Resident.objects.count() == 0
    applied = import_file(actor=admin, kind="residents", filename="r.csv", data=ignored_file(district))
    assert applied.applied and Resident.objects.get(name="王一").phone == "13800000000"


def test_ignored_headers_are_listed_next_to_a_missing_required_column(admin, district):
    data = csv_bytes([["王一", "530124198005010035"]], headers=["姓名", "身份证号码（18位）"])
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=data)
    assert result.ignored_headers == ["身份证号码（18位）"]
    assert any("缺少必填列“身份证号”" in e.reason for e in result.errors)


def test_the_result_page_names_the_ignored_columns(district, make_user, client, django_capture_on_commit_callbacks):
    user = make_user("community_staff", district.comm_a)
    assert client.login(username=user.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("r.csv", ignored_file(district))})
    job = ImportJob.objects.get()
    assert job.status == "checked" and job.result["ignored_headers"] == ["备注", "手机号"]
    page = client.get(r["Location"]).content.decode()
    assert "以下表头没有识别，这些列不会导入：备注、手机号" in page and "确认导入" in page
    with translation.override("en"):
        page = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "their columns are not imported: 备注、手机号" in page


def test_the_import_command_names_the_ignored_columns(admin, district, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(ignored_file(district))
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "residents", str(path), "--dry-run", stdout=out, stderr=err)
    assert "以下表头没有识别，这些列不会导入：备注、手机号" in out.getvalue()
    assert "试导入（未写入）：共 3 行" in out.getvalue() and Resident.objects.count() == 0
