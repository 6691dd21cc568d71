import datetime as dt

import pytest

from jiceng.people import selectors
from jiceng.people.search import KEY_FULL, KEY_INITIALS, KEY_SURNAME, NameKey, classify_query, name_keys
from jiceng.people.services import resident_create
from tests.conftest import make_id


def spellings(name):
    return {k.key for k in name_keys(name)}


def test_surname_reading_and_common_reading_both_spell_the_name():
    keys = spellings("曾小明")
    assert "zxm" in keys and "cxm" in keys
    assert "zengxiaoming" in keys
    keys = spellings("单军")
    assert "sj" in keys and "dj" in keys


def test_a_surname_is_keyed_by_its_surname_reading_not_by_every_reading_of_the_character():
    # pypinyin's heteronyms: 邓 also "shan", 汤 also "shang", 单 also "chan".
    assert name_keys("邓山") == (NameKey("dengshan", KEY_FULL), NameKey("ds", KEY_INITIALS), NameKey("deng", KEY_SURNAME))
    assert not any(k.startswith("shang") for k in spellings("汤明"))
    assert not any(k.startswith("chan") for k in spellings("单军"))
    assert [k.key for k in name_keys("单军") if k.kind == KEY_SURNAME] == ["shan"]
    assert [k.key for k in name_keys("曾小明") if k.kind == KEY_SURNAME] == ["zeng"]
    assert [k.key for k in name_keys("区伟") if k.kind == KEY_SURNAME] == ["ou"]
    assert [k.key for k in name_keys("长孙无忌") if k.kind == KEY_SURNAME] == ["zhangsun"]
    assert "zswj" in spellings("长孙无忌")


def test_traditional_names_are_keyed_like_simplified():
    assert set(name_keys("張三")) == set(name_keys("张三"))
    assert "zs" in spellings("張三")


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
    # 曾小明 has 5 keys, each resident at most MAX_ROWS_PER_NAME; a window of 1 still returns the first resident.
    assert [r.name for r in selectors.resident_list(user=admin, q="z", org_path=path)][0] == "曾小明"


@pytest.fixture
def shan_street(district, admin):
    """Four residents surnamed 单 (surname reading shan) among 尚/商 (shang...) and 邓/汤 (whose rare
    readings are shan and shang)."""
    made = {}
    names = ["尚爱国", "单志强", "商保华", "邓山", "单军", "汤尚", "尚国庆", "单晓燕", "商华", "单于飞", "山本", "单"]
    for i, name in enumerate(names):
        made[name] = resident_create(actor=admin, org_unit=district.grid_a1, name=name,
                                     id_number=make_id(birth=dt.date(1960 + i, 3, 4), seq=i + 1))
    return made


def test_exact_surname_matches_rank_before_prefix_matches(shan_street, admin, monkeypatch):
    found = [r.name for r in selectors.resident_list(user=admin, q="shan")]
    page = [r.name for r in selectors.resident_page(user=admin, q="shan", limit=20)]
    # The one-character name 单 spells "shan" exactly as a full name; then the surname shan (单, 山) in
    # pinyin order; then the prefix matches (尚, 商: shang...). 单于飞 is chanyufei (or danyufei).
    assert found == page == ["单", "山本", "单军", "单晓燕", "单志强", "尚爱国", "商保华", "尚国庆", "商华"]
    assert "邓山" not in found and "汤尚" not in found
    # A window smaller than the prefix matches still brings every exact match, first.
    monkeypatch.setattr(selectors, "PINYIN_WINDOW", 3)
    assert [r.name for r in selectors.resident_list(user=admin, q="shan")][:5] == found[:5]
    assert [r.name for r in selectors.resident_page(user=admin, q="shan", limit=5)] == found[:5]


def test_exact_full_name_and_initials_rank_before_prefix_matches(people, admin, district):
    path = district.grid_a1.path
    assert [r.name for r in selectors.resident_list(user=admin, q="zhangsan", org_path=path)] == ["张三", "张三丰"]
    assert [r.name for r in selectors.resident_list(user=admin, q="zs", org_path=path)] == ["张三", "张三丰"]
    assert [r.name for r in selectors.resident_list(user=admin, q="zhang", org_path=path)] == ["张三", "张三丰"]
    assert [r.name for r in selectors.resident_page(user=admin, q="z", org_path=path)] == ["曾小明", "张三", "张三丰"]


def test_rebuild_migration_rekeys_every_resident_in_batches(shan_street, monkeypatch):
    import importlib

    from django.apps import apps
    from django.db import connection

    from jiceng.people.models import Resident, ResidentNameKey

    rebuild = importlib.import_module("jiceng.people.migrations.0006_rebuild_name_keys")
    deng = shan_street["邓山"]
    # Keys as the old indexing wrote them: every reading of the surname, no kinds.
    ResidentNameKey.objects.filter(resident=deng).delete()
    ResidentNameKey.objects.bulk_create([ResidentNameKey(resident=deng, key=k, org_path=deng.org_path)
                                         for k in ("dengshan", "shanshan", "ds", "ss")])
    ResidentNameKey.objects.filter(resident=shan_street["单军"]).delete()
    monkeypatch.setattr(rebuild, "BATCH", 5)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    rebuild.rebuild_name_keys(apps, editor)

    for r in Resident.objects.all():
        assert sorted(ResidentNameKey.objects.filter(resident=r).values_list("key", "kind", "org_path")) == \
            sorted((k.key, k.kind, r.org_path) for k in name_keys(r.name))
