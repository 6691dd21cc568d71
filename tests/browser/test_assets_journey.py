"""A property-rights transaction in the browser: the keeper lists an idle building → bids (one below the reserve
refused) → the township awards it after the close → the contract is signed with its schedule and beneficiaries →
the first payment → the notice board shows the award and the village's income shows the rent."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jiceng.assets.models import IncomeRecord, Listing
from tests.assets.conftest import building, site  # noqa: F401 - the fixtures
from tests.browser.conftest import shot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, url, user):
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda u: "/login/" not in u)


def test_an_idle_building_is_let_from_listing_to_first_payment(live_server, desk_page, phone_page, site, building,  # noqa: F811
                                                               make_household):
    d = site.district
    home = make_household(d.grid_a1, head_name="李秀兰")
    page, url = desk_page, live_server.url
    _login(page, url, site.keeper)

    # 1. The idle building is flagged in the register; the keeper lists it for transaction.
    page.goto(f"{url}/assets/register/?flagged=1")
    expect(page.locator("table")).to_contain_text("原村小学校舍")
    page.click("a:has-text('原村小学校舍')")
    page.fill("#id_title", "原村小学校舍出租")
    page.fill("#id_reserve_price", "30000")
    page.fill("#id_term_years", "3")
    page.fill("#id_closes_at", (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"))
    page.click("button:has-text('挂牌')")
    expect(page.locator(".alert-success")).to_contain_text("已挂牌")
    expect(page.locator("h1")).to_contain_text("原村小学校舍出租")

    # 2. Bids: one below the reserve is refused next to the field, two are taken.
    page.fill("#id_bidder", "李志强")
    page.fill("#id_amount", "29999")
    page.click("form button:has-text('登记')")
    expect(page.locator("#id_amount-error")).to_contain_text("低于底价")
    for bidder, amount in (("李志强", "32000"), ("滇中研学教育中心", "41000")):
        page.fill("#id_bidder", bidder)
        page.fill("#id_phone", "13871051234")
        page.fill("#id_amount", amount)
        page.click("form button:has-text('登记')")
        expect(page.locator(".alert-success")).to_contain_text("报价已登记")
    expect(page.locator("table")).to_contain_text("138****1234")
    shot(page, "assets-listing-bids")

    # 3. The notice period ends; the township awards the highest valid bid.
    lst = Listing.objects.unscoped("test").get()
    Listing.objects.unscoped("test").filter(pk=lst.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    _login(page, url, site.leader)
    page.goto(f"{url}/assets/listings/{lst.pk}/")
    page.click("button:has-text('确定成交')")
    expect(page.locator(".alert-success")).to_contain_text("滇中研学教育中心")

    # 4. The keeper signs the contract: three yearly instalments, one beneficiary household.
    _login(page, url, site.keeper)
    page.goto(f"{url}/assets/listings/{lst.pk}/")
    page.fill("#id_number", "ZL-2026-001")
    today = timezone.localdate()
    page.fill("#id_schedule", "\n".join(f"{today.replace(year=today.year + i)} 41000" for i in range(3)))
    page.fill("#id_beneficiaries", f"{home.number} 100%")
    page.click("button:has-text('签订')")
    expect(page.locator(".alert-success")).to_contain_text("合同已签订")
    expect(page.locator("main")).to_contain_text("123,000.00")

    # 5. The first payment enters the village's income.
    page.fill("#id_amount", "41000")
    page.fill("#id_receipt_no", "SJ-0001")
    page.click("button:has-text('登记')")
    expect(page.locator(".alert-success")).to_contain_text("已计入村集体经营性收入")
    expect(page.locator("main")).to_contain_text("41,000.00")
    shot(page, "assets-contract-paid")
    assert IncomeRecord.objects.unscoped("test").get().amount == 41000

    page.goto(f"{url}/assets/income/")
    expect(page.locator("table")).to_contain_text("41,000.00")
    shot(page, "assets-income")

    # 6. The community's notice board, on a phone with no login: the award, never a phone number.
    phone_page.goto(f"{url}/public/economy/{d.comm_a.code}/")
    expect(phone_page.locator("main")).to_contain_text("已成交")
    expect(phone_page.locator("main")).to_contain_text("滇中研学教育中心")
    expect(phone_page.locator("main")).to_contain_text("41,000.00")
    expect(phone_page.locator("main")).not_to_contain_text("1234")
    shot(phone_page, "assets-public-economy-phone")
