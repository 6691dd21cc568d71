"""Importing an existing asset register through the import engine: all rows or none, every reason by row and
column, a second import of the same file changes nothing, a changed value updates the asset."""
from __future__ import annotations

import io
from decimal import Decimal

from django.test import Client

from jiceng.assets.models import Asset
from jiceng.imports.engine import import_file
from tests.conftest import PASSWORD

HEAD = "村（社区）代码,资产编号,资产名称,类别,种类,坐落位置,面积,面积单位,原值（元）,现值（元）,年收益（元）,状态\n"


def _csv(rows) -> bytes:
    return (HEAD + "\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def test_a_register_imports_whole_or_not_at_all_and_twice_changes_nothing(site):
    a, b = site.district.comm_a.code, site.district.comm_b.code
    bad = _csv([[a, "FW-01", "党群服务中心", "资产", "房屋建筑", "社区", "1500", "平方米", "2800000", "2450000", "0", "在用"],
                [a, "FW-02", "商铺", "资产", "房屋", "主街", "320", "", "96万", "900000.001", "96000", "出租"],
                [b, "FW-01", "别的社区", "资产", "房屋建筑", "", "", "", "1", "1", "0", ""],
                [a, "FW-01", "重复", "资源", "土地", "", "", "", "1", "1", "0", ""],
                [site.district.grid_a1.code, "X", "网格的", "资产", "设备", "", "", "", "1", "1", "0", ""]])
    result = import_file(actor=site.keeper, kind="assets", filename="register.csv", data=bad)
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert "不是金额" in reasons[(3, "原值（元）")] and "两位小数" in reasons[(3, "现值（元）")]
    assert "不认识" in reasons[(3, "状态")]
    assert "不在您的管辖范围内" in reasons[(4, "村（社区）代码")]
    assert "重复" in reasons[(5, "资产编号")]
    assert "不是村或社区" in reasons[(6, "村（社区）代码")]
    assert not Asset.objects.unscoped("test").exists()

    good = _csv([[a, "FW-01", "党群服务中心", "资产", "房屋建筑", "社区", "1500", "平方米", "2800000", "2450000", "0", "在用"],
                 [a, "FW-02", "商铺", "资产", "房屋", "主街", "320", "", "960000", "900000.50", "96000", "闲置"]])
    result = import_file(actor=site.keeper, kind="assets", filename="register.csv", data=good)
    assert result.errors == [] and result.created == 2
    shop = Asset.objects.unscoped("test").get(code="FW-02")
    assert (shop.kind, shop.current_value, shop.area_unit, shop.status) == ("building", Decimal("900000.50"), "m2", "idle")
    again = import_file(actor=site.keeper, kind="assets", filename="register.csv", data=good)
    assert again.errors == [] and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = good.replace("900000.50".encode(), "880000".encode())
    third = import_file(actor=site.keeper, kind="assets", filename="register.csv", data=changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert Asset.objects.unscoped("test").get(code="FW-02").current_value == Decimal("880000.00")


def test_the_kind_is_on_the_upload_page_with_its_template_for_a_keeper(site):
    from openpyxl import load_workbook

    c = Client()
    assert c.login(username=site.keeper.username, password=PASSWORD)
    assert "集体资产台账" in c.get("/imports/").content.decode()
    r = c.get("/imports/templates/assets.xlsx")
    assert r.status_code == 200
    body = b"".join(r.streaming_content) if r.streaming else r.content
    header = next(load_workbook(io.BytesIO(body)).active.values)
    assert "村（社区）代码" in str(header[0]) and "资产编号" in str(header[1])
