"""``resident_page`` (the one-statement read behind the resident list and the API) returns exactly
the rows ``resident_list`` would, in the same order, for every role's scope and every filter."""
from __future__ import annotations

import datetime as dt

import pytest

from jiceng.accounts.models import Role
from jiceng.people import selectors
from jiceng.people.models import Resident, ResidentStatus, SpecialGroup
from jiceng.people.services import resident_create
from tests.conftest import make_id

NAMES = ["张三", "张三丰", "張偉", "曾小明", "李四", "王伟", "王五", "Zhang Wei", "赵六", "张伟"]


@pytest.fixture
def population(district, admin, make_household):
    units = [district.grid_a1, district.building_a1, district.grid_a2, district.grid_b1]
    households = [make_household(u, head_name="户主" + "甲乙丙丁"[i], phone=f"1380000{i:04d}",
                                 address=f"{u.name}幸福路{i}号") for i, u in enumerate(units)]
    seq = 100
    for i, name in enumerate(NAMES * 2):
        seq += 1
        hh = households[i % len(households)] if i % 5 else None
        kw = {"household": hh, "relationship": "other"} if hh else {"org_unit": units[i % len(units)]}
        resident_create(actor=admin, name=name, id_number=make_id(birth=dt.date(1950 + i, 1 + i % 12, 3), seq=seq),
                        phone=f"139{i:04d}{seq:04d}" if i % 3 else "",
                        actual_address=f"和平街{i}号" if i % 4 == 0 else "",
                        tags=[SpecialGroup.ELDERLY_ALONE] if i % 3 == 0 else [], **kw)
    Resident.objects.filter(name="王五").update(status=ResidentStatus.MOVED_OUT)
    return households


QUERIES = ["", "张", "张三", "張", "zs", "z", "zhang", "zx", "w", "1234", "0101", "12", "0001", "%", "zhang_%", "无此人"]


def _users(district, make_user, population):
    users = [make_user(role, unit) for role in Role.values if role != Role.RESIDENT
             for unit in (district.street, district.comm_a, district.grid_a1)]
    head = population[0].head
    users.append(make_user(Role.RESIDENT, district.grid_a1, resident=head))
    return users


def test_resident_page_matches_resident_list_for_every_scope_and_query(population, district, make_user, admin):
    users = [admin, *_users(district, make_user, population)]
    checked = 0
    for user in users:
        for q in QUERIES:
            expected = list(selectors.resident_list(user=user, q=q)[:20])
            got = selectors.resident_page(user=user, q=q, limit=20)
            assert [r.pk for r in got] == [r.pk for r in expected], (user.username, q)
            for a, b in zip(got, expected):
                assert (a.name, a.birth_date, a.id_number, a.status) == (b.name, b.birth_date, b.id_number, b.status)
                assert (a.household.number if a.household else None) == (b.household.number if b.household else None)
                assert a.org_unit.full_name() == b.org_unit.full_name()
            checked += bool(expected)
    assert checked > 50  # most combinations find someone, so the comparison is not of empty lists


@pytest.mark.parametrize("filters", [
    {"org_path": "grid_a1"}, {"tag": SpecialGroup.ELDERLY_ALONE}, {"status": ResidentStatus.MOVED_OUT},
    {"address": "幸福路"}, {"address": "和平"}, {"address": "%"}, {"household": 0},
    {"org_path": "comm_a", "tag": SpecialGroup.ELDERLY_ALONE, "address": "号"},
])
def test_resident_page_matches_resident_list_with_filters_and_offsets(filters, population, district, make_user,
                                                                     admin):
    filters = dict(filters)
    if "org_path" in filters:
        filters["org_path"] = getattr(district, filters["org_path"]).path
    if "household" in filters:
        filters["household_id"] = population[filters.pop("household")].pk
    for user in (admin, make_user(Role.COMMUNITY_STAFF, district.comm_a), make_user(Role.GRID_WORKER,
                                                                                    district.grid_a1)):
        for q in ("", "张", "zs", "w"):
            full = [r.pk for r in selectors.resident_list(user=user, q=q, **filters)]
            for offset, limit in ((0, 20), (0, 3), (2, 3), (len(full), 5)):
                got = selectors.resident_page(user=user, q=q, offset=offset, limit=limit, **filters)
                assert [r.pk for r in got] == full[offset:offset + limit], (user.username, q, filters, offset)


def test_resident_list_page_and_api_read_their_rows_through_resident_page(population, district, make_user, client,
                                                                          api_login, monkeypatch):
    from jiceng.people import selectors as sel

    calls = []
    real = sel.resident_page

    def spy(**kwargs):
        calls.append((kwargs["offset"], kwargs["limit"]))
        return real(**kwargs)

    monkeypatch.setattr(sel, "resident_page", spy)
    user = make_user(Role.COMMUNITY_STAFF, district.comm_a)
    client.force_login(user)
    page = client.get("/people/residents/", {"q": "张"})
    expected = list(selectors.resident_list(user=user, q="张")[:20])
    assert page.status_code == 200 and calls == [(0, len(expected))]
    assert expected and all(r.name in page.content.decode() for r in expected)
    calls.clear()
    api = api_login(user).get("/api/residents", {"q": "张", "limit": 2, "offset": 1})
    assert api.status_code == 200 and calls == [(1, 2)]
    body = api.json()
    assert [r["id"] for r in body["results"]] == [r.pk for r in expected[1:3]]
    assert body["count"] == len(list(selectors.resident_list(user=user, q="张")))
