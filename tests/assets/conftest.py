from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Site:
    district: object
    keeper: object      # comm_a's community staff: keeps the register, applies, records bids and payments
    keeper_b: object    # comm_b's community staff
    leader: object      # township leader: reviews, awards, sets rules, allocates
    leader2: object
    approver: object    # the district's approver
    admin: object       # street admin


@pytest.fixture
def site(district, make_user, admin):
    from jiceng.accounts.models import Role
    from jiceng.assets.roles import ASSETS_APPROVER
    from jiceng.cadre.roles import TOWNSHIP_LEADER

    return Site(district=district,
                keeper=make_user(Role.COMMUNITY_STAFF, district.comm_a, username="keeper-a"),
                keeper_b=make_user(Role.COMMUNITY_STAFF, district.comm_b, username="keeper-b"),
                leader=make_user(TOWNSHIP_LEADER, district.street, username="leader"),
                leader2=make_user(TOWNSHIP_LEADER, district.street, username="leader2"),
                approver=make_user(ASSETS_APPROVER, district.street, username="approver"),
                admin=make_user(Role.STREET_ADMIN, district.street, username="street-admin"))


@pytest.fixture
def building(site):
    from jiceng.assets import services

    return services.asset_create(actor=site.keeper, org_unit=site.district.comm_a, code="FW-02", name="原村小学校舍",
                                 category="asset", kind="building", location="村委会东侧", area="820", area_unit="m2",
                                 original_value="360000", current_value="280000.50", status="idle")
