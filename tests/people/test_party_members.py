import datetime as dt

import pytest
from django.test import Client

from jiceng.people.models import PartyMember, PartyMemberHousehold
from tests.conftest import PASSWORD


@pytest.fixture
def secretary_client(district, make_user):
    user = make_user("community_staff", district.comm_a)
    c = Client()
    c.login(username=user.username, password=PASSWORD)
    return c


def test_register_a_party_member_with_linked_households_on_the_web(secretary_client, district, make_household):
    member_home = make_household(district.grid_a1, head_name="党员甲")
    served = [make_household(district.grid_a1, head_name=f"群众{'甲乙丙'[i]}") for i in range(3)]
    r = secretary_client.post("/people/party-members/new/", {
        "id_number": member_home.head.id_number, "branch": district.grid_a1.pk, "status": "formal",
        "join_date": "2005-07-01", "party_post": "", "household_numbers": "，".join(h.number for h in served)})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    m = PartyMember.objects.get(resident=member_home.head)
    assert set(m.linked_households.values_list("pk", flat=True)) == {h.pk for h in served}
    page = secretary_client.get(f"/people/party-members/{m.pk}/").content.decode()
    assert all(h.number in page for h in served)
    # Edit: drop one linked household, add another.
    extra = make_household(district.grid_a2, head_name="群众新")
    keep = [served[0].number, served[1].number, extra.number]
    r = secretary_client.post(f"/people/party-members/{m.pk}/edit/", {
        "branch": district.grid_a1.pk, "status": "formal", "join_date": "2005-07-01", "party_post": "组织委员",
        "household_numbers": " ".join(keep)})
    assert r.status_code == 302
    assert set(PartyMemberHousehold.objects.filter(party_member=m).values_list("household__number", flat=True)) == set(keep)


def test_unknown_or_out_of_scope_household_numbers_are_named(secretary_client, district, make_household):
    member_home = make_household(district.grid_a1, head_name="党员乙")
    outside = make_household(district.grid_b1, head_name="外社区")
    r = secretary_client.post("/people/party-members/new/", {
        "id_number": member_home.head.id_number, "branch": district.grid_a1.pk, "status": "formal",
        "join_date": "2005-07-01", "household_numbers": f"{outside.number} NO-SUCH"})
    assert r.status_code == 200
    message = " ".join(r.context["form"].errors["household_numbers"])
    assert outside.number in message and "NO-SUCH" in message
    assert not PartyMember.objects.exists()


def test_join_date_before_birth_is_refused(secretary_client, district, make_household):
    member_home = make_household(district.grid_a1, head_name="党员丙", head_birth=dt.date(1980, 1, 1))
    r = secretary_client.post("/people/party-members/new/", {
        "id_number": member_home.head.id_number, "branch": district.grid_a1.pk, "status": "formal",
        "join_date": "1979-07-01", "household_numbers": ""})
    assert "入党日期" in " ".join(r.context["form"].errors["join_date"])
    assert not PartyMember.objects.exists()


def test_branch_must_have_a_party_organisation(secretary_client, district, make_household):
    member_home = make_household(district.grid_a1, head_name="党员丁")
    r = secretary_client.post("/people/party-members/new/", {
        "id_number": member_home.head.id_number, "branch": district.building_a1.pk, "status": "formal",
        "join_date": "2005-07-01", "household_numbers": ""})
    assert r.status_code == 200  # building 1栋 has no party organisation, so it is not even offered
    assert "branch" in r.context["form"].errors
