"""Duty desks on the phone: the village cadre opens the desk's QR link, the page asks for the location, and a big
button checks in; the leader's desk page and QR code, and the public roster, render without errors."""
from __future__ import annotations

import pytest
from django.utils import timezone

from jiceng.core.demo import demo_build
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "jiceng-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_the_cadre_checks_in_on_the_phone_and_the_leader_prints_the_code(live_server, browser):
    from jiceng.duty import services
    from jiceng.duty.models import DutyShift, ShiftStatus

    demo_build(households=60, seed=7)
    shift = (DutyShift.objects.unscoped("t").filter(cadre__user__username="demo-cadre", status=ShiftStatus.SCHEDULED,
                                                    starts_at__lte=timezone.now()).select_related("desk").get())
    code = services.day_code(shift.desk, timezone.localdate())
    errors = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, geolocation={"latitude": 24.88, "longitude": 102.83},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    _login(page, live_server.url, "demo-cadre")
    page.goto(f"{live_server.url}/duty/checkin/?desk={shift.desk_id}&code={code}")
    page.wait_for_function("document.getElementById('id_lat').value !== ''")
    shot(page, "duty-checkin-phone")
    page.click("button[value=in]")
    page.wait_for_url(lambda url: "/duty/mine/" in url)
    assert "签到成功" in page.content()
    shift.refresh_from_db()
    assert shift.status == ShiftStatus.ON_DUTY
    for url in ("/duty/", "/duty/shifts/", "/duty/visitors/", "/duty/attendance/", f"/duty/desks/{shift.desk_id}/",
                f"/duty/desks/{shift.desk_id}/visitors/new/"):
        page.goto(f"{live_server.url}{url}")
    context.close()
    assert not errors, errors

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server.url}/public/duty/{shift.desk.org_unit.code}/")
    assert "值班电话" in page.content()
    _login(page, live_server.url, "demo-leader")
    page.goto(f"{live_server.url}/duty/desks/{shift.desk_id}/qr/")
    assert page.locator("svg.segno").count() == 1
    shot(page, "duty-qr-desk")
    context.close()
    assert not errors, errors
