"""Households are named by their head and address; the 28-character code is secondary (titles, links)."""
from __future__ import annotations


def test_a_household_is_named_by_head_and_address_in_the_list_its_title_and_a_members_page(
        district, make_user, make_household, client):
    from jiceng.accounts.models import Role

    h = make_household(district.building_a1, head_name="王秀英", address="幸福路12号")
    assert str(h) == h.display_name == "王秀英 · 幸福路12号"
    client.force_login(make_user(Role.COMMUNITY_STAFF, district.comm_a))

    rows = client.get("/people/households/").content.decode()
    assert f'/people/households/{h.pk}/">王秀英 · 幸福路12号</a>' in rows
    detail = client.get(f"/people/households/{h.pk}/").content.decode()
    title = detail[detail.index("<title>"):detail.index("</title>")]
    assert "王秀英 · 幸福路12号" in title and h.number not in title
    h1 = detail[detail.index('<h1 class="page-title'):]
    assert h1[:h1.index("</h1>")].endswith("王秀英 · 幸福路12号")
    head = h.members.get()
    member = client.get(f"/people/residents/{head.pk}/").content.decode()
    assert f'/people/households/{h.pk}/">王秀英 · 幸福路12号</a>' in member


def test_a_household_without_a_head_is_named_by_its_address(district, admin):
    from jiceng.people.services import household_create

    h = household_create(actor=admin, org_unit=district.building_a1, address="和平街3号")
    assert str(h) == "和平街3号"


def test_the_name_leaves_out_the_province_city_county_and_street_every_household_shares(district, make_household):
    h = make_household(district.building_a1, head_name="蒋秀艳", address="云南省昆明市富民县永定街道翠湖社区翠湖苑小区1栋3单元402室")
    assert h.display_name == "蒋秀艳 · 翠湖社区翠湖苑小区1栋3单元402室"
    village = make_household(district.grid_b1, head_name="赵有田", address="云南省昆明市富民县永定街道小河村3组18号")
    assert village.display_name == "赵有田 · 小河村3组18号"
