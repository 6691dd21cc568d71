from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone


@dataclass
class Site:
    district: object
    leader: object          # township leader (issues, grades)
    leader2: object         # a second leader (approves)
    street_admin: object
    cadre_user: object      # village cadre of comm_a, owner of tasks
    cadre: object
    other_cadre: object     # comm_b's secretary, no login
    outsider: object        # comm_b's community staff
    leader_cadre: object


@pytest.fixture
def site(district, make_user):
    from jiceng.accounts.models import Role
    from jiceng.cadre.roles import TOWNSHIP_LEADER, VILLAGE_CADRE
    from jiceng.people.models import Cadre

    leader = make_user(TOWNSHIP_LEADER, district.street, username="leader")
    leader2 = make_user(TOWNSHIP_LEADER, district.street, username="leader2")
    street_admin = make_user(Role.STREET_ADMIN, district.street, username="street")
    cadre_user = make_user(VILLAGE_CADRE, district.comm_a, username="cadre-a")
    outsider = make_user(Role.COMMUNITY_STAFF, district.comm_b, username="staff-b")

    def cadre(name, unit, user=None, post="党委书记"):
        return Cadre.objects.create(name=name, gender="M", post=post, org_unit=unit, org_path=unit.path, user=user)

    return Site(district=district, leader=leader, leader2=leader2, street_admin=street_admin, cadre_user=cadre_user,
                cadre=cadre("李村官", district.comm_a, cadre_user), other_cadre=cadre("王书记", district.comm_b),
                outsider=outsider, leader_cadre=cadre("赵领导", district.street, leader, post="党工委副书记"))


@pytest.fixture
def issued_task(site):
    """A task of an issued list, owned by the village cadre, due in three days."""
    from jiceng.cadre import services

    now = timezone.now()
    tl = services.task_list_create(actor=site.leader, org_unit=site.district.street, title="12月任务清单",
                                   month=timezone.localdate())
    task = services.task_add(actor=site.leader, task_list=tl, title="走访独居老人", org_unit=site.district.comm_a,
                             owner=site.cadre, due_at=now + dt.timedelta(days=3), evidence="text", weight=2)
    services.task_list_issue(actor=site.leader, task_list=tl)
    task.refresh_from_db()
    return task
