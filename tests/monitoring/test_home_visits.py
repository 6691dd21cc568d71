"""Visit reminders belong on the worker's to-do list (home), named by head and address, not on the reports page."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.monitoring.models import ScheduledVisit
from jiceng.monitoring.services import responsible_assign, visits_check

from .test_cases import enrol


def test_an_overdue_visit_is_on_the_workers_home_to_do_list_by_name_and_not_on_the_reports_page(mon, client):
    case = enrol(mon)
    responsible_assign(actor=mon.community, case=case, user=mon.grid_worker)
    sv = ScheduledVisit.objects.get(case=case, visit__isnull=True)
    late_days = 5
    ScheduledVisit.objects.filter(pk=sv.pk).update(due_on=timezone.localdate() - dt.timedelta(days=late_days))
    assert visits_check()["overdue"] == 1
    h = mon.household
    client.force_login(mon.grid_worker)

    home = client.get("/").content.decode()
    assert "我的走访待办" in home
    assert f"{mon.head.name} · {h.address}" in home and f"逾期 {late_days} 天" in home
    assert f'/monitoring/households/{h.pk}/visit/' in home

    reports = client.get("/reports/").content.decode()
    assert "走访逾期" not in reports and "走访提醒" not in reports and h.number not in reports


def test_the_overdue_notice_names_the_household_by_head_and_address(mon):
    from jiceng.notices.models import Notification

    case = enrol(mon)
    responsible_assign(actor=mon.community, case=case, user=mon.grid_worker)
    ScheduledVisit.objects.filter(case=case, visit__isnull=True).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    visits_check()
    message = Notification.objects.filter(user=mon.grid_worker).latest("id").message
    assert message.startswith(f"走访逾期：{mon.head.name} · {mon.household.address}")
    assert mon.household.number not in message


def test_a_city_flat_gets_a_neutral_title_and_a_village_household_the_rural_one(mon, client, make_household):
    from jiceng.orgs.models import OrgUnit, OrgUnitKind

    street = mon.district.street
    n = street.next_child
    OrgUnit.objects.filter(pk=street.pk).update(next_child=n + 1)
    village = OrgUnit.objects.create(parent=street, path=f"{street.path}{n:05d}.", depth=street.depth + 1,
                                     kind=OrgUnitKind.VILLAGE, name="小河村", code="530124001203")
    farm = make_household(village, head_name="赵有田", address="小河村3组18号")
    client.force_login(mon.street)
    flat = client.get(f"/monitoring/households/{mon.household.pk}/").content.decode()
    assert "家庭经济档案 · 李富贵" in flat and "农户经济档案" not in flat
    rural = client.get(f"/monitoring/households/{farm.pk}/").content.decode()
    assert "农户经济档案 · 赵有田 · 小河村3组18号" in rural
