"""Report pages: the buttons on a report's page go through its services and come back with a message."""
from __future__ import annotations

from jiceng.accounts.models import Role
from jiceng.people.models import Resident
from jiceng.reports import services
from jiceng.reports.models import Channel, ReportEvent, ReportStatus
from tests.conftest import PASSWORD


def post(client, url):
    """POST as the page's button does; (where it went, what the page then said)."""
    resp = client.post(url, follow=True)
    return resp.redirect_chain, [(m.level_tag, m.message) for m in resp.context["messages"]]


def test_report_actions_from_its_page(district, make_user, make_household, report_site, client):
    hh = make_household(district.building_a1)
    resident = make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh))
    desk = make_user(Role.COMMUNITY_STAFF, district.comm_a)
    r = services.report_submit(actor=resident, channel=Channel.RESIDENT, category_id=report_site.fire.pk,
                               description="3号楼消防通道被电动车堵塞", org_unit=district.building_a1)
    page = f"/reports/{r.pk}/"
    events = ReportEvent.objects.filter(report=r).count()

    assert client.login(username=resident.username, password=PASSWORD)
    went, said = post(client, f"/reports/{r.pk}/accept/")
    assert went == [(page, 302)] and [level for level, _m in said] == ["error"]
    r.refresh_from_db()
    assert r.status == ReportStatus.SUBMITTED and ReportEvent.objects.filter(report=r).count() == events

    assert client.login(username=desk.username, password=PASSWORD)
    assert post(client, f"/reports/{r.pk}/frobnicate/") == ([(page, 302)], [("error", "记录不存在或您无权访问")])
    assert client.get(f"/reports/{r.pk}/accept/").status_code == 405
    assert post(client, f"/reports/{r.pk}/accept/") == ([(page, 302)], [("success", "已办理")])
    r.refresh_from_db()
    assert r.status == ReportStatus.ASSIGNED and r.handler_unit_id == district.grid_a1.pk


def test_the_grid_worker_is_not_offered_the_dispute_desk_they_may_not_open(district, make_user, client):
    from jiceng.accounts.models import Role

    worker = make_user(Role.GRID_WORKER, district.grid_a1)
    client.force_login(worker)
    page = client.get("/reports/").content.decode()
    assert client.get("/reports/disputes/").status_code == 403
    assert "/reports/disputes/" not in page
    desk = make_user(Role.COMMUNITY_STAFF, district.comm_a)
    client.force_login(desk)
    assert "/reports/disputes/" in client.get("/reports/").content.decode()
