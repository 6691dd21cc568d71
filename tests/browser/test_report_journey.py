"""The report journey in Chromium: a resident reports a blocked fire lane with a photo → the desk
accepts the suggested category → it routes to the grid worker → the worker resolves it with an
after photo → the resident rates it satisfied → their household's points rise by the configured
amount → the public board shows it closed."""
from __future__ import annotations

import pytest

from jiceng.accounts.models import Role
from jiceng.people.models import Resident
from jiceng.points.models import PointsAccount
from jiceng.points.services import programme_create
from jiceng.reports.models import Report, ReportStatus
from tests.browser.conftest import shot
from tests.conftest import PASSWORD
from tests.points.conftest import photo_bytes  # noqa: F401 (fixture)
from tests.reports.conftest import report_site  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_report_journey(live_server, phone_page, desk_page, report_site, photo_bytes, district, admin,  # noqa: F811
                        make_household, make_user, tmp_path):
    base = live_server.url
    programme_create(actor=admin, org_unit=district.street, name="积分制")
    hh = make_household(district.building_a1, head_name="周小红", head_gender="F")
    resident = make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh), username="xiaohong")
    desk = make_user(Role.COMMUNITY_STAFF, district.comm_a, username="chuangkou")
    worker = make_user(Role.GRID_WORKER, district.grid_a1, username="wanggeyuan")
    before_photo, after_photo = tmp_path / "lane.jpg", tmp_path / "cleared.jpg"
    before_photo.write_bytes(photo_bytes)
    after_photo.write_bytes(photo_bytes)

    page = phone_page
    login(page, base, resident.username)
    page.click("text=随手拍 · 反映问题")
    page.wait_for_url("**/reports/new/")
    page.select_option("#id_category", str(report_site.litter.pk))   # the resident picks a wrong category
    page.fill("#id_description", "3号楼消防通道被电动车和杂物堵塞，消防车进不来")
    page.select_option("#id_org_unit", str(district.building_a1.pk))
    page.set_input_files("#id_photos", str(before_photo))
    shot(page, "report-01-new")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.rstrip("/").split("/")[-1].isdigit())
    report = Report.objects.get()
    assert report.suggested_category_id == report_site.fire.pk and report.photos.count() == 1

    desk_p = desk_page
    login(desk_p, base, desk.username)
    desk_p.goto(f"{base}/reports/{report.pk}/")
    assert "系统建议类别" in desk_p.inner_text("main") and "消防通道堵塞" in desk_p.inner_text("main")
    assert desk_p.input_value("#id_category") == str(report_site.fire.pk)     # the suggestion is preselected
    shot(desk_p, "report-02-accept")
    desk_p.click("text=受理并派单")
    desk_p.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == ReportStatus.ASSIGNED and report.handler_unit_id == district.grid_a1.pk
    assert report.category_id == report_site.fire.pk

    login(desk_p, base, worker.username)
    desk_p.goto(f"{base}/reports/")
    desk_p.click(f"a[href='/reports/{report.pk}/'] >> nth=0")
    desk_p.fill("#result", "已联系车主移走电动车，清理杂物，通道畅通")
    desk_p.set_input_files("#after", str(after_photo))
    desk_p.click("button:has-text('办结')")
    desk_p.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED and report.photos.filter(stage="after").count() == 1
    shot(desk_p, "report-03-resolved")

    page.goto(f"{base}/reports/{report.pk}/")
    page.click("button[value=satisfied]")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.rating == "satisfied"
    assert PointsAccount.objects.get(household=hh).balance == 10
    page.goto(f"{base}/points/me/")
    assert page.inner_text("[data-testid=my-balance]").strip() == "10"
    shot(page, "report-04-points")

    public = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    public.goto(f"{base}/public/reports/{district.comm_a.code}/")
    text = public.inner_text("main")
    assert "消防通道堵塞" in text and "已关闭" in text and "通道畅通" in text and "周小红" not in text
    shot(public, "report-05-public-board")
    public.context.close()
