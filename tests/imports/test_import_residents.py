"""Imports: all rows or none, every error with its row and column, GBK and Traditional headers,
idempotent re-import."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from jiceng.audit.models import AuditEntry
from jiceng.imports.engine import import_file
from jiceng.imports.readers import read_sheet
from jiceng.imports.workbooks import error_workbook, template_xlsx
from jiceng.people.models import Household, Resident, ResidentTag
from tests.conftest import bad_check_digit, make_id

HEADERS = ["姓名", "身份证号", "性别", "出生日期", "联系电话", "户编号", "与户主关系", "所在单元编码", "特殊群体"]


def csv_bytes(rows, headers=HEADERS, encoding="utf-8"):
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows, headers=HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_rows(district, n=3):
    code = district.building_a1.code
    rows = []
    for i in range(n):
        rows.append([f"王{'一二三四五六七八九'[i]}", make_id(birth=dt.date(1970 + i, 3, 4), gender="M", seq=i + 1),
                     "男", f"{1970 + i}年3月4日", f"1380000{i:04d}", "H-001" if i < 2 else "H-002",
                     "户主" if i in (0, 2) else "儿子", code, "退役军人" if i == 0 else ""])
    return rows


def snapshot():
    return (Resident.objects.count(), Household.objects.count(), ResidentTag.objects.count(), AuditEntry.objects.count())


def test_a_good_file_imports_with_households_heads_and_tags(admin, district):
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(good_rows(district)))
    assert result.ok and result.applied, [e.as_dict() for e in result.errors]
    assert (result.created, result.updated, result.extra["households_created"]) == (3, 0, 2)
    h1 = Household.objects.get(number="H-001")
    assert h1.head.name == "王一" and h1.members.count() == 2
    assert Resident.objects.get(name="王二").relationship == "child"
    assert ResidentTag.objects.get().tag == "veteran"
    assert AuditEntry.objects.filter(action="imports.residents.imported").count() == 1


def test_dry_run_reports_and_writes_nothing(admin, district):
    before = snapshot()
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(good_rows(district)),
                         dry_run=True)
    assert result.ok and not result.applied and result.created == 3
    assert snapshot() == before


def test_reimporting_the_same_file_updates_in_place(admin, district):
    data = xlsx_bytes(good_rows(district))
    import_file(actor=admin, kind="residents", filename="r.xlsx", data=data)
    again = import_file(actor=admin, kind="residents", filename="r.xlsx", data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    rows = good_rows(district)
    rows[1][4] = "13999999999"
    changed = import_file(actor=admin, kind="residents", filename="r.xlsx", data=xlsx_bytes(rows))
    assert (changed.created, changed.updated) == (0, 1)
    assert Resident.objects.count() == 3
    assert Resident.objects.get(name="王二").phone == "13999999999"
    entry = AuditEntry.objects.get(action="people.resident.updated")
    assert entry.before == {"phone": "13800000001"} and entry.after == {"phone": "13999999999"}


def test_gbk_csv_with_traditional_headers_imports(admin, district):
    headers = ["姓名", "身份證號碼", "性別", "出生日期", "聯繫電話", "戶編號", "與戶主關係", "所在單元編碼", "特殊群體"]
    rows = good_rows(district)
    rows[0][0] = "張偉"
    data = csv_bytes(rows, headers=headers, encoding="gbk")
    result = import_file(actor=admin, kind="residents", filename="old.csv", data=data)
    assert result.ok, [e.as_dict() for e in result.errors]
    assert Resident.objects.filter(name="張偉").exists()
    from jiceng.people.selectors import resident_list
    assert [r.name for r in resident_list(user=admin, q="zw")] == ["張偉"]


def test_traditional_names_can_be_normalised_to_simplified(admin, district):
    rows = good_rows(district, 1)
    rows[0][0] = "張偉"
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows), simplify=True)
    assert result.ok and Resident.objects.get().name == "张伟"


def test_excel_serial_dates_and_numeric_cells_are_read(admin, district):
    rows = good_rows(district, 1)
    rows[0][3] = (dt.date(1970, 3, 4) - dt.date(1899, 12, 30)).days  # Excel serial
    rows[0][4] = 13800000000  # typed as a number
    result = import_file(actor=admin, kind="residents", filename="r.xlsx", data=xlsx_bytes(rows))
    assert result.ok, [e.as_dict() for e in result.errors]
    assert Resident.objects.get().phone == "13800000000"


def bad(district, change):
    rows = good_rows(district)
    change(rows)
    return rows


ERROR_CASES = [
    ("bad check digit", lambda r: r[1].__setitem__(1, bad_check_digit(r[1][1])), 3, "身份证号", "校验位不正确"),
    ("contradictory birth date", lambda r: r[2].__setitem__(3, "1999-1-1"), 4, "出生日期", "不一致"),
    ("duplicate id in file", lambda r: (r[2].__setitem__(1, r[0][1]), r[2].__setitem__(3, r[0][3])), 4, "身份证号", "与第2行的身份证号重复"),
    ("unknown unit", lambda r: r[2].__setitem__(7, "NO-SUCH-UNIT"), 4, "所在单元编码", "单元编码不存在"),
    ("bad date", lambda r: r[0].__setitem__(3, "1970-13-45"), 2, "出生日期", "不存在"),
    ("unreadable date", lambda r: r[0].__setitem__(3, "去年春天"), 2, "出生日期", "无法识别日期"),
    ("empty required cell", lambda r: r[1].__setitem__(0, ""), 3, "姓名", "必填"),
    ("formula-looking text", lambda r: r[1].__setitem__(0, "=HYPERLINK(\"http://x\")"), 3, "姓名", "公式"),
    ("bad gender", lambda r: r[0].__setitem__(2, "女"), 2, "性别", "性别与身份证号不一致"),
    ("two heads", lambda r: r[1].__setitem__(6, "户主"), 3, "与户主关系", "一户只能有一个户主"),
]


@pytest.mark.parametrize("label,change,row,column,reason", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_each_kind_of_error_rejects_the_file_with_row_and_column(label, change, row, column, reason, admin, district):
    before = snapshot()
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(bad(district, change)))
    assert not result.ok and not result.applied
    assert any(e.row == row and e.column == column and reason in e.reason for e in result.errors), \
        [e.as_dict() for e in result.errors]
    assert snapshot() == before


def test_a_row_with_a_field_error_is_still_checked_for_a_duplicate_in_the_file(admin, district):
    rows = good_rows(district)
    rows[2][1] = rows[0][1]  # row 4 repeats row 2's ID ...
    rows[2][2], rows[2][3] = "女", "1999-1-1"  # ... and contradicts it in gender and birth date
    rows[2][0] = ""  # ... and has no name
    before = snapshot()
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    found = sorted((e.row, e.column, e.reason[:6]) for e in result.errors)
    assert found == [(4, "出生日期", "出生日期19"), (4, "姓名", "必填，不能为"), (4, "性别", "性别与身份证"),
                     (4, "身份证号", "与第2行的身")], [e.as_dict() for e in result.errors]
    assert snapshot() == before


def test_a_row_with_a_field_error_is_still_checked_against_residents_already_registered(
        admin, district, make_user, make_household):
    other = make_household(district.grid_b1, head_name="乙户主")
    worker = make_user("grid_worker", district.grid_a1)
    rows = good_rows(district, 1)
    rows[0][1] = other.head.id_number
    rows[0][2], rows[0][3] = "女", ""  # the registered head is a man
    rows[0][4] = "12345"
    before = snapshot()
    result = import_file(actor=worker, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert sorted((e.row, e.column) for e in result.errors) == [(2, "性别"), (2, "联系电话"), (2, "身份证号")]
    assert "其他辖区" in next(e.reason for e in result.errors if e.column == "身份证号")
    assert snapshot() == before


def test_an_update_with_a_field_error_is_not_told_to_name_a_unit(admin, district):
    rows = good_rows(district, 1)
    import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    rows[0][5], rows[0][7] = "", ""  # a registered resident: neither household nor unit needed
    rows[0][2] = "女"
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows), dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, "性别")]


def test_duplicate_against_the_database_outside_scope_is_refused(admin, district, make_user, make_household):
    other = make_household(district.grid_b1, head_name="乙户主")
    worker = make_user("grid_worker", district.grid_a1)
    rows = good_rows(district, 1)
    rows[0][1] = other.head.id_number
    rows[0][2], rows[0][3] = "", ""
    before = snapshot()
    result = import_file(actor=worker, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号")]
    assert "其他辖区" in result.errors[0].reason
    assert snapshot() == before


def test_out_of_scope_unit_is_refused(district, make_user):
    worker = make_user("grid_worker", district.grid_a1)
    rows = good_rows(district, 1)
    rows[0][7] = district.grid_b1.code
    rows[0][5] = "H-NEW"
    before = snapshot()
    result = import_file(actor=worker, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert any(e.column == "所在单元编码" and "管辖范围" in e.reason for e in result.errors)
    assert snapshot() == before


def test_all_errors_come_at_once_and_the_error_workbook_marks_each_row(admin, district):
    rows = good_rows(district)
    rows[0][1] = bad_check_digit(rows[0][1])
    rows[2][0] = ""
    data = xlsx_bytes(rows)
    result = import_file(actor=admin, kind="residents", filename="r.xlsx", data=data)
    assert {e.row for e in result.errors} == {2, 4}
    book = load_workbook(io.BytesIO(error_workbook(read_sheet("r.xlsx", data), result)))
    ws = book.active
    assert ws.cell(1, 1).value == "错误说明" and ws.cell(1, 2).value == "姓名"
    assert "校验位" in ws.cell(2, 1).value
    assert ws.cell(3, 1).value in (None, "")
    assert "姓名" in ws.cell(4, 1).value
    assert ws.cell(2, 3).value == rows[0][1]  # their own data, as sent


def test_missing_required_header_is_reported(admin, district):
    data = csv_bytes([["王一", "1380000"]], headers=["姓名", "电话"])
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=data)
    assert any("缺少必填列“身份证号”" in e.reason for e in result.errors)


def test_templates_have_chinese_headers_and_an_example_row():
    from jiceng.imports.spec import SPECS
    for kind in SPECS:
        ws = load_workbook(io.BytesIO(template_xlsx(kind))).active
        assert ws.cell(1, 1).value and ws.cell(2, 1).value


def test_template_example_rows_import_cleanly_as_a_dry_run(admin, district):
    ws = load_workbook(io.BytesIO(template_xlsx("residents"))).active
    assert [c.value for c in ws[1]][:2] == ["姓名（必填）", "身份证号（必填）"]
