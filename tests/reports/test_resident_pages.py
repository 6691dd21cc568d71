"""A resident's reports page puts the new-report button and their reports first, messages after and folded;
the public board shows the problem (personal details masked), "今天" for today, and its figures."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.reports import services
from jiceng.reports.models import Report
from tests.conftest import PASSWORD

from .test_lifecycle import actors, submit  # noqa: F401  (the fixture is used by name)


def test_my_reports_lists_the_new_button_and_my_reports_before_folded_messages(actors, report_site, district, client):
    r = submit(actors, report_site, district, description="小区路灯坏了三盏，晚上很黑")
    services.report_accept(actor=actors["desk"], report=r)
    from jiceng.notices.services import notification_send

    for n in range(18):
        notification_send(users=[actors["resident"]], message=f"您反映的问题有新进展 {n}")
    client.login(username=actors["resident"].username, password=PASSWORD)
    page = client.get("/reports/mine/").content.decode()
    button, mine, messages = (page.index('data-testid="new-report"'), page.index('data-testid="my-reports"'),
                              page.index('data-testid="my-messages"'))
    assert button < mine < messages
    assert "小区路灯坏了三盏" in page[mine:messages]
    assert page[:messages].rstrip().endswith("<details class=\"card mb-3\"")  # folded until opened


def test_public_board_shows_the_problem_masked_today_and_the_figures(actors, report_site, district, client):
    r = submit(actors, report_site, district, description="3号楼消防通道被电动车堵塞，联系人：王建国 13912345678")
    r = services.report_accept(actor=actors["desk"], report=r)
    services.report_resolve(actor=actors["worker"], report=r, result="已通知车主移走电动车")
    old = submit(actors, report_site, district, description="垃圾桶满了没人清")
    services.report_accept(actor=actors["desk"], report=old)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    body = client.get(f"/public/reports/{district.comm_a.code}/").content.decode()
    assert "3号楼消防通道被电动车堵塞" in body and "垃圾桶满了没人清" in body
    assert "13912345678" not in body and "王建国" not in body
    assert "今天" in body and "0 天前" not in body and "3 天前" in body
    summary = body[body.index('data-testid="board-summary"'):]
    figures = [int(x) for x in __import__("re").findall(r'fs-2 fw-bold[^"]*">(\d+)<', summary)[:3]]
    assert figures == [2, 1, 1]
