"""The user's file handed back with an error column: in .xlsx every value is a text cell, exactly as
sent (no apostrophe); in .csv a formula-looking value carries an apostrophe that is taken off again
when the corrected file comes back; the workbook is streamed, so its memory does not grow with the file."""
from __future__ import annotations

import csv
import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import load_workbook

from jiceng.imports import workbooks
from jiceng.imports.engine import ImportResult, RowError, import_file
from jiceng.imports.models import ImportJob
from jiceng.imports.readers import csv_protect, csv_unprotect, read_sheet
from jiceng.imports.workbooks import error_csv_lines, error_workbook, write_error_workbook
from jiceng.people.models import Resident
from tests.conftest import PASSWORD, bad_check_digit
from tests.imports.test_import_readers import xls_bytes
from tests.imports.test_import_residents import HEADERS, csv_bytes, good_rows, snapshot, xlsx_bytes


def rows_with_an_error(district):
    """Phones as people write them (+86 …), a dash for "none", and one wrong ID in row 3."""
    rows = good_rows(district)
    for i, r in enumerate(rows):
        r[4] = f"+86 1380000{i:04d}"
    rows[0][8] = "退役军人"
    rows[1][1] = bad_check_digit(rows[1][1])
    return rows


def xlsx_cells(data: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("filename,write", [("r.xlsx", xlsx_bytes), ("r.csv", csv_bytes), ("r.xls", xls_bytes)])
def test_the_error_workbook_holds_each_value_as_sent_as_a_text_cell(filename, write, admin, district):
    rows = rows_with_an_error(district)
    rows[2][8] = "-"
    rows[0][0] = "@王一"
    data = write(rows)
    result = import_file(actor=admin, kind="residents", filename=filename, data=data)
    assert {e.row for e in result.errors} == {2, 3, 4}
    book = error_workbook(read_sheet(filename, data), result)
    cells = xlsx_cells(book)
    assert cells[0] == ["错误说明", *HEADERS]
    assert cells[1][1:6] == ["@王一", rows[0][1], "男", "1970年3月4日", "+86 13800000000"]
    assert cells[3][9] == "-" and cells[3][5] == "+86 13800000002"
    assert "校验位" in cells[2][0] and "公式" in cells[1][0] and cells[3][0].startswith("特殊群体")
    ws = load_workbook(io.BytesIO(book)).active
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row if c.value is not None)
    assert ws["B2"].number_format == "@"  # a text cell: typing into it keeps text too


def test_a_corrected_error_workbook_imports_with_its_values_unchanged(admin, district):
    rows = rows_with_an_error(district)
    data = xlsx_bytes(rows)
    result = import_file(actor=admin, kind="residents", filename="r.xlsx", data=data)
    assert [e.row for e in result.errors] == [3]
    book = load_workbook(io.BytesIO(error_workbook(read_sheet("r.xlsx", data), result)))
    book.active["C3"] = good_rows(district)[1][1]  # the user corrects the ID and sends the file back
    buf = io.BytesIO()
    book.save(buf)
    again = import_file(actor=admin, kind="residents", filename="r-errors.xlsx", data=buf.getvalue())
    assert again.ok and again.applied, [e.as_dict() for e in again.errors]
    assert again.ignored_headers == []  # the error column is the platform's own
    assert sorted(Resident.objects.values_list("phone", flat=True)) == ["13800000000", "13800000001", "13800000002"]


def test_csv_protection_is_undone_exactly():
    for value in ["-", "+86 13800000000", "=1+1", "@x", "'", "'abc", "''=x", "abc", "", "1-2"]:
        assert csv_unprotect(csv_protect(value)) == value
    assert [csv_protect(v) for v in ["-", "+86 138", "'abc", "abc"]] == ["'-", "'+86 138", "''abc", "abc"]


def test_the_error_csv_keeps_the_apostrophe_and_the_corrected_csv_comes_back_without_it(admin, district):
    rows = rows_with_an_error(district)
    rows[0][7] = rows[2][7] = rows[1][7]
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert [e.row for e in result.errors] == [3]
    text = "".join(error_csv_lines(read_sheet("r.csv", csv_bytes(rows)), result))
    assert text.startswith("\ufeff错误说明,姓名,") and ",'+86 13800000000," in text
    corrected = text.replace(rows[1][1], good_rows(district)[1][1]).encode("utf-8")
    sheet = read_sheet("r-errors.csv", corrected)
    assert sheet.headers == ["错误说明", *HEADERS] and sheet.rows[0][5] == "+86 13800000000"
    before = snapshot()
    again = import_file(actor=admin, kind="residents", filename="r-errors.csv", data=corrected)
    assert again.ok and again.applied and again.ignored_headers == [], [e.as_dict() for e in again.errors]
    assert snapshot() != before
    assert sorted(Resident.objects.values_list("phone", flat=True)) == ["13800000000", "13800000001", "13800000002"]


