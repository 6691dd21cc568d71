"""A grid worker on a phone: logs in, sees only their grid, adds a resident with a wrong ID check
digit, sees the error in Chinese, corrects it, and finds the resident again by pinyin initials."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from jiceng.people.models import Resident
from tests.browser.conftest import shot
from tests.conftest import PASSWORD, bad_check_digit, make_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_journey(live_server, phone_page, district, make_user, make_household):
    make_household(district.building_a1, head_name="刘德明")
    make_household(district.grid_b1, head_name="赵外人")
    worker = make_user("grid_worker", district.grid_a1, username="wangge")
    page = phone_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", worker.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    shot(page, "grid-01-home")

    page.goto(f"{live_server.url}/people/residents/")
    body = page.inner_text("main")
    assert "刘德明" in body
    assert "赵外人" not in body  # another community's resident
    shot(page, "grid-02-residents")

    good = make_id(birth=dt.date(1988, 8, 8), gender="F", seq=77)
    page.goto(f"{live_server.url}/people/residents/new/")
    page.select_option("#id_org_unit", str(district.building_a1.pk))
    page.fill("#id_name", "钟晓燕")
    page.fill("#id_id_number", bad_check_digit(good))
    page.fill("#id_phone", "13987654321")
    page.click("button[type=submit]")
    error = page.locator(".invalid-feedback").first
    error.wait_for()
    assert "校验位不正确" in error.inner_text()
    assert Resident.objects.filter(name="钟晓燕").count() == 0
    shot(page, "grid-03-id-error")

    page.fill("#id_id_number", good)
    page.click("button[type=submit]")
    page.wait_for_url("**/people/residents/*/")
    assert "钟晓燕" in page.inner_text("h1")
    shot(page, "grid-04-created")

    page.goto(f"{live_server.url}/people/residents/")
    page.fill("input[name=q]", "zxy")
    expect(page.locator("#rows")).not_to_contain_text("刘德明")
    expect(page.locator("#rows a", has_text="钟晓燕")).to_be_visible()
    assert "q=zxy" in page.url  # the search is in the address bar, so it can be bookmarked
    rows = page.inner_text("#rows")
    assert "钟晓燕" in rows and "刘德明" not in rows
    shot(page, "grid-05-found-by-initials")
