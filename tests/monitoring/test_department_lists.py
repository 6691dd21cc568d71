"""A department's warning list: matched by ID number, all-or-nothing, every error with its row."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jiceng.core.errors import PermissionDeniedError
from jiceng.monitoring.department_lists import (
    department_list_apply, department_list_check, department_list_errors_xlsx, department_list_template,
)
from jiceng.monitoring.models import Channel, DepartmentListStatus, RiskSignal
from tests.conftest import bad_check_digit, make_id

HEAD = ["身份证号", "姓名", "预警类型", "预警说明", "金额（元）", "家庭年收入（元）", "预警日期"]


def xlsx(rows, header=HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_list_round_trips_into_signals(mon):
    data = xlsx([[mon.head.id_number, "李富贵", "大额医疗支出", "住院自付", "38000", "21000", "2026-1-8"],
                 [mon.spouse.id_number, "王秀英", "失业", "", "", "", ""]])
    dl = department_list_check(actor=mon.community, department="县医保局", filename="医保预警.xlsx", data=data,
                               root=mon.district.comm_a)
    assert dl.status == DepartmentListStatus.CHECKED and dl.result["created"] == 2
    assert not RiskSignal.objects.exists()  # the check writes no signal
    dl = department_list_apply(actor=mon.community, department_list=dl)
    assert dl.status == DepartmentListStatus.APPLIED
    signals = RiskSignal.objects.filter(department_list=dl).order_by("id")
    assert [(s.channel, s.kind, s.amount, s.household_id) for s in signals] == [
        (Channel.DEPARTMENT, "medical", 38000, mon.household.pk), (Channel.DEPARTMENT, "job_loss", None, mon.household.pk)]
    assert "县医保局" in signals[0].detail and "21000" in signals[0].detail
    with pytest.raises(Exception):
        department_list_apply(actor=mon.community, department_list=dl)  # applied once
    assert RiskSignal.objects.count() == 2


def test_gbk_csv_with_traditional_headers(mon):
    text = "身份證號,姓名,預警類型\n" + f"{mon.head.id_number},李富贵,大额医疗支出\n"
    dl = department_list_check(actor=mon.community, department="民政局", filename="list.csv",
                               data=text.encode("gb18030"), root=mon.district.comm_a)
    assert dl.status == DepartmentListStatus.CHECKED, dl.result["errors"]


def test_every_bad_row_is_reported_and_nothing_is_written(mon, make_household):
    other = make_household(mon.district.grid_b1, head_name="赵六")  # outside 甲社区
    unknown = make_id(birth=dt.date(1966, 2, 3), seq=321)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    rows = [
        [mon.head.id_number, "李富贵", "大额医疗支出", "", "38000", "", ""],      # 2: fine
        [bad_check_digit(mon.spouse.id_number), "王秀英", "失业", "", "", "", ""],  # 3: check digit
        [unknown, "无此人", "失业", "", "", "", ""],                                # 4: not registered
        [mon.head.id_number, "李富贵", "大额医疗支出", "", "", "", ""],            # 5: duplicate of row 2
        [mon.spouse.id_number, "王秀英", "失业", "", "-5", "", ""],                # 6: negative amount
        [mon.spouse.id_number, "王秀英", "自然灾害", "", "", "两万", ""],          # 7: income not a number
        [other.head.id_number, "赵六", "失业", "", "", "", ""],                     # 8: out of scope
        [mon.child.id_number, "李小明", "火星撞地球", "", "", "", ""],             # 9: unknown kind
        [mon.child.id_number, "李大明", "其他困难", "", "", "", future],            # 10: name, future date
        [mon.child.id_number, "李小明", "其他困难", "@HYPERLINK(1)", "", "", ""],   # 11: formula (and dup of 10)
    ]
    dl = department_list_check(actor=mon.community, department="县医保局", filename="bad.xlsx", data=xlsx(rows),
                               root=mon.district.comm_a)
    assert dl.status == DepartmentListStatus.REJECTED
    got = {(e["row"], e["column"]) for e in dl.result["errors"]}
    assert {(3, "身份证号"), (4, "身份证号"), (5, "身份证号"), (6, "金额（元）"), (7, "家庭年收入（元）"),
            (8, "身份证号"), (9, "预警类型"), (10, "姓名"), (10, "预警日期"), (11, "预警说明")} <= got
    assert 2 not in {e["row"] for e in dl.result["errors"]}
    reasons = {(e["row"], e["column"]): e["reason"] for e in dl.result["errors"]}
    assert "校验位" in reasons[(3, "身份证号")]
    assert "没有登记" in reasons[(4, "身份证号")]
    assert "与第2行重复" in reasons[(5, "身份证号")]
    assert "负数" in reasons[(6, "金额（元）")]
    assert "不是数字" in reasons[(7, "家庭年收入（元）")]
    assert "管辖范围" in reasons[(8, "身份证号")]
    with pytest.raises(Exception):
        department_list_apply(actor=mon.community, department_list=dl)
    assert not RiskSignal.objects.exists()
    wb = load_workbook(io.BytesIO(department_list_errors_xlsx(dl)))
    ws = wb.active
    assert ws.cell(row=1, column=1).value == "错误说明"
    assert "校验位" in ws.cell(row=3, column=1).value
    assert ws.cell(row=2, column=1).value in (None, "")
    formula = ws.cell(row=11, column=5)  # a text cell, as sent: never run, and no apostrophe added
    assert (formula.value, formula.data_type) == ("@HYPERLINK(1)", "s")


def test_only_list_importers_within_scope(mon):
    data = xlsx([[mon.head.id_number, "李富贵", "大额医疗支出", "", "", "", ""]])
    with pytest.raises(PermissionDeniedError):
        department_list_check(actor=mon.grid_worker, department="医保局", filename="a.xlsx", data=data,
                              root=mon.district.comm_a)
    with pytest.raises(PermissionDeniedError):
        department_list_check(actor=mon.outsider, department="医保局", filename="a.xlsx", data=data,
                              root=mon.district.comm_a)


def test_template_headers_are_recognised(mon):
    wb = load_workbook(io.BytesIO(department_list_template()))
    ws = wb.active
    header = [c.value for c in ws[1]]
    data = xlsx([[mon.head.id_number, "李富贵", "大额医疗支出", "", "", "", ""]], header=header)
    dl = department_list_check(actor=mon.community, department="医保局", filename="t.xlsx", data=data,
                               root=mon.district.comm_a)
    assert dl.status == DepartmentListStatus.CHECKED, dl.result["errors"]


def test_the_same_list_cannot_be_imported_twice_and_moved_out_residents_are_refused(mon):
    from jiceng.core.errors import JicengError
    from jiceng.people.models import Resident

    data = xlsx([[mon.head.id_number, "李富贵", "大额医疗支出", "", "38000", "", ""]])
    dl = department_list_check(actor=mon.community, department="县医保局", filename="a.xlsx", data=data,
                               root=mon.district.comm_a)
    department_list_apply(actor=mon.community, department_list=dl)
    with pytest.raises(JicengError) as exc:
        department_list_check(actor=mon.community, department="县医保局", filename="a-copy.xlsx", data=data,
                              root=mon.district.comm_a)
    assert exc.value.field == "file" and "已于" in exc.value.message
    Resident.objects.filter(pk=mon.spouse.pk).update(status="moved_out")
    dl = department_list_check(actor=mon.community, department="民政局", filename="b.xlsx", root=mon.district.comm_a,
                               data=xlsx([[mon.spouse.id_number, "王秀英", "失业", "", "", "", ""]]))
    assert dl.status == DepartmentListStatus.REJECTED and "已迁出" in dl.result["errors"][0]["reason"]
    assert RiskSignal.objects.count() == 1


def test_the_list_page_names_the_columns_that_were_not_read(mon, client):
    from tests.conftest import PASSWORD

    data = xlsx([[mon.head.id_number, "李富贵", "大额医疗支出", "村医"]], header=HEAD[:3] + ["经办人"])
    dl = department_list_check(actor=mon.community, department="县医保局", filename="a.xlsx", data=data,
                               root=mon.district.comm_a)
    assert dl.status == DepartmentListStatus.CHECKED and dl.result["ignored_headers"] == ["经办人"]
    assert client.login(username=mon.community.username, password=PASSWORD)
    page = client.get(f"/monitoring/department-lists/{dl.pk}/").content.decode()
    assert "以下表头没有识别，这些列不会导入：经办人" in page
