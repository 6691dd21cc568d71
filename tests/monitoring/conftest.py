from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from jiceng.monitoring.roles import COUNTY_APPROVER
from django.utils import timezone

from tests.conftest import make_id


@dataclass
class Mon:
    district: object
    household: object
    head: object
    spouse: object
    child: object
    grid_worker: object
    community: object
    community2: object
    street: object
    county: object
    outsider: object
    year: int


@pytest.fixture
def mon(district, admin, make_user, make_household):
    from jiceng.accounts.models import Role
    from jiceng.monitoring.models import IncomeLine
    from jiceng.people.services import resident_create

    year = timezone.localdate().year
    IncomeLine.objects.create(year=year, province_code="53", amount=Decimal("6000"))
    IncomeLine.objects.create(year=year - 1, province_code="53", amount=Decimal("5800"))
    h = make_household(district.grid_a1, head_name="李富贵", head_birth=dt.date(1978, 4, 2))
    spouse = resident_create(actor=admin, household=h, name="王秀英", relationship="spouse",
                             id_number=make_id(birth=dt.date(1980, 6, 1), gender="F", seq=201))
    today = timezone.localdate()
    child = resident_create(actor=admin, household=h, name="李小明", relationship="child",
                            id_number=make_id(birth=dt.date(today.year - 10, 1, 15), gender="M", seq=202))
    return Mon(
        district=district, household=h, head=h.members.get(relationship="head"), spouse=spouse, child=child,
        grid_worker=make_user(Role.GRID_WORKER, district.grid_a1),
        community=make_user(Role.COMMUNITY_STAFF, district.comm_a),
        community2=make_user(Role.COMMUNITY_STAFF, district.comm_a),
        street=make_user(Role.STREET_ADMIN, district.street),
        county=make_user(COUNTY_APPROVER, district.street),
        outsider=make_user(Role.COMMUNITY_STAFF, district.comm_b),
        year=year,
    )


def healthy_values(**over):
    """A household of three well above the line, every guarantee secured."""
    values = {"wage_income": "36000", "operating_income": "6000", "property_income": "0", "transfer_income": "0",
              "medical_expense": "1000", "education_expense": "500", "other_rigid_expense": "0",
              "housing_grade": "A", "safe_water": True, "disaster_loss": "0", "member_count": 3}
    values.update(over)
    return values
