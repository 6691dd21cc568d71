from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.conftest import make_id


@dataclass
class Site:
    district: object
    leader: object       # township leader: records terms, runs selections, drafts lists
    leader2: object      # a second leader: approves a list another drafted
    staff_a: object      # comm_a's community staff: nominates within comm_a
    staff_b: object      # comm_b's community staff
    people: dict         # name -> resident of comm_a


@pytest.fixture
def site(district, make_user, admin):
    from jiceng.accounts.models import Role
    from jiceng.cadre.roles import TOWNSHIP_LEADER
    from jiceng.people.services import resident_create

    people = {}
    for i, (name, birth, gender) in enumerate([
        ("张建国", dt.date(1968, 3, 2), "M"), ("李秀兰", dt.date(1975, 7, 9), "F"), ("王强", dt.date(1980, 12, 30), "M"),
        ("赵敏", dt.date(1992, 1, 15), "F"), ("刘洋", dt.date(1995, 6, 1), "M"), ("陈静", dt.date(1990, 10, 10), "F"),
    ]):
        people[name] = resident_create(actor=admin, org_unit=district.grid_a1, name=name, gender=gender,
                                       id_number=make_id(birth=birth, gender=gender, seq=40 + i))
    people["外人"] = resident_create(actor=admin, org_unit=district.grid_b1, name="孙外", gender="M",
                                   id_number=make_id(birth=dt.date(1985, 1, 1), seq=60))
    return Site(district=district, leader=make_user(TOWNSHIP_LEADER, district.street, username="leader"),
                leader2=make_user(TOWNSHIP_LEADER, district.street, username="leader2"),
                staff_a=make_user(Role.COMMUNITY_STAFF, district.comm_a, username="staff-a"),
                staff_b=make_user(Role.COMMUNITY_STAFF, district.comm_b, username="staff-b"), people=people)
