from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone


@dataclass
class Site:
    district: object
    leader: object          # township leader (manages desks and rosters)
    staff_a: object         # comm_a's community staff (desk role in reports: records disputes)
    cadre_user: object      # village cadre of comm_a, on the roster
    cadre: object
    other_cadre: object     # comm_a's second cadre, no login
    outsider: object        # comm_b's community staff
    desk: object            # comm_a's desk, with a location
    desk_b: object          # comm_b's desk


@pytest.fixture
def site(district, make_user):
    from jiceng.accounts.models import Role
    from jiceng.cadre.roles import TOWNSHIP_LEADER, VILLAGE_CADRE
    from jiceng.duty import services
    from jiceng.people.models import Cadre

    leader = make_user(TOWNSHIP_LEADER, district.street, username="leader")
    staff_a = make_user(Role.COMMUNITY_STAFF, district.comm_a, username="staff-a")
    cadre_user = make_user(VILLAGE_CADRE, district.comm_a, username="cadre-a")
    outsider = make_user(Role.COMMUNITY_STAFF, district.comm_b, username="staff-b")

    def cadre(name, unit, user=None, phone="13912345678"):
        return Cadre.objects.create(name=name, gender="M", post="党委书记", phone=phone, org_unit=unit,
                                    org_path=unit.path, user=user)

    desk = services.desk_create(actor=leader, org_unit=district.comm_a, name="甲社区党群服务中心", phone="0871-67001234",
                                address="甲社区1号", lat="24.880000", lng="102.830000", days="1234567")
    desk_b = services.desk_create(actor=leader, org_unit=district.comm_b, name="乙社区值班台", phone="0871-67005678")
    return Site(district=district, leader=leader, staff_a=staff_a, cadre_user=cadre_user,
                cadre=cadre("李村官", district.comm_a, cadre_user), other_cadre=cadre("王委员", district.comm_a, phone="13700001111"),
                outsider=outsider, desk=desk, desk_b=desk_b)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def shift(site):
    """Today 08:30–17:30 for the village cadre at comm_a's desk."""
    from jiceng.duty import services

    day = timezone.localdate()
    return services.shift_create(actor=site.leader, desk=site.desk, cadre=site.cadre, starts_at=at(day, 8, 30),
                                 ends_at=at(day, 17, 30))


@pytest.fixture
def category(site):
    from jiceng.reports.models import ReportCategory

    return ReportCategory.objects.create(site=site.district.street, code="HJ01", name="环境卫生", sla_hours=48)
