"""Scope: for every role, nobody lists, reads, changes or exports a person outside their subtree,
through the web or the API; and each role can do what it may inside it."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from jiceng.accounts.models import Role
from jiceng.accounts.scope import EXPORT_ROLES, PEOPLE_WRITE_ROLES
from jiceng.people import selectors
from jiceng.people.models import Cadre, PartnerPairing, PartnerUnit, Resident, Volunteer
from jiceng.people.services import party_member_create
from jiceng.points.roles import SHOP_CLERK
from jiceng.monitoring.roles import COUNTY_APPROVER
from tests.conftest import PASSWORD

# Staff roles that read the people registry (a shop clerk serves households at the counter only; the
# county approver of the monitoring chain sees monitoring records, not the registry).
STAFF_ROLES = [r for r in Role.values if r not in (Role.RESIDENT, SHOP_CLERK, COUNTY_APPROVER)]


@pytest.fixture
def world(district, admin, make_household):
    inside = make_household(district.building_a1, head_name="甲户主", phone="13811112222")
    outside = make_household(district.grid_b1, head_name="乙户主", phone="13933334444")
    neighbour = make_household(district.grid_a1, head_name="邻居户主", phone="13755556666")
    pm_in = party_member_create(actor=admin, resident=inside.head, branch=district.grid_a1,
                                join_date=dt.date(2001, 7, 1), linked_households=[inside, neighbour])
    pm_out = party_member_create(actor=admin, resident=outside.head, branch=district.grid_b1,
                                 join_date=dt.date(2001, 7, 1), linked_households=[outside])
    Cadre.objects.create(name="甲干部", gender="F", post="书记", org_unit=district.comm_a, org_path=district.comm_a.path)
    Cadre.objects.create(name="乙干部", gender="F", post="书记", org_unit=district.comm_b, org_path=district.comm_b.path)
    Volunteer.objects.create(resident=neighbour.head, org_unit=district.grid_a1, org_path=district.grid_a1.path,
                             registered_on=dt.date(2024, 1, 1))
    Volunteer.objects.create(resident=outside.head, org_unit=district.grid_b1, org_path=district.grid_b1.path,
                             registered_on=dt.date(2024, 1, 1))
    p_in = PartnerUnit.objects.create(name="甲共建单位", kind="school")
    PartnerPairing.objects.create(partner=p_in, org_unit=district.comm_a)
    p_out = PartnerUnit.objects.create(name="乙共建单位", kind="school")
    PartnerPairing.objects.create(partner=p_out, org_unit=district.comm_b)
    return {"inside": inside, "outside": outside, "neighbour": neighbour, "pm_in": pm_in, "pm_out": pm_out,
            "p_in": p_in, "p_out": p_out}


def user_for(role, district, world, make_user):
    if role == Role.RESIDENT:
        return make_user(role, district.grid_a1, resident=world["inside"].head)
    return make_user(role, district.comm_a)


def web(user):
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_people_selector_scopes(role, district, world, make_user):
    user = user_for(role, district, world, make_user)
    inside, outside = world["inside"], world["outside"]
    res_ids = set(selectors.resident_list(user=user).values_list("pk", flat=True))
    assert inside.head_id in res_ids and outside.head_id not in res_ids
    hh_ids = {h.pk for h in selectors.household_list(user=user)}
    assert inside.pk in hh_ids and outside.pk not in hh_ids
    pm_ids = {m.pk for m in selectors.party_member_list(user=user)}
    assert pm_ids == {world["pm_in"].pk}
    assert [c.name for c in selectors.cadre_list(user=user)] == ["甲干部"]
    assert [v.resident_id for v in selectors.volunteer_list(user=user)] == [world["neighbour"].head_id]
    assert [p.name for p in selectors.partner_unit_list(user=user)] == ["甲共建单位"]
    counts = selectors.people_counts(user=user)
    assert counts["households"] == 2
    for getter, obj in [(selectors.resident_get_for_user, outside.head), (selectors.household_get_for_user, outside),
                        (selectors.party_member_get_for_user, world["pm_out"]),
                        (selectors.partner_unit_get_for_user, world["p_out"])]:
        with pytest.raises(Exception) as exc:
            getter(user, obj.pk)
        assert exc.value.__class__.__name__ == "NotFoundError"
    assert selectors.resident_get_for_user(user, inside.head_id).pk == inside.head_id


def test_user_without_roles_sees_nothing(district, world, db):
    from jiceng.accounts.services import user_create
    nobody = user_create(actor=None, username="nobody", password=PASSWORD)
    assert selectors.resident_list(user=nobody).count() == 0
    assert selectors.household_list(user=nobody).count() == 0
    assert selectors.party_member_list(user=nobody).count() == 0
    assert selectors.partner_unit_list(user=nobody).count() == 0


def test_resident_sees_only_own_household(district, world, make_user, api_login):
    user = user_for(Role.RESIDENT, district, world, make_user)
    ids = set(selectors.resident_list(user=user).values_list("pk", flat=True))
    assert ids == {world["inside"].head_id}
    assert selectors.household_list(user=user).get().pk == world["inside"].pk
    c = web(user)
    assert c.get(f"/people/residents/{world['neighbour'].head_id}/").status_code == 404
    a = api_login(user)
    assert a.get(f"/api/residents/{world['neighbour'].head_id}").status_code == 404
    assert a.get(f"/api/households/{world['inside'].pk}").status_code == 200
    assert a.patch(f"/api/residents/{world['inside'].head_id}", {"phone": "13800000000"},
                   content_type="application/json").status_code == 404


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_web_list_read_change_export_follow_scope(role, district, world, make_user):
    user = user_for(role, district, world, make_user)
    c = web(user)
    inside, outside = world["inside"], world["outside"]
    page = c.get("/people/residents/").content.decode()
    assert "甲户主" in page and "乙户主" not in page
    assert c.get(f"/people/residents/{inside.head_id}/").status_code == 200
    assert c.get(f"/people/residents/{outside.head_id}/").status_code == 404
    assert c.get(f"/people/households/{outside.pk}/").status_code == 404
    assert c.get(f"/people/party-members/{world['pm_out'].pk}/").status_code == 404
    # Change: outside is never reachable; inside only for roles that write.
    before = Resident.objects.get(pk=outside.head_id).phone
    r = c.post(f"/people/residents/{outside.head_id}/edit/", {"name": "改名", "id_number": outside.head.id_number,
                                                              "ethnicity": "汉族", "status": "living",
                                                              "phone": "13800000000"})
    assert r.status_code == 404
    assert Resident.objects.get(pk=outside.head_id).phone == before
    assert c.get(f"/people/households/{outside.pk}/move/").status_code == 404
    inside_edit = c.get(f"/people/residents/{inside.head_id}/edit/")
    assert inside_edit.status_code == (200 if role in PEOPLE_WRITE_ROLES else 404)
    # Export
    r = c.get("/people/residents/export/")
    if role in EXPORT_ROLES:
        body = r.content.decode("utf-8-sig")
        assert "甲户主" in body and "乙户主" not in body
        assert inside.head.id_number not in body  # masked
        assert inside.head.id_number[-4:] in body
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_api_list_read_change_follow_scope(role, district, world, make_user, api_login):
    user = user_for(role, district, world, make_user)
    a = api_login(user)
    inside, outside = world["inside"], world["outside"]
    ids = {r["id"] for r in a.get("/api/residents?limit=200").json()["results"]}
    assert inside.head_id in ids and outside.head_id not in ids
    assert a.get(f"/api/residents/{outside.head_id}").status_code == 404
    assert a.get(f"/api/households/{outside.pk}").status_code == 404
    assert a.get(f"/api/party-members/{world['pm_out'].pk}").status_code == 404
    assert a.get(f"/api/orgs/{district.comm_b.pk}").status_code == 404
    r = a.patch(f"/api/residents/{outside.head_id}", {"phone": "13800000000"}, content_type="application/json")
    assert r.status_code == 404
    assert Resident.objects.get(pk=outside.head_id).phone == outside.head.phone
    r = a.patch(f"/api/residents/{inside.head_id}", {"phone": "13800000000"}, content_type="application/json")
    if role in PEOPLE_WRITE_ROLES:
        assert r.status_code == 200, r.content
        assert Resident.objects.get(pk=inside.head_id).phone == "13800000000"
    else:
        assert r.status_code == 404
        assert Resident.objects.get(pk=inside.head_id).phone == inside.head.phone
    # Masked unless the role may see personal data; a reveal is recorded.
    detail = a.get(f"/api/residents/{inside.head_id}").json()
    assert detail["masked"] is True and "*" in detail["id_number"]
    reveal = a.get(f"/api/residents/{inside.head_id}?reveal=true")
    if role in PEOPLE_WRITE_ROLES:
        assert reveal.json()["id_number"] == inside.head.id_number
    else:
        assert reveal.status_code == 403


@pytest.mark.parametrize("role, unit", [(SHOP_CLERK, "comm_a"), (COUNTY_APPROVER, "street")])
def test_roles_outside_the_registry_see_nothing_of_it(role, unit, district, world, make_user, api_login):
    """A shop clerk (积分超市) and a county approver (防返贫) hold units but are not registry readers."""
    user = make_user(role, getattr(district, unit))
    assert not selectors.resident_list(user=user).exists()
    assert not list(selectors.household_list(user=user))
    assert web(user).get(f"/people/households/{world['inside'].pk}/").status_code == 404
    assert api_login(user).get(f"/api/households/{world['inside'].pk}").status_code == 404
