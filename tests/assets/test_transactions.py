"""Property-rights transactions: notice, bids, award, contract, payments into the village's income, alerts."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.assets import services
from jiceng.assets.models import (
    Asset, Beneficiary, Bid, Contract, ContractPayment, IncomeRecord, Listing, PaymentDue,
)
from jiceng.core.errors import JicengError
from jiceng.notices.models import Notification

TODAY = dt.date(2026, 5, 10)


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def listing(site, building):
    return services.listing_create(actor=site.keeper, asset=building, title="校舍出租", reserve_price="30000",
                                   term_years=3, notice_starts_on=TODAY, closes_at=_at(TODAY + dt.timedelta(days=20), 17))


@pytest.fixture
def households(site, make_household):
    return [make_household(site.district.grid_a1) for _ in range(3)]


def test_listing_puts_the_asset_under_transaction(site, listing, building):
    assert Asset.objects.get(pk=building.pk).status == "under_transaction"
    with pytest.raises(JicengError) as e:
        services.listing_create(actor=site.keeper, asset=Asset.objects.get(pk=building.pk), title="再挂一次",
                                reserve_price="1", term_years=1, notice_starts_on=TODAY, closes_at=_at(TODAY))
    assert e.value.field == "asset"


def test_a_bid_below_the_reserve_or_after_the_close_is_refused_and_nothing_is_written(site, listing):
    with pytest.raises(JicengError) as e:
        services.bid_record(actor=site.keeper, listing=listing, bidder="甲", amount="29999.99", at=_at(TODAY + dt.timedelta(days=1)))
    assert e.value.code == "below_reserve" and "29999.99" in e.value.message
    with pytest.raises(JicengError) as e:
        services.bid_record(actor=site.keeper, listing=listing, bidder="乙", amount="40000",
                            at=_at(TODAY + dt.timedelta(days=20), 17) + dt.timedelta(minutes=1))
    assert e.value.code == "closed"
    with pytest.raises(JicengError) as e:
        services.bid_record(actor=site.keeper, listing=listing, bidder="丙", amount="40000.001", at=_at(TODAY))
    assert e.value.field == "amount"
    assert Bid.objects.count() == 0


def test_no_award_before_the_close_then_the_highest_valid_bid_wins(site, listing):
    for who, amount, day in (("甲", "36000", 2), ("乙", "41000", 5), ("丙", "41000", 6), ("丁", "45000", 7)):
        services.bid_record(actor=site.keeper, listing=listing, bidder=who, amount=amount,
                            at=_at(TODAY + dt.timedelta(days=day)))
    services.bid_invalidate(actor=site.leader, bid=Bid.objects.get(bidder="丁"), reason="未交保证金")
    with pytest.raises(JicengError) as e:
        services.listing_award(actor=site.leader, listing=listing, now=_at(TODAY + dt.timedelta(days=19)))
    assert e.value.code == "not_closed"
    lst = services.listing_award(actor=site.leader, listing=listing, now=_at(TODAY + dt.timedelta(days=21)))
    assert lst.status == "awarded" and lst.awarded_bid.bidder == "乙"   # 41000, the earlier of the two


def test_an_award_off_the_highest_bid_needs_its_recorded_basis(site, listing):
    services.bid_record(actor=site.keeper, listing=listing, bidder="甲", amount="36000", at=_at(TODAY))
    services.bid_record(actor=site.keeper, listing=listing, bidder="乙", amount="41000", at=_at(TODAY))
    low = Bid.objects.get(bidder="甲")
    later = _at(TODAY + dt.timedelta(days=21))
    with pytest.raises(JicengError) as e:
        services.listing_award(actor=site.leader, listing=listing, bid=low, now=later)
    assert e.value.field == "basis"
    lst = services.listing_award(actor=site.leader, listing=listing, bid=low, basis="村民代表会议决议（2026-06-01）", now=later)
    assert lst.awarded_bid == low and "决议" in lst.award_basis


def test_no_valid_bid_fails_the_listing_and_the_asset_is_idle_again(site, listing, building):
    lst = services.listing_award(actor=site.leader, listing=listing, now=_at(TODAY + dt.timedelta(days=21)))
    assert lst.status == "failed" and Asset.objects.get(pk=building.pk).status == "idle"


@pytest.fixture
def awarded(site, listing):
    services.bid_record(actor=site.keeper, listing=listing, bidder="滇中研学教育中心", amount="41000", at=_at(TODAY))
    return services.listing_award(actor=site.leader, listing=listing, now=_at(TODAY + dt.timedelta(days=21)))


def _sign(site, awarded, households, *, schedule=None, shares=("40", "30", "30")):
    start = TODAY + dt.timedelta(days=25)
    return services.contract_sign(
        actor=site.keeper, listing=awarded, number="ZL-001", signed_on=start, starts_on=start,
        schedule=schedule or [(start, "41000"), (start.replace(year=2027), "41000"), (start.replace(year=2028), "41000")],
        beneficiaries=list(zip(households, shares)))


def test_shares_that_do_not_sum_to_100_and_a_schedule_off_the_total_are_refused(site, awarded, households):
    with pytest.raises(JicengError) as e:
        _sign(site, awarded, households, shares=("40", "30", "29.99"))
    assert "99.99" in e.value.errors["beneficiaries"][0]
    with pytest.raises(JicengError) as e:
        _sign(site, awarded, households, schedule=[(TODAY, "41000"), (TODAY, "41000")])
    assert "82000.00" in e.value.message and "123000.00" in e.value.message
    assert Contract.objects.count() == 0 and Beneficiary.objects.count() == 0 and PaymentDue.objects.count() == 0


def test_a_contract_leases_the_asset_and_payments_enter_the_villages_income(site, awarded, households, building):
    c = _sign(site, awarded, households)
    assert (c.total, c.yearly_rent, c.ends_on) == (Decimal("123000.00"), Decimal("41000.00"), dt.date(2029, 6, 3))
    assert Asset.objects.get(pk=building.pk).status == "leased"
    assert Listing.objects.get(pk=awarded.pk).status == "contracted"
    pay = services.payment_record(actor=site.keeper, contract=c, amount="41000", received_on=dt.date(2026, 6, 4),
                                  receipt_no="SJ-1")
    income = IncomeRecord.objects.get(source_type="assets.payment", source_id=str(pay.pk))
    assert (income.kind, income.amount, income.year, income.org_path) == (
        "operating", Decimal("41000.00"), 2026, site.district.comm_a.path)


def test_a_payment_beyond_the_contract_is_refused_and_nothing_is_written(site, awarded, households):
    c = _sign(site, awarded, households)
    services.payment_record(actor=site.keeper, contract=c, amount="100000", received_on=TODAY, receipt_no="SJ-1")
    with pytest.raises(JicengError) as e:
        services.payment_record(actor=site.keeper, contract=c, amount="23000.01", received_on=TODAY, receipt_no="SJ-2")
    assert e.value.code == "beyond_contract" and "23000.00" in e.value.message
    assert ContractPayment.objects.count() == 1 and IncomeRecord.objects.count() == 1


def test_expiry_and_overdue_alerts_are_sent_once(site, awarded, households):
    c = _sign(site, awarded, households)
    first_due = c.schedule.order_by("due_on").first().due_on
    sent = services.contract_alerts_send(today=first_due + dt.timedelta(days=1))
    assert sent == {"expiring": 0, "overdue": 1}
    assert services.contract_alerts_send(today=first_due + dt.timedelta(days=2)) == {"expiring": 0, "overdue": 0}
    near_end = c.ends_on - dt.timedelta(days=30)
    services.payment_record(actor=site.keeper, contract=c, amount="123000", received_on=first_due, receipt_no="SJ-9")
    assert services.contract_alerts_send(today=near_end) == {"expiring": 1, "overdue": 0}
    notes = Notification.objects.filter(subject="assets.contract", subject_id=c.pk)
    assert notes.filter(user=site.keeper).count() == 2
    assert any("到期" in n.message for n in notes)
