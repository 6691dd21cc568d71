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
