"""Residents import at scale: streamed in batches, written with COPY on PostgreSQL, all or nothing
across batches; the readers stream."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from openpyxl import Workbook

from jiceng.audit.models import AuditEntry
from jiceng.imports import writers
from jiceng.imports.engine import Cancelled, ResidentImporter, import_file
from jiceng.imports.readers import read_sheet
from jiceng.people.models import Household, Resident, ResidentNameKey, ResidentTag
from tests.conftest import bad_check_digit, make_id
from tests.imports.test_import_residents import HEADERS, csv_bytes, snapshot

NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def family_rows(district, households=8, *, members=3, start=0):
    """``households`` families of ``members``; the head is the *last* row of each family, so with small
    batches a household is created in one batch and gets its head in the next."""
    units = [district.building_a1.code, district.grid_a2.code]
    rows = []
    seq = start
    for h in range(households):
        number = f"HH-{start + h:05d}"
        for m in range(members):
            seq += 1
            gender = "M" if m % 2 == 0 else "F"
            birth = dt.date(1950 + seq % 60, 1 + seq % 12, 1 + seq % 28)
            rel = "户主" if m == members - 1 else ("女儿" if gender == "F" else "儿子")
            tags = "退役军人、低保户" if seq % 7 == 0 else ("残疾人" if seq % 5 == 0 else "")
            rows.append([NAMES[seq % 20] + GIVEN[(seq * 7) % 20] + ("曾" if seq % 11 == 0 else ""),
                         make_id(birth=birth, gender=gender, seq=seq),
                         "男" if gender == "M" else "女", birth.isoformat(),
                         f"139{seq:08d}" if seq % 3 else "", number, rel, units[h % 2], tags])
    return rows


def people_state():
    """Everything an import writes, by natural keys (no ids, no timestamps)."""
    residents = sorted(Resident.objects.values_list(
        "id_number", "name", "name_search", "gender", "birth_date", "phone", "phone_rev", "id_number_rev",
        "ethnicity", "registered_address", "actual_address", "status", "relationship", "household__number",
        "org_unit__code", "org_path", "note"))
    households = sorted(Household.objects.values_list(
        "number", "org_unit__code", "org_path", "address", "head__id_number", "status", "phone", "phone_rev",
        "note"))
    keys = sorted(ResidentNameKey.objects.values_list("resident__id_number", "key", "org_path"))
    tags = sorted(ResidentTag.objects.values_list("resident__id_number", "tag", "org_path"))
    return residents, households, keys, tags


def wipe_people():
    Household.objects.update(head=None)
    Resident.objects.all().delete()
    Household.objects.all().delete()


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(ResidentImporter, "BATCH", 4)


def test_a_file_larger_than_a_batch_imports_whole_with_heads_tags_and_keys(admin, district, small_batches):
    rows = family_rows(district, 8)  # 24 rows, batches of 4: families straddle batches
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert result.ok and result.applied, [e.as_dict() for e in result.errors]
    assert (result.total, result.created, result.updated, result.unchanged) == (24, 24, 0, 0)
    assert result.extra["households_created"] == 8
    assert Resident.objects.count() == 24 and Household.objects.count() == 8
    for h in Household.objects.all():
        assert h.head is not None and h.head.relationship == "head" and h.head.household_id == h.pk
        assert h.members.count() == 3
    assert ResidentTag.objects.count() == sum(len([t for t in r[8].split("、") if t]) for r in rows)
    assert ResidentNameKey.objects.filter(resident__name=rows[0][0]).exists()
    again = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 24)
    assert Resident.objects.count() == 24 and Household.objects.count() == 8


def test_an_error_in_a_late_batch_rolls_back_every_earlier_batch(admin, district, small_batches):
    rows = family_rows(district, 8)
    rows[21][1] = bad_check_digit(rows[21][1])  # row 23, the sixth batch
    rows[22][1] = rows[0][1]  # row 24 repeats row 2's ID, written batches earlier
    rows[22][2], rows[22][3] = rows[0][2], rows[0][3]
    before = snapshot()
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert not result.ok and not result.applied
    found = [(e.row, e.column) for e in result.errors]
    assert (23, "身份证号") in found and (24, "身份证号") in found
    assert any(e.row == 24 and "与第2行的身份证号重复" in e.reason for e in result.errors)
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="imports.residents.imported").exists()


def test_errors_across_batches_are_listed_in_row_order(admin, district, small_batches):
    rows = family_rows(district, 4)
    rows[1][7] = "NO-SUCH-UNIT"
    rows[1][0] = ""
    rows[9][3] = "去年"
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows), dry_run=True)
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)
    assert {(e.row, e.column) for e in result.errors} >= {(3, "姓名"), (3, "所在单元编码"), (11, "出生日期")}


def test_a_second_head_in_a_later_batch_is_refused(admin, district, small_batches):
    rows = family_rows(district, 3)
    rows[7][6] = "户主"  # the third family gets two heads, rows 9 and 10, in different batches
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert [(e.row, e.column) for e in result.errors] == [(10, "与户主关系")]
    assert "第9行已是该户户主" in result.errors[0].reason
    assert Resident.objects.count() == 0


def test_reimport_across_batches_updates_moves_and_audits(admin, district, small_batches):
    rows = family_rows(district, 4)
    import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    rows[5][4] = "13700000000"
    rows[10][8] = "独居老人"
    rows[0][7] = district.building_a1.code  # unchanged unit, same household
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 2, 10)
    assert Resident.objects.get(id_number=rows[5][1]).phone == "13700000000"
    assert list(ResidentTag.objects.filter(resident__id_number=rows[10][1]).values_list("tag", flat=True)) == \
        ["elderly_alone"]
    assert AuditEntry.objects.filter(action="people.resident.updated").count() == 2


def test_cancel_between_batches_writes_nothing(admin, district, monkeypatch):
    monkeypatch.setattr(ResidentImporter, "BATCH", 50)
    calls = {"n": 0}

    def cancel_at_row_2000():
        calls["n"] += 1  # asked at rows 0, 2000, ...: by row 2000 forty batches have been written
        return calls["n"] > 1

    rows = family_rows(district, 700)
    before = snapshot()
    with pytest.raises(Cancelled):
        import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows),
                    should_cancel=cancel_at_row_2000)
    assert calls["n"] == 2 and snapshot() == before


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_copy_writes_the_same_rows_as_bulk_create(admin, district, small_batches, monkeypatch):
    rows = family_rows(district, 8)
    data = csv_bytes(rows)
    assert writers.copy_available()
    copied = import_file(actor=admin, kind="residents", filename="r.csv", data=data)
    assert copied.applied
    via_copy = people_state()
    wipe_people()
    monkeypatch.setattr(writers, "USE_COPY", False)
    created = import_file(actor=admin, kind="residents", filename="r.csv", data=data)
    assert created.applied
    assert people_state() == via_copy
    assert len(via_copy[0]) == 24 and all(h[4] for h in via_copy[1])
    # Re-import on top of COPYed rows with changes behaves as on top of bulk-created ones.
    wipe_people()
    monkeypatch.setattr(writers, "USE_COPY", True)
    import_file(actor=admin, kind="residents", filename="r.csv", data=data)
    rows[3][4] = "13600000000"
    changed = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert (changed.created, changed.updated) == (0, 1)
    # Timestamps are set on COPYed rows too.
    assert not Resident.objects.filter(created_at__isnull=True).exists()
    assert not Household.objects.filter(updated_at__isnull=True).exists()


def test_a_file_of_more_than_one_real_batch(admin, district):
    n = ResidentImporter.BATCH // 3 + 40  # families of 3: just over one batch of rows
    rows = family_rows(district, n)
    result = import_file(actor=admin, kind="residents", filename="r.csv", data=csv_bytes(rows))
    assert result.ok and result.applied and result.created == len(rows) > ResidentImporter.BATCH
    assert Household.objects.filter(head__isnull=False).count() == n
    assert result.extra["last_created_id"] - result.extra["first_created_id"] == len(rows) - 1 or \
        connection.vendor != "postgresql"


# ----------------------------------------------------------------------------- readers

def test_csv_rows_stream_and_match_the_list(district):
    rows = family_rows(district, 2)
    text = "居民台账\n\n" + "\n".join([",".join(HEADERS)] + [",".join(r) for r in rows]) + "\n,,,\n\n"
    sheet = read_sheet("r.csv", text.encode("gbk"))
    assert sheet.encoding == "gb18030" and sheet.headers == HEADERS and sheet.first_row_number == 4
    streamed = list(sheet.iter_rows())
    assert streamed == list(sheet.iter_rows()) == sheet.rows == rows  # re-readable; trailing blanks dropped


def test_blank_rows_inside_the_data_are_kept():
    sheet = read_sheet("r.csv", b"a,b\n1,2\n,\n3,4\n,\n")
    assert list(sheet.iter_rows()) == [["1", "2"], ["", ""], ["3", "4"]]


def test_xlsx_with_leading_empty_rows_and_columns():
    wb = Workbook()
    ws = wb.active
    ws["B3"], ws["C3"] = "姓名", "身份证号"
    ws["B4"], ws["C4"] = "王一", "110101199003071234"
    ws["D5"] = None
    buf = io.BytesIO()
    wb.save(buf)
    sheet = read_sheet("r.xlsx", buf.getvalue())
    assert sheet.headers == ["", "姓名", "身份证号"] and sheet.first_row_number == 4
    assert list(sheet.iter_rows()) == [["", "王一", "110101199003071234"]]


def _workbooks():
    """Workbooks as Excel, WPS and xlsxwriter write them: shared or inline strings, dates, numbers,
    booleans, a title row, leading empty rows and columns, blank rows inside the data."""
    import xlsxwriter

    out = []
    wb = Workbook()
    ws = wb.active
    ws["B2"] = "居民台账"
    ws.append([])
    ws.append([None, "姓名", "出生日期", "电话", "在册", "备注"])
    for i in range(60):
        ws.append([None, f"王{i}", dt.datetime(1980, 1, 1 + i % 28), 13800000000 + i, i % 2 == 0,
                   "x&y <z>" if i % 7 == 0 else None])
        if i % 13 == 0:
            ws.append([])
    buf = io.BytesIO()
    wb.save(buf)
    out.append(buf.getvalue())
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("居民")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["姓名", "身份证号", "出生日期", "金额"])
    for r in range(1, 80):
        sheet.write_string(r, 0, f"李{r}")
        sheet.write_string(r, 1, f"53012419800101{r:04d}")
        sheet.write_datetime(r, 2, dt.datetime(1990, 1 + r % 12, 1), date)
        sheet.write_number(r, 3, r * 1.5)
    book.close()
    out.append(buf.getvalue())
    return out


@pytest.mark.parametrize("which", [0, 1])
def test_a_big_xlsx_read_in_pieces_gives_the_same_rows(which, monkeypatch):
    from jiceng.imports import readers

    data = _workbooks()[which]
    whole = read_sheet("r.xlsx", data)
    expected = (whole.headers, whole.first_row_number, list(whole.iter_rows()))
    assert len(expected[2]) > 50
    monkeypatch.setattr(readers, "XLSX_PIECES_OVER", 0)
    for piece in (300, 2000, 10 ** 6):
        monkeypatch.setattr(readers, "XLSX_PIECE_BYTES", piece)
        assert readers._BigSheet.find(data) is not None
        sheet = read_sheet("r.xlsx", data)
        assert (sheet.headers, sheet.first_row_number, list(sheet.iter_rows())) == expected
