import datetime as dt

import pytest

from jiceng.core.errors import JicengError, NotFoundError
from jiceng.people.models import Relationship, Resident, ResidentNameKey, ResidentTag
from jiceng.people.services import household_move, household_update, resident_create, resident_update
from tests.conftest import make_id


def test_moving_a_household_moves_its_members_tags_and_search_keys(admin, district, make_household):
    h = make_household(district.grid_a1, head_name="周大福")
    child = resident_create(actor=admin, household=h, name="周小福", relationship="child",
                            id_number=make_id(birth=dt.date(2015, 6, 1), seq=88), tags=["left_behind_child"])
    household_move(actor=admin, household=h, to_unit=district.grid_b1, address="乙一网格9号")
    h.refresh_from_db()
    assert (h.org_unit_id, h.org_path, h.address) == (district.grid_b1.pk, district.grid_b1.path, "乙一网格9号")
    assert set(Resident.objects.filter(household=h).values_list("org_path", flat=True)) == {district.grid_b1.path}
    assert set(ResidentTag.objects.filter(resident=child).values_list("org_path", flat=True)) == {district.grid_b1.path}
    assert set(ResidentNameKey.objects.filter(resident=child).values_list("org_path", flat=True)) == {district.grid_b1.path}


def test_grid_worker_cannot_move_a_household_out_of_their_grid(district, make_user, make_household):
    worker = make_user("grid_worker", district.grid_a1)
    h = make_household(district.building_a1)
    with pytest.raises(JicengError) as exc:
        household_move(actor=worker, household=h, to_unit=district.grid_a2)
    assert exc.value.field == "to_unit" and "管辖范围" in exc.value.message
    h.refresh_from_db()
    assert h.org_unit_id == district.building_a1.pk


def test_changing_the_head_swaps_relationships(admin, district, make_household):
    h = make_household(district.grid_a1)
    old_head = h.head
    spouse = resident_create(actor=admin, household=h, name="李秀英", relationship="spouse",
                             id_number=make_id(birth=dt.date(1976, 1, 1), gender="F", seq=5))
    household_update(actor=admin, household=h, head=spouse)
    h.refresh_from_db()
    assert h.head_id == spouse.pk
    assert Resident.objects.get(pk=spouse.pk).relationship == Relationship.HEAD
    assert Resident.objects.get(pk=old_head.pk).relationship == Relationship.OTHER


def test_a_second_head_is_refused(admin, district, make_household):
    h = make_household(district.grid_a1)
    with pytest.raises(JicengError) as exc:
        resident_create(actor=admin, household=h, name="王二", relationship="head",
                        id_number=make_id(birth=dt.date(1970, 1, 1), seq=40))
    assert exc.value.field == "relationship"


def test_renaming_updates_search_keys(admin, district, make_household):
    h = make_household(district.grid_a1, head_name="张三")
    resident_update(actor=admin, resident=h.head, name="單軍")
    r = Resident.objects.get(pk=h.head_id)
    assert r.name == "單軍" and r.name_search == "单军"
    keys = set(ResidentNameKey.objects.filter(resident=r).values_list("key", flat=True))
    assert {"sj", "dj", "shanjun"} <= keys and "zs" not in keys


def test_out_of_scope_update_is_not_found(district, make_user, make_household):
    worker = make_user("grid_worker", district.grid_b1)
    h = make_household(district.grid_a1)
    with pytest.raises(NotFoundError):
        resident_update(actor=worker, resident=h.head, phone="13800000000")
    assert Resident.objects.get(pk=h.head_id).phone == "13812345678"


def test_auditor_cannot_write(district, make_user, make_household):
    auditor = make_user("auditor", district.street)
    with pytest.raises(JicengError):
        resident_create(actor=auditor, org_unit=district.grid_a1, name="王五",
                        id_number=make_id(birth=dt.date(1970, 1, 1), seq=41))
    assert not Resident.objects.filter(name="王五").exists()


def test_household_numbers_count_past_9999_and_ignore_child_units(admin, district):
    from jiceng.people.models import Household
    from jiceng.people.services import household_create
    code = district.grid_a1.code
    Household.objects.create(number=f"{code}-9999", org_unit=district.grid_a1, org_path=district.grid_a1.path,
                             address="旧号")
    Household.objects.create(number=f"{district.building_a1.code}-12345", org_unit=district.building_a1,
                             org_path=district.building_a1.path, address="子单元")
    h = household_create(actor=admin, org_unit=district.grid_a1, address="新号")
    assert h.number == f"{code}-10000"
    assert household_create(actor=admin, org_unit=district.grid_a1, address="再新").number == f"{code}-10001"


def test_a_taken_household_number_is_a_field_error(admin, district, make_household):
    from jiceng.people.services import household_create
    h = make_household(district.grid_a1)
    with pytest.raises(JicengError) as exc:
        household_create(actor=admin, org_unit=district.grid_a1, address="x", number=h.number)
    assert exc.value.field == "number"
