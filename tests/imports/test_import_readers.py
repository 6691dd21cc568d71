"""Reading the files people have: CSV as RFC 4180 quotes it; .xls (WPS's default) and .ods beside .xlsx."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from jiceng.core.errors import JicengError
from jiceng.imports.engine import import_file
from jiceng.imports.models import ImportJob
from jiceng.imports.readers import read_sheet
from jiceng.people.models import Household, Resident
from tests.conftest import PASSWORD, make_id
from tests.imports.test_import_residents import HEADERS, good_rows

ADDRESS = '翠湖苑"A"区, 1栋'
ADDRESS_CSV = '"翠湖苑""A""区, 1栋"'  # RFC 4180: enclosed in quotes, the inner quotes doubled


def plain_lines(n: int, delimiter: str = ",") -> list[str]:
    """``n`` rows without a single quote: more than the 4 KB the delimiter is guessed from."""
    return [delimiter.join(["王一", f"53012419800501{i:04d}", f"翠湖苑{i}栋", f"138{i:08d}"]) for i in range(n)]


def test_a_quoted_field_with_doubled_quotes_after_an_unquoted_start_keeps_its_columns():
    lines = ["姓名,身份证号,现居住地址,联系电话", *plain_lines(200),
             f"李四,110101199003071234,{ADDRESS_CSV},13800000000"]
    assert len("\n".join(lines[:-1]).encode()) > 4096
    sheet = read_sheet("r.csv", ("\n".join(lines) + "\n").encode())
    rows = list(sheet.iter_rows())
    assert len(rows) == 201
    assert rows[-1] == ["李四", "110101199003071234", ADDRESS, "13800000000"]


def test_a_short_file_with_a_doubled_quote_and_a_comma_in_one_field():
    data = f"姓名,现居住地址,联系电话\r\n李四,{ADDRESS_CSV},13800000000\r\n".encode("gbk")
    assert read_sheet("r.csv", data).rows == [["李四", ADDRESS, "13800000000"]]


def test_a_quoted_field_may_hold_a_line_break():
    data = '姓名,现居住地址\n李四,"翠湖苑\n1栋"\n王五,小区\n'.encode()
    assert read_sheet("r.csv", data).rows == [["李四", "翠湖苑\n1栋"], ["王五", "小区"]]


def test_an_apostrophe_is_text_not_a_quote_character():
    # An ID typed with Excel's text prefix: the apostrophe is not taken for the quote character.
    lines = ["姓名;身份证号;现居住地址"] + [f"王{i};'53012419800501{i:04d};小区 {i}" for i in range(5)]
    rows = read_sheet("r.csv", ("\n".join(lines) + "\n").encode()).rows
    assert rows[0] == ["王0", "'530124198005010000", "小区 0"]


def test_tab_and_semicolon_delimiters_are_still_detected():
    for delimiter in ("\t", ";"):
        lines = [delimiter.join(["姓名", "身份证号", "现居住地址", "联系电话"]), *plain_lines(3, delimiter),
                 delimiter.join(["李四", "110101199003071234", '"小区""东""门"', "13800000000"])]
        rows = read_sheet("r.csv", ("\n".join(lines) + "\n").encode()).rows
        assert rows[0] == ["王一", "530124198005010000", "翠湖苑0栋", "13800000000"]
        assert rows[-1] == ["李四", "110101199003071234", '小区"东"门', "13800000000"]


def test_a_resident_whose_address_is_quoted_imports_with_every_column_in_place(admin, district):
    headers = HEADERS + ["现居住地址"]
    code = district.building_a1.code
    lines = [",".join(headers)]
    for i in range(60):
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        lines.append(",".join(["王一", make_id(birth=birth, seq=i + 1), "男", birth.isoformat(), f"139{i:08d}",
                               "", "", code, "", f"翠湖苑{i}栋"]))
    birth = dt.date(1990, 3, 7)
    lines.append(",".join(["李四", make_id(birth=birth, seq=99), "男", birth.isoformat(), "13800000000", "", "",
                           code, "", ADDRESS_CSV]))
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=("\n".join(lines) + "\n").encode())
    assert result.ok and result.applied, [e.as_dict() for e in result.errors]
    li = Resident.objects.get(name="李四")
    assert (li.actual_address, li.phone, li.org_unit.code) == (ADDRESS, "13800000000", code)


# ----------------------------------------------------------------------------- .xls and .ods

def xls_bytes(rows, headers=HEADERS) -> bytes:
    """A legacy Excel 97-2003 workbook (what WPS saves by default): dates as date cells, numbers as numbers."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("居民")
    date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for c, h in enumerate(headers):
        sheet.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            sheet.write(r, c, v, date) if isinstance(v, dt.date) else sheet.write(r, c, v)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _ods_cell(v) -> str:
    if isinstance(v, dt.date):
        return f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}"/>'
    if isinstance(v, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{v}"/>'
    if v in ("", None):
        return "<table:table-cell/>"
    return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'


def ods_bytes(rows, headers=HEADERS, *, title: str = "") -> bytes:
    """An OpenDocument spreadsheet as LibreOffice and WPS write it (the ODF package, by hand)."""
    lines = ([[title]] if title else []) + [headers, *rows]
    body = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in line) + "</table:table-row>" for line in lines)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="居民">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)  # first and uncompressed, as ODF requires
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def typed_rows(district, n=3):
    """``good_rows`` as a spreadsheet holds them: the birth date a date cell, the phone a number."""
    rows = good_rows(district, n)
    for r in rows:
        r[3] = dt.date(int(r[3][:4]), 3, 4)
        r[4] = int(r[4])
    return rows


