"""A resident opening the registry's lists or the tree is led to their own household, never shown a list."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("url", ["/people/residents/", "/people/households/", "/orgs/"])
def test_a_resident_opening_a_registry_list_is_led_to_their_own_household(district, make_user, make_household,
                                                                          client, url):
    h = make_household(district.building_a1, head_name="居民甲", address="幸福路8号")
    resident = make_user("resident", district.building_a1, resident=h.members.get())
    client.force_login(resident)
    r = client.get(url)
    assert r.status_code == 302 and r["Location"] == "/#my-household"
    home = client.get(r["Location"]).content.decode()
    assert 'id="my-household"' in home and "幸福路8号" in home


def test_staff_without_the_registry_still_get_403(district, make_user, client):
    client.force_login(make_user("shop_clerk", district.comm_a))
    assert client.get("/people/residents/").status_code == 403
