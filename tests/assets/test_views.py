"""The collective-economy pages as their users meet them: every page opens, forms refuse bad money next to the
field and write nothing, the chain's buttons follow the roles, and the public page shows no bidder's phone."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jiceng.assets import services
from jiceng.assets.models import Asset, ConfirmationProject, FundEntry
from tests.conftest import PASSWORD


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


PAGES = ["", "register/", "register/?flagged=1", "confirmations/", "listings/", "enterprises/", "projects/", "income/",
         "funds/", "figures/income/", "figures/assets/"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_for_the_township_and_the_keeper(site, building, page):
    for user in (site.leader, site.keeper):
        r = _client(user).get(f"/assets/{page}")
        assert r.status_code == 200, (user, page)
        assert "集体经济" in r.content.decode()


def test_a_grid_worker_is_refused_at_the_door(site, make_user, api_login):
    from jiceng.accounts.models import Role

    grid = make_user(Role.GRID_WORKER, site.district.grid_a1)
    assert _client(grid).get("/assets/").status_code == 403
    assert api_login(grid).get("/api/assets/register").status_code == 403


def test_an_asset_form_with_bad_money_shows_each_error_and_writes_nothing(site):
    r = _client(site.keeper).post("/assets/register/", {
        "org_unit": site.district.comm_a.pk, "code": "FW-9", "name": "仓库", "category": "asset", "kind": "building",
        "original_value": "三十万", "current_value": "12.345", "status": "in_use"})
    page = r.content.decode()
    assert r.status_code == 200
    assert "“三十万”不是金额" in page and "最多保留两位小数" in page
    assert not Asset.objects.unscoped("test").exists()


def test_the_chain_is_taken_from_the_project_page_by_each_level(site, building):
    p = services.confirmation_create(actor=site.keeper, org_unit=site.district.comm_a, title="校舍确权", value="1")
    url = f"/assets/confirmations/{p.pk}/"
    assert "提交申报" in _client(site.keeper).get(url).content.decode()
    assert "提交申报" not in _client(site.leader).get(url).content.decode()
    r = _client(site.keeper).post(url + "step/", {"decision": "submit"}, follow=True)
    assert "已申报" in r.content.decode()
    r = _client(site.leader).post(url + "step/", {"decision": "return"}, follow=True)
    assert "退回须写明原因" in r.content.decode()
    _client(site.leader).post(url + "step/", {"decision": "pass", "comment": "同意"})
    r = _client(site.leader).post(url + "step/", {"decision": "pass"}, follow=True)
    assert "区级审批" in r.content.decode()    # the leader is not the district's approver
    _client(site.approver).post(url + "step/", {"decision": "pass"})
    assert ConfirmationProject.objects.unscoped("test").get().status == "approved"


def test_the_notice_board_shows_the_listing_and_the_award_but_no_phone(site, building):
    now = timezone.now()
    lst = services.listing_create(actor=site.keeper, asset=building, title="校舍出租", reserve_price="30000", term_years=5,
                                  notice_starts_on=timezone.localdate(), closes_at=now + dt.timedelta(days=5))
    services.bid_record(actor=site.keeper, listing=lst, bidder="滇中研学教育中心", amount="41000", phone="13871051234")
    page = Client().get(f"/public/economy/{site.district.comm_a.code}/").content.decode()
    assert "校舍出租" in page and "公告中" in page and "30,000.00" in page
    assert "13871051234" not in page and "滇中研学" not in page
    staff_page = _client(site.keeper).get(f"/assets/listings/{lst.pk}/").content.decode()
    assert "13871051234" not in staff_page and "138****1234" in staff_page


def test_spending_beyond_the_balance_from_the_page_says_so_and_posts_nothing(site):
    f = services.fund_open(actor=site.leader, org_unit=site.district.comm_a, kind="service", year=2026)
    services.fund_receive(actor=site.leader, fund=f, amount="100", purpose="拨付", idempotency_key="in")
    r = _client(site.keeper).post(f"/assets/funds/{f.pk}/", {"form": "spend", "amount": "100.01", "purpose": "物资",
                                                              "receipt_no": "FP1", "token": "t1"})
    assert "经费余额 100.00 元，不足支出 100.01 元" in r.content.decode()
    assert FundEntry.objects.unscoped("test").count() == 1


def test_exports_are_scoped_keep_amounts_to_the_fen_and_are_audited(site, building):
    import io

    from openpyxl import load_workbook

    from jiceng.audit.models import AuditEntry

    services.asset_create(actor=site.keeper_b, org_unit=site.district.comm_b, code="B-1", name="乙社区仓库",
                          category="asset", kind="building", original_value="1", current_value="1")
    for what in ("register", "confirmations", "listings", "projects", "income", "funds"):
        assert _client(site.leader).get(f"/assets/export/{what}.xlsx").status_code == 200, what
    r = _client(site.keeper).get("/assets/export/register.xlsx")
    body = b"".join(r.streaming_content) if r.streaming else r.content
    rows = list(load_workbook(io.BytesIO(body)).active.values)
    assert rows[0][0] == "村（社区）" and len(rows) == 2
    assert rows[1][2] == "原村小学校舍" and rows[1][9] == "280000.50"
    assert AuditEntry.objects.filter(action="assets.exported").count() == 7
    assert _client(site.keeper).get("/assets/export/nothing.xlsx").status_code == 404