def test_an_error_csv_saved_as_a_workbook_comes_back_without_the_apostrophes(admin, district):
    # Opened in a spreadsheet, a CSV's apostrophe stays in the value; saved as .xlsx it comes back so.
    rows = rows_with_an_error(district)
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows), dry_run=True)
    lines = list(csv.reader(io.StringIO("".join(error_csv_lines(read_sheet("r.csv", csv_bytes(rows)), result))
                                       .lstrip("\ufeff"))))
    assert lines[1][5] == "'+86 13800000000"
    lines[2][2] = good_rows(district)[1][1]
    again = import_file(actor=admin, kind="residents", filename="r-errors.xlsx", data=xlsx_bytes(lines[1:], lines[0]))
    assert again.ok and again.applied, [e.as_dict() for e in again.errors]
    assert sorted(Resident.objects.values_list("phone", flat=True)) == ["13800000000", "13800000001", "13800000002"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_file_that_lacked_a_column_comes_back_with_the_header_put_right(fmt, admin, district):
    headers = [("身份证号码（18位）" if h == "身份证号" else h) for h in HEADERS]
    data = csv_bytes(good_rows(district), headers)
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=data)
    assert [e.row for e in result.errors] == [1]
    sheet = read_sheet("r.csv", data)
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(error_workbook(sheet, result)))
        assert "缺少必填列“身份证号”" in book.active["A2"].value and book.active["B2"].value is None
        book.active["C1"] = "身份证号"  # the user puts the header right
        buf = io.BytesIO()
        book.save(buf)
        back = buf.getvalue()
    else:
        back = "".join(error_csv_lines(sheet, result)).replace("身份证号码（18位）", "身份证号").encode()
    again = import_file(actor=admin, kind="residents", filename=f"r-errors.{fmt}", data=back)
    assert again.ok and again.applied and again.created == 3, [e.as_dict() for e in again.errors]


def test_a_users_own_csv_keeps_its_apostrophes():
    data = "姓名,备注\n王一,'-\n".encode()
    assert read_sheet("r.csv", data).rows == [["王一", "'-"]]


def test_the_job_page_offers_both_error_files(district, make_user, client, django_capture_on_commit_callbacks):
    user = make_user("community_staff", district.comm_a)
    assert client.login(username=user.username, password=PASSWORD)
    data = csv_bytes(rows_with_an_error(district))
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("居民.csv", data)})
    job = ImportJob.objects.get()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert f"/imports/{job.pk}/errors.xlsx" in page and f"/imports/{job.pk}/errors.csv" in page
    r = client.get(f"/imports/{job.pk}/errors.csv")
    assert r["Content-Type"].startswith("text/csv") and "errors.csv" in r["Content-Disposition"]
    text = b"".join(r.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff错误说明,") and "'+86 13800000001" in text and "校验位" in text
    r = client.get(f"/imports/{job.pk}/errors.xlsx")
    cells = xlsx_cells(b"".join(r.streaming_content))
    assert cells[2][5] == "+86 13800000001" and "校验位" in cells[2][0]


def test_a_file_longer_than_a_worksheet_is_sent_to_the_csv(district, make_user, client, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    user = make_user("community_staff", district.comm_a)
    assert client.login(username=user.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"kind": "residents",
                                  "file": SimpleUploadedFile("r.csv", csv_bytes(rows_with_an_error(district)))})
    job = ImportJob.objects.get()
    monkeypatch.setattr(workbooks, "XLSX_MAX_ROWS", 3)
    r = client.get(f"/imports/{job.pk}/errors.xlsx", follow=True)
    assert "请下载 CSV 格式的错误说明" in r.content.decode()


def test_the_import_command_writes_both_error_files(admin, district, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(rows_with_an_error(district)))
    with pytest.raises(SystemExit):
        call_command("import", "residents", str(path), "--errors-xlsx", str(tmp_path / "e.xlsx"),
                     "--errors-csv", str(tmp_path / "e.csv"), stdout=io.StringIO(), stderr=io.StringIO())
    assert xlsx_cells((tmp_path / "e.xlsx").read_bytes())[2][5] == "+86 13800000001"
    assert "'+86 13800000001" in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    assert Resident.objects.count() == 0


# ----------------------------------------------------------------------------- memory

def wrong_roll(n: int):
    """A residents CSV of ``n`` rows, every one of them wrong, and the result that says so."""
    lines = [",".join(HEADERS)] + [",".join([f"王{i}", f"53012419800501{i:04d}", "男", "1980-05-01",
                                             f"+86 138{i:08d}", f"H-{i}", "户主", "530124001001-G01", "-"])
                                   for i in range(n)]
    sheet = read_sheet("r.csv", ("\n".join(lines) + "\n").encode())
    result = ImportResult(kind="residents", dry_run=True, errors=[
        RowError(i + 2, "身份证号", f"53012419800501{i:04d}", "身份证号校验位不正确") for i in range(n)])
    return sheet, result


def peak_while(write) -> int:
    tracemalloc.start()
    try:
        write()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_error_workbook_is_written_in_memory_that_does_not_grow_with_the_file(tmp_path):
    """bench/import_residents.py holds a 1,000,000-row import under 1.5 GiB; the error file is built
    from what the import already holds (the file's bytes, its list of errors) plus memory that does
    not grow with the rows (xlsxwriter's constant-memory mode, a CSV line at a time), so writing it
    for that roll stays within the same bound. Measured here at 1,000 and 10,000 rows, all wrong."""
    write_error_workbook(*wrong_roll(5), tmp_path / "warm.xlsx")  # first use loads xlsxwriter's modules
    peaks = {}
    for n in (1000, 10000):
        sheet, result = wrong_roll(n)
        peaks[n] = peak_while(lambda: write_error_workbook(sheet, result, tmp_path / f"{n}.xlsx"))  # noqa: B023
        peaks[f"csv{n}"] = peak_while(lambda: sum(1 for _ in error_csv_lines(sheet, result)))  # noqa: B023
        assert len(xlsx_cells((tmp_path / f"{n}.xlsx").read_bytes())) == n + 1
    mib = 1024 * 1024
    assert peaks[10000] < 4 * mib and peaks[10000] < peaks[1000] + mib, peaks
    assert peaks["csv10000"] < 2 * mib and peaks["csv10000"] < peaks["csv1000"] + mib, peaks
