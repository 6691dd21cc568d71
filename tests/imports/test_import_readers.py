"""Reading the files people have: CSV as RFC 4180 quotes it."""
from __future__ import annotations

import datetime as dt

from jiceng.imports.engine import import_file
from jiceng.imports.readers import read_sheet
from jiceng.people.models import Resident
from tests.conftest import make_id
from tests.imports.test_import_residents import HEADERS

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
