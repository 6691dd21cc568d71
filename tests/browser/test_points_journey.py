"""The points journey in Chromium: a resident declares with a photo on their phone → a reviewer
approves → the item shows on the public notice → time passes (the scheduler's job runs at a later
clock) → points appear → the shop clerk scans the card and redeems → the resident sees the new balance."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.people.models import Resident
from jiceng.points import services
from jiceng.points.models import DeclarationStatus, PointsDeclaration
from jiceng.points.roles import SHOP_CLERK
from tests.browser.conftest import shot
from tests.conftest import PASSWORD
from tests.points.conftest import photo_bytes, points_site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_points_journey(live_server, browser, phone_page, desk_page, points_site, photo_bytes, district,  # noqa: F811
                        make_household, make_user, tmp_path):
    base = live_server.url
    hh = make_household(district.grid_a1, head_name="张晓明")
    resident = make_user(Role.RESIDENT, district.grid_a1, resident=Resident.objects.get(household=hh),
                         username="jumin")
    reviewer = make_user(Role.COMMUNITY_STAFF, district.comm_a, username="shequ")
    clerk = make_user(SHOP_CLERK, district.comm_a, username="dianyuan")
    card = services.card_issue(actor=make_user(Role.GRID_WORKER, district.grid_a1), household=hh)
    photo = tmp_path / "clean-up.jpg"
    photo.write_bytes(photo_bytes)

    # 1. The resident declares on their phone, with a photo.
    page = phone_page
    login(page, base, resident.username)
    page.click("text=申报积分")
    page.wait_for_url("**/points/me/declare/")
    page.select_option("#id_item", str(points_site.clean.pk))
    page.fill("#id_occurred_on", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.fill("#id_description", "周六和邻居一起清理了楼道杂物")
    page.set_input_files("#id_photo", str(photo))
    shot(page, "points-01-declare")
    page.click("button[type=submit]")
    page.wait_for_url("**/points/me/")
    assert "待审核" in page.inner_text("main")
    decl = PointsDeclaration.objects.get(household=hh)
    assert decl.photo
    shot(page, "points-02-submitted")

    # 2. The community reviewer approves it at the desk.
    desk = desk_page
    login(desk, base, reviewer.username)
    desk.goto(f"{base}/points/review/")
    desk.click(f"a[href='/points/declarations/{decl.pk}/']")
    desk.wait_for_url(f"**/points/declarations/{decl.pk}/")
    assert desk.locator("img[alt='佐证照片']").count() == 1
    desk.check("input[name=decision][value=approve]")
    shot(desk, "points-03-review")
    desk.click("text=提交审核")
    desk.wait_for_url("**/points/review/")
    decl.refresh_from_db()
    assert decl.status == DeclarationStatus.PUBLICISING

    # 3. It shows on the public notice, name masked, no login needed.
    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    public.goto(f"{base}/public/points/{district.comm_a.code}/")
    text = public.inner_text("main")
    assert "张*明家" in text and "参加环境整治" in text and "张晓明" not in text
    shot(public, "points-04-public-notice")
    public.context.close()

    # 4. Time passes: the scheduler's job runs after the publicity period.
    assert services.publicity_post_due(now=timezone.now() + dt.timedelta(days=7, minutes=1)) == 1
    page.goto(f"{base}/points/me/")
    assert page.inner_text("[data-testid=my-balance]").strip() == "5"

    # 5. The clerk scans the card (a USB scanner types into the focused field and presses Enter).
    desk.context.clear_cookies()
    login(desk, base, clerk.username)
    desk.goto(f"{base}/points/shops/{points_site.shop.pk}/counter/")
    assert desk.evaluate("document.activeElement.id") == "card"
    desk.keyboard.type(card.number)
    desk.keyboard.press("Enter")
    desk.wait_for_url("**counter/?card=*")
    assert desk.inner_text("[data-testid=counter-balance]").strip() == "5"
    desk.fill(f"input[name=qty_{points_site.soap.pk}]", "1")
    shot(desk, "points-05-counter")
    desk.click("text=确认兑换")
    desk.wait_for_url("**/receipts/*/")
    assert desk.inner_text("[data-testid=before]").strip() == "5"
    assert desk.inner_text("[data-testid=after]").strip() == "3"
    shot(desk, "points-06-receipt")

    # 6. The resident sees the new balance and the redemption in the history.
    page.goto(f"{base}/points/me/")
    assert page.inner_text("[data-testid=my-balance]").strip() == "3"
    assert "兑换" in page.inner_text("main")
    shot(page, "points-07-balance")
    assert services.points_verify().ok
