import datetime as dt

import pytest

from jiceng.people import selectors
from jiceng.people.search import classify_query, name_keys
from jiceng.people.services import resident_create
from tests.conftest import make_id


def test_heteronymous_surnames_get_every_reading():
    keys = name_keys("曾小明")
    assert "zxm" in keys and "cxm" in keys
    assert "zengxiaoming" in keys
    keys = name_keys("单军")
    assert "sj" in keys and "dj" in keys


def test_traditional_names_are_keyed_like_simplified():
    assert set(name_keys("張三")) == set(name_keys("张三"))
    assert "zs" in name_keys("張三")


def test_query_classification():
    assert classify_query("1234") == ("id", "1234")
    assert classify_query("123x") == ("id", "123X")
    assert classify_query("ZS") == ("pinyin", "zs")
    assert classify_query("張三") == ("name", "张三")


@pytest.fixture
def people(district, admin):
    rows = {}
    for i, (name, phone) in enumerate([("张三", "13800001111"), ("曾小明", "13900002222"), ("张三丰", ""),
                                       ("李四", "13700003333")]):
        rows[name] = resident_create(actor=admin, org_unit=district.grid_a1, name=name,
                                     id_number=make_id(birth=dt.date(1970 + i, 1, 2), seq=i + 1), phone=phone)
    rows["out"] = resident_create(actor=admin, org_unit=district.grid_b1, name="张三",
                                  id_number=make_id(birth=dt.date(1960, 1, 2), seq=9), phone="13600004444")
    return rows


def names(qs):
    return sorted(r.name for r in qs)


def test_search_by_initials_full_pinyin_and_traditional(people, admin, district):
    path = district.grid_a1.path
    assert names(selectors.resident_list(user=admin, q="zs", org_path=path)) == ["张三", "张三丰"]
    assert names(selectors.resident_list(user=admin, q="zsf", org_path=path)) == ["张三丰"]
    assert names(selectors.resident_list(user=admin, q="zhangsan", org_path=path)) == ["张三", "张三丰"]
    assert names(selectors.resident_list(user=admin, q="cxm", org_path=path)) == ["曾小明"]
    assert names(selectors.resident_list(user=admin, q="zxm", org_path=path)) == ["曾小明"]
    assert names(selectors.resident_list(user=admin, q="張三", org_path=path)) == ["张三", "张三丰"]


def test_search_by_id_and_phone_suffix(people, admin):
    r = people["李四"]
    assert [x.pk for x in selectors.resident_list(user=admin, q=r.id_number[-6:])] == [r.pk]
    assert [x.pk for x in selectors.resident_list(user=admin, q="3333")] == [r.pk]


def test_search_by_address(people, admin, district):
    from jiceng.people.services import household_create
    h = household_create(actor=admin, org_unit=district.grid_a2, address="翠湖小区3栋2单元501室")
    resident_create(actor=admin, household=h, name="王五", relationship="head",
                    id_number=make_id(birth=dt.date(1950, 1, 2), seq=30))
    assert names(selectors.resident_list(user=admin, address="3栋2单元")) == ["王五"]


def test_search_respects_scope(people, make_user, district):
    grid_worker = make_user("grid_worker", district.grid_a1)
    found = list(selectors.resident_list(user=grid_worker, q="zs"))
    assert names(found) == ["张三", "张三丰"]
    assert people["out"].pk not in {r.pk for r in found}


def test_id_suffix_needs_four_digits(people, admin):
    assert list(selectors.resident_list(user=admin, q="333")) == []
    assert len(list(selectors.resident_list(user=admin, q="3333"))) == 1


def test_pinyin_results_come_in_pinyin_order_and_stop_at_the_window(people, admin, district, monkeypatch):
    path = district.grid_a1.path
    assert [r.name for r in selectors.resident_list(user=admin, q="z", org_path=path)] == ["曾小明", "张三", "张三丰"]
    monkeypatch.setattr(selectors, "PINYIN_WINDOW", 1)
    # 曾小明 has 4 keys, each resident at most MAX_KEYS*2; a window of 1 still returns the first resident.
    assert [r.name for r in selectors.resident_list(user=admin, q="z", org_path=path)][0] == "曾小明"
