"""/reports/new/: a grid worker's patrol finding needs no reporter, the desk's reporter field is marked required,
and the same text filed twice within minutes is questioned before a second copy is made."""
from __future__ import annotations

import pytest

from jiceng.accounts.models import Role
from jiceng.core.errors import JicengError
from jiceng.people.models import Resident
from jiceng.reports import services
from jiceng.reports.models import Channel, Report


def _form(report_site, unit, **extra):
    return {"category": report_site.fire.pk, "description": "3栋消防通道被电动车堵死", "org_unit": unit.pk,
            "address": "3栋门口", **extra}


def test_a_grid_workers_patrol_finding_is_filed_without_a_reporter(district, make_user, report_site, client):
    worker = make_user(Role.GRID_WORKER, district.grid_a1)
    client.force_login(worker)
    page = client.get("/reports/new/").content.decode()
    assert "巡查发现的问题不用填写" in page
    r = client.post("/reports/new/", _form(report_site, district.grid_a1))
    assert r.status_code == 302, r.content.decode()[:2000]
    report = Report.objects.get()
    assert (report.channel, report.reporter_name, report.recorded_by_id) == (Channel.GRID, "", worker.pk)


def test_the_desk_still_names_the_reporter_or_ticks_anonymous_and_the_field_is_marked(district, make_user,
                                                                                        report_site, client):
    desk = make_user(Role.COMMUNITY_STAFF, district.comm_a)
    with pytest.raises(JicengError) as err:
        services.report_submit(actor=desk, channel=Channel.DESK, category_id=report_site.fire.pk,
                               description="楼道堆物", org_unit=district.building_a1)
    assert err.value.field == "reporter_name"
    assert not Report.objects.exists()
    client.force_login(desk)
    page = client.get("/reports/new/").content.decode()
    label = page[page.index('for="id_reporter_name"'):]
    assert label.index('<span class="req">*</span>') < label.index("</label>")
    assert "匿名反映时可不填" in page


def test_the_same_text_twice_within_minutes_is_questioned_and_filed_only_when_confirmed(
        district, make_user, make_household, report_site, client):
    hh = make_household(district.building_a1)
    resident = make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh))
    client.force_login(resident)
    form = _form(report_site, district.building_a1)
    assert client.post("/reports/new/", form).status_code == 302
    first = Report.objects.get()

    again = client.post("/reports/new/", form)
    assert again.status_code == 200
    page = again.content.decode()
    assert 'id="same-text"' in page and f"#{first.pk}" in page
    assert Report.objects.count() == 1
    assert 'name="confirm_duplicate"' in page

    assert client.post("/reports/new/", {**form, "confirm_duplicate": "on"}).status_code == 302
    assert Report.objects.count() == 2
    other = client.post("/reports/new/", {**form, "description": "2栋路灯不亮"})
    assert other.status_code == 302 and Report.objects.count() == 3