@pytest.mark.parametrize("filename,write", [("居民.xls", xls_bytes), ("居民.ods", ods_bytes)])
def test_xls_and_ods_files_import_like_xlsx(filename, write, admin, district):
    result = import_file(actor=admin, kind="residents", filename=filename, data=write(typed_rows(district)))
    assert result.ok and result.applied, [e.as_dict() for e in result.errors]
    assert (result.created, result.extra["households_created"]) == (3, 2)
    wang = Resident.objects.get(name="王一")
    assert (wang.birth_date, wang.phone, wang.org_unit.code) == (dt.date(1970, 3, 4), "13800000000",
                                                                 district.building_a1.code)
    assert Household.objects.get(number="H-001").head == wang


def test_an_ods_with_a_title_row_reads_its_header_below_it():
    sheet = read_sheet("r.ods", ods_bytes([["王一", "530124198005010035"]], ["姓名", "身份证号"], title="居民台账"))
    assert (sheet.headers, sheet.first_row_number, sheet.rows) == (["姓名", "身份证号"], 3,
                                                                   [["王一", "530124198005010035"]])


def test_the_format_is_read_from_the_content_not_the_name():
    # A workbook renamed by hand (.ods saved as .xlsx, .xls as .csv) is still read for what it is.
    assert read_sheet("r.xlsx", ods_bytes([["王一", "男"]], ["姓名", "性别"])).rows == [["王一", "男"]]
    assert read_sheet("r.csv", xls_bytes([["王一", "男"]], ["姓名", "性别"])).rows == [["王一", "男"]]


@pytest.mark.parametrize("filename,data,message", [
    ("r.xls", "<html><table><tr><td>姓名</td></tr></table></html>".encode(), "无法读取 .xls 文件"),
    ("r.ods", b"not a spreadsheet", "无法读取 .ods 文件"),
    ("r.pdf", b"%PDF-1.4", "只支持 .xlsx、.xls、.ods 和 .csv 文件"),
])
def test_a_file_that_cannot_be_read_gets_a_clear_error(filename, data, message, admin):
    with pytest.raises(JicengError) as exc:
        import_file(actor=admin, kind="residents", filename=filename, data=data)
    assert message in exc.value.message and exc.value.field == "file"


def test_the_web_upload_takes_an_xls_and_refuses_other_files(district, make_user, client,
                                                             django_capture_on_commit_callbacks):
    user = make_user("community_staff", district.comm_a)
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get("/imports/").content.decode()
    assert 'accept=".xlsx,.xlsm,.xls,.ods,.csv,.txt"' in page and "文件（.xlsx、.xls、.ods 或 .csv）" in page
    refused = client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("r.pdf", b"%PDF-1.4")})
    assert "只支持 .xlsx、.xls、.ods 和 .csv 文件" in refused.content.decode() and not ImportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/imports/", {"kind": "residents", "file": SimpleUploadedFile("居民.xls", xls_bytes(typed_rows(district)))})
    job = ImportJob.objects.get()
    assert job.status == "checked", job.result
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{job.pk}/apply/")
    assert Resident.objects.count() == 3


def test_the_import_command_takes_an_ods(admin, district, tmp_path):
    path = tmp_path / "居民.ods"
    path.write_bytes(ods_bytes(typed_rows(district)))
    out = io.StringIO()
    call_command("import", "residents", str(path), stdout=out, stderr=io.StringIO())
    assert "导入完成：共 3 行" in out.getvalue() and Resident.objects.count() == 3
