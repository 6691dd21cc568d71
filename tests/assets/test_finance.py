"""Funded projects and reimbursement, collective income against the thresholds, community funds on the ledger."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jiceng.assets import selectors, services
from jiceng.assets.models import CommunityFund, FundEntry, FundedProject, Reimbursement
from jiceng.core import ledger
from jiceng.core.errors import JicengError
from jiceng.core.ledger import posting
from tests.conftest import in_threads


def test_reimbursement_never_passes_the_allocation_and_the_rate_is_reimbursed_over_allocated(site):
    p = services.project_create(actor=site.leader, org_unit=site.district.comm_a, name="高标准农田", source="linkage",
                                year=2025, allocated="2100000")
    services.reimbursement_record(actor=site.keeper, project=p, amount="1200000", on=dt.date(2025, 5, 1), voucher="1")
    services.reimbursement_record(actor=site.keeper, project=p, amount="775890", on=dt.date(2025, 9, 1), voucher="2")
    with pytest.raises(JicengError) as e:
        services.reimbursement_record(actor=site.keeper, project=p, amount="124110.01", on=dt.date(2025, 10, 1),
                                      voucher="3")
    assert e.value.code == "beyond_allocated"
    p = FundedProject.objects.get(pk=p.pk)
    assert p.reimbursed == Decimal("1975890.00") and Reimbursement.objects.count() == 2
    assert selectors.project_totals([p])["rate"] == Decimal("94.09")


def test_income_is_summed_by_kind_against_the_sites_thresholds_and_letter(site):
    comm_a, comm_b = site.district.comm_a, site.district.comm_b
    services.income_record(actor=site.keeper, org_unit=comm_a, year=2026, kind="operating", amount="50000.00",
                           on=dt.date(2026, 3, 1), description="商铺租金")
    services.income_record(actor=site.keeper, org_unit=comm_a, year=2026, kind="subsidy", amount="50000.00",
                           on=dt.date(2026, 4, 1), description="运转补助")
    services.income_record(actor=site.keeper_b, org_unit=comm_b, year=2026, kind="operating", amount="49999.99",
                           on=dt.date(2026, 3, 1), description="租金")
    services.income_record(actor=site.keeper, org_unit=comm_a, year=2025, kind="operating", amount="999999",
                           on=dt.date(2025, 3, 1), description="去年")
    services.letter_sign(actor=site.leader, org_unit=comm_a, year=2026, target_total="100000", target_operating="50000",
                         signed_on=dt.date(2026, 2, 1), signed_by="书记")
    rows = {r["unit"].pk: r for r in selectors.income_by_unit(site.leader, 2026)}
    a, b = rows[comm_a.pk], rows[comm_b.pk]
    assert (a["total"], a["operating"], a["below_total"], a["below_operating"], a["letter_met"]) == (
        Decimal("100000.00"), Decimal("50000.00"), False, False, True)
    assert (b["total"], b["below_total"], b["below_operating"], b["letter"]) == (Decimal("49999.99"), True, True, None)
    services.settings_update(actor=site.leader, site=site.district.street, total_threshold="40000",
                             operating_threshold="40000")
    b = {r["unit"].pk: r for r in selectors.income_by_unit(site.leader, 2026)}[comm_b.pk]
    assert (b["below_total"], b["below_operating"]) == (False, False)
    # a keeper sees their own community only
    assert [r["unit"].pk for r in selectors.income_by_unit(site.keeper, 2026)] == [comm_a.pk]


def test_an_income_date_outside_its_year_is_refused(site):
    with pytest.raises(JicengError) as e:
        services.income_record(actor=site.keeper, org_unit=site.district.comm_a, year=2026, kind="other", amount="1",
                               on=dt.date(2025, 12, 31), description="x")
    assert e.value.field == "on"


@pytest.fixture
def fund(site):
    f = services.fund_open(actor=site.leader, org_unit=site.district.comm_a, kind="service", year=2026)
    services.fund_receive(actor=site.leader, fund=f, amount="100", purpose="拨付", idempotency_key="in-1")
    return CommunityFund.objects.get(pk=f.pk)


def test_spending_beyond_a_funds_balance_is_refused_in_yuan_and_nothing_is_written(site, fund):
    services.fund_spend(actor=site.keeper, fund=fund, amount="60.50", purpose="活动物资", receipt_no="FP1")
    with pytest.raises(JicengError) as e:
        services.fund_spend(actor=site.keeper, fund=fund, amount="39.51", purpose="办公用品", receipt_no="FP2")
    assert e.value.code == "fund_overdrawn" and "39.50" in e.value.message and "39.51" in e.value.message
    assert CommunityFund.objects.get(pk=fund.pk).balance == 3950
    assert FundEntry.objects.filter(account=fund).count() == 2
    assert ledger.verify(FundEntry).ok


def test_a_spending_needs_its_receipt_and_a_replay_posts_once(site, fund):
    with pytest.raises(JicengError) as e:
        services.fund_spend(actor=site.keeper, fund=fund, amount="1", purpose="x", receipt_no="")
    assert e.value.field == "receipt_no"
    services.fund_spend(actor=site.keeper, fund=fund, amount="10", purpose="x", receipt_no="FP9", idempotency_key="k")
    services.fund_spend(actor=site.keeper, fund=fund, amount="10", purpose="x", receipt_no="FP9", idempotency_key="k")
    assert CommunityFund.objects.get(pk=fund.pk).balance == 9000


def test_a_partner_contribution_names_the_partner_and_a_keeper_cannot_allocate(site):
    from jiceng.core.errors import PermissionDeniedError

    partner = services.fund_open(actor=site.leader, org_unit=site.district.comm_a, kind="partner", year=2026)
    with pytest.raises(JicengError) as e:
        services.fund_receive(actor=site.keeper, fund=partner, amount="20000", purpose="共建支持")
    assert e.value.field == "counterparty"
    services.fund_receive(actor=site.keeper, fund=partner, amount="20000", purpose="共建支持", counterparty="县供电局")
    running = services.fund_open(actor=site.leader, org_unit=site.district.comm_a, kind="running", year=2026)
    with pytest.raises(PermissionDeniedError):
        services.fund_receive(actor=site.keeper, fund=running, amount="60000", purpose="拨付")


@pytest.mark.django_db(transaction=True)
def test_without_the_fund_lock_concurrent_spending_all_pass_the_balance_check(vendor_is_postgres, site, monkeypatch):
    """The race the lock prevents: with the fund read unlocked, ten spendings of 30 yuan from 100 all see the
    balance at 100 and pass the check; only the database's unique sequence number stops all but one."""
    import threading

    f = services.fund_open(actor=site.leader, org_unit=site.district.comm_a, kind="service", year=2026)
    services.fund_receive(actor=site.leader, fund=f, amount="100", purpose="拨付", idempotency_key="in")
    monkeypatch.setattr(posting, "single_statement", lambda conn: False)
    all_read = threading.Barrier(10, timeout=30)
    passed = []
    locking = posting.lock_one

    def read_without_lock(model, *, using=None, **lookup):
        if model is not CommunityFund:
            return locking(model, using=using, **lookup)
        row = model._base_manager.db_manager(using).filter(**lookup).first()
        passed.append(row.balance >= 3000)
        all_read.wait()
        return row

    monkeypatch.setattr(posting, "lock_one", read_without_lock)
    results = in_threads(10, lambda i: services.fund_spend(actor=site.keeper, fund=f, amount="30", purpose="并发",
                                                           receipt_no=f"R{i}") and "ok")
    assert passed == [True] * 10           # every one of them would have spent: 300 yuan from 100
    assert sorted(results) == ["IntegrityError"] * 9 + ["ok"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["orm", "one statement"])
def test_concurrent_spending_never_takes_a_fund_below_zero(vendor_is_postgres, site, monkeypatch, path):
    if path == "orm":
        monkeypatch.setattr(posting, "single_statement", lambda conn: False)
    f = services.fund_open(actor=site.leader, org_unit=site.district.comm_a, kind="service", year=2026)
    services.fund_receive(actor=site.leader, fund=f, amount="100", purpose="拨付", idempotency_key="in")
    results = in_threads(10, lambda i: services.fund_spend(actor=site.keeper, fund=f, amount="30", purpose="并发",
                                                           receipt_no=f"R{i}") and "ok")
    assert sorted(results) == ["fund_overdrawn"] * 7 + ["ok"] * 3
    f = CommunityFund.objects.get(pk=f.pk)
    assert f.balance == 1000
    assert sum(FundEntry.objects.filter(account=f).values_list("amount", flat=True)) == 1000
    assert ledger.verify(FundEntry).ok
