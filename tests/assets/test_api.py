"""The collective-economy API: money as text both ways, refusals naming the field, scoped like the pages."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.assets.models import Asset, FundEntry


def test_an_asset_round_trips_with_amounts_as_text(site, api_login):
    c = api_login(site.keeper)
    r = c.post("/api/assets/register", {
        "org_unit_id": site.district.comm_a.pk, "code": "FW-02", "name": "原村小学校舍", "category": "asset",
        "kind": "building", "original_value": "360000", "current_value": "280000.5", "status": "idle"},
        content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["current_value"], body["original_value"], body["yearly_output"]) == ("280000.50", "360000.00", "0.00")
    listed = c.get("/api/assets/register?flagged=true").json()
    assert [a["code"] for a in listed["items"]] == ["FW-02"]


def test_money_with_three_decimals_is_refused_naming_the_field(site, api_login):
    r = api_login(site.keeper).post("/api/assets/register", {
        "org_unit_id": site.district.comm_a.pk, "code": "X", "name": "x", "category": "asset", "kind": "building",
        "original_value": "1.005", "current_value": "abc"}, content_type="application/json")
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"original_value", "current_value"}
    assert not Asset.objects.unscoped("test").exists()


def test_another_communitys_asset_is_not_found(site, api_login, building):
    assert api_login(site.keeper_b).get(f"/api/assets/register/{building.pk}").status_code == 404


def test_a_transaction_through_the_api(site, api_login, building, make_household):
    keeper, leader = api_login(site.keeper), api_login(site.leader)
    closes = timezone.now() + dt.timedelta(seconds=2)
    r = keeper.post("/api/assets/listings", {"asset_id": building.pk, "title": "校舍出租", "reserve_price": "30000",
                                              "term_years": 2, "notice_starts_on": timezone.localdate().isoformat(),
                                              "closes_at": closes.isoformat()}, content_type="application/json")
    assert r.status_code == 200, r.content
    lid = r.json()["id"]
    r = keeper.post(f"/api/assets/listings/{lid}/bids", {"bidder": "甲", "amount": "29999"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "below_reserve"
    assert keeper.post(f"/api/assets/listings/{lid}/bids", {"bidder": "乙", "amount": "41000"},
                       content_type="application/json").status_code == 200
    from jiceng.assets.models import Listing

    Listing.objects.unscoped("test").filter(pk=lid).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    r = leader.post(f"/api/assets/listings/{lid}/award", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "awarded"
    h = make_household(site.district.grid_a1)
    start = timezone.localdate()
    r = keeper.post(f"/api/assets/listings/{lid}/contract", {
        "number": "ZL-1", "signed_on": start.isoformat(), "starts_on": start.isoformat(),
        "schedule": [{"due_on": start.isoformat(), "amount": "82000"}],
        "beneficiaries": [{"household_id": h.pk, "share": "100"}]}, content_type="application/json")
    assert r.status_code == 200, r.content
    contract = r.json()
    assert (contract["total"], contract["paid"], contract["households"]) == ("82000.00", "0.00", 1)
    r = keeper.post(f"/api/assets/contracts/{contract['id']}/payments",
                    {"amount": "82000.01", "received_on": start.isoformat(), "receipt_no": "1"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "amount"


def test_fund_spending_needs_an_idempotency_key_and_a_replay_spends_once(site, api_login):
    from jiceng.assets import services

    f = services.fund_open(actor=site.leader, org_unit=site.district.comm_a, kind="service", year=2026)
    services.fund_receive(actor=site.leader, fund=f, amount="100", purpose="拨付", idempotency_key="in")
    c = api_login(site.keeper)
    body = {"amount": "30", "purpose": "物资", "receipt_no": "FP1"}
    assert c.post(f"/api/assets/funds/{f.pk}/spendings", body, content_type="application/json").status_code == 400
    for _ in range(2):
        r = c.post(f"/api/assets/funds/{f.pk}/spendings", body, content_type="application/json",
                   HTTP_IDEMPOTENCY_KEY="k-1")
        assert r.status_code == 200 and r.json()["balance_after"] == "70.00"
    assert FundEntry.objects.unscoped("test").count() == 2
    assert c.get("/api/assets/funds").json()["items"][0]["balance"] == "70.00"
