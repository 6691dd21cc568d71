"""Selections in the browser: the township nominates a branch → publicity on the notice board (an early award
refused) → award once the publicity has ended → the branch's page and the year's figures show it."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from jiceng.accounts.models import Role
from jiceng.leadership.models import Nomination, Selection
from tests.browser.conftest import shot
from tests.conftest import PASSWORD
from tests.leadership.conftest import site  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, url, user):
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login/" not in u)


def test_a_branch_is_nominated_publicised_and_awarded(live_server, desk_page, site, make_user):  # noqa: F811
    d = site.district
    page, url = desk_page, live_server.url
    _login(page, url, site.leader)

    # 1. The township starts a selection of red-flag branches and nominates 甲一网格's branch.
    page.goto(f"{url}/leadership/selections/")
    page.fill("#id_title", "红旗党支部")
    page.select_option("#id_kind", "branch")
    page.fill("#id_publicity_days", "3")
    page.click("button:has-text('发起')")
    expect(page.locator("h1")).to_contain_text("红旗党支部")
    page.select_option("#id_nominee", str(d.grid_a1.pk))
    page.fill("#id_deeds", "“三会一课”规范，党员联系户全覆盖")
    page.click("form button:has-text('推荐')")
    expect(page.locator(".alert-success")).to_contain_text("已推荐")
    page.click("button:has-text('审核通过')")
    expect(page.locator(".badge").filter(has_text="审核通过")).to_be_visible()
    page.click("button:has-text('审核完毕，公示')")
    expect(page.locator(".alert-success")).to_contain_text("已在公开栏公示")

    # 2. An award inside the publicity is refused with the day it ends.
    page.click("button:has-text('公示期满，表彰')")
    expect(page.locator(".alert-danger")).to_contain_text("期满后才能表彰")
    shot(page, "leadership-selection-publicity")

    # 3. The community's notice board shows the nominee, with no login.
    page.context.clear_cookies()
    page.goto(f"{url}/public/honours/{d.comm_a.code}/")
    expect(page.locator("body")).to_contain_text("甲一网格")
    expect(page.locator("body")).to_contain_text("公示中")
    shot(page, "leadership-public-honours")

    # 4. The publicity ends (three days pass), and the township awards.
    sel = Selection.objects.unscoped("test").get()
    Selection.objects.unscoped("test").filter(pk=sel.pk).update(
        publicity_starts_at=sel.publicity_starts_at - dt.timedelta(days=4),
        publicity_ends_at=sel.publicity_ends_at - dt.timedelta(days=4))
    _login(page, url, site.leader)
    page.goto(f"{url}/leadership/selections/{sel.pk}/")
    page.click("button:has-text('公示期满，表彰')")
    expect(page.locator(".alert-success")).to_contain_text("已表彰")
    assert Nomination.objects.unscoped("test").get().status == "awarded"

    # 5. The year's figures count it, and the branch's own page shows it to its secretary.
    page.goto(f"{url}/leadership/")
    card = page.locator(".card-stat").filter(has_text="评选表彰")
    expect(card.locator(".num")).to_contain_text("1")
    shot(page, "leadership-home")
    _login(page, url, make_user(Role.BRANCH_SECRETARY, d.grid_a1, username="branch-a1"))
    page.goto(f"{url}/orgs/{d.grid_a1.pk}/")
    expect(page.locator("body")).to_contain_text("获得表彰")
    expect(page.locator("body")).to_contain_text("红旗党支部")
    shot(page, "leadership-branch-page")
