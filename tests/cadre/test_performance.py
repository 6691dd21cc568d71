"""Performance points on the ledger primitive: second approver, appeals and their window, concurrency."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.cadre import services
from jiceng.cadre.models import AppealStatus, PerformanceAccount, PerformanceEntry, PointsAdjustment
from jiceng.core import ledger
from jiceng.core.errors import JicengError
from jiceng.core.ledger import posting
from tests.conftest import in_threads


def _balance(cadre):
    return PerformanceAccount.objects.get(cadre=cadre, year=timezone.localdate().year).balance


def test_a_manual_adjustment_needs_a_reason_and_a_second_person(site):
    with pytest.raises(JicengError) as err:
        services.adjustment_propose(actor=site.leader, cadre=site.cadre, year=2026, amount=0, reason="")
    assert set(err.value.errors) == {"amount", "reason"}
    adj = services.adjustment_propose(actor=site.leader, cadre=site.cadre, year=timezone.localdate().year, amount=5,
                                      reason="调处纠纷获锦旗")
    with pytest.raises(JicengError) as err:
        services.adjustment_decide(actor=site.leader, adjustment=adj, approve=True)
    assert err.value.code == "same_person"
    assert not PerformanceEntry.objects.unscoped("t").filter(kind="manual").exists()
    adj = services.adjustment_decide(actor=site.leader2, adjustment=adj, approve=True, note="属实")
    assert adj.status == "approved" and adj.entry.amount == 5
    assert _balance(site.cadre) == 105
    with pytest.raises(JicengError) as err:
        services.adjustment_decide(actor=site.street_admin, adjustment=adj, approve=False)
    assert err.value.code == "already_decided"


def test_a_rejected_adjustment_posts_nothing(site):
    adj = services.adjustment_propose(actor=site.leader, cadre=site.cadre, year=timezone.localdate().year, amount=-4,
                                      reason="未按时报送")
    services.adjustment_decide(actor=site.street_admin, adjustment=adj, approve=False, note="情况不实")
    assert PointsAdjustment.objects.unscoped("t").get().status == "rejected"
    assert not PerformanceAccount.objects.exists()


def test_a_deduction_beyond_the_balance_stops_at_zero(site):
    year = timezone.localdate().year
    entry = services.performance_post(cadre=site.cadre, year=year, amount=-150, kind="manual", reason="重大失误",
                                      idempotency_key="k1")
    assert entry.amount == -100 and _balance(site.cadre) == 0
    assert services.performance_post(cadre=site.cadre, year=year, amount=-1, kind="manual", reason="再扣",
                                     idempotency_key="k2") is None


def test_an_appeal_within_the_window_upheld_reverses_the_entry(site):
    now = timezone.now()
    entry = services.performance_post(cadre=site.cadre, year=now.year, amount=-3, kind="manual", reason="抽查扣分",
                                      idempotency_key="spot", now=now)
    with pytest.raises(JicengError) as err:
        services.appeal_file(actor=site.cadre_user, entry=entry, reason=" ")
    assert err.value.field == "reason"
    with pytest.raises(JicengError):
        services.appeal_file(actor=site.leader, entry=entry, reason="代申诉")
    appeal = services.appeal_file(actor=site.cadre_user, entry=entry, reason="已整改", now=now + dt.timedelta(days=6))
    with pytest.raises(JicengError) as err:
        services.appeal_file(actor=site.cadre_user, entry=entry, reason="再申诉", now=now + dt.timedelta(days=6))
    assert err.value.code == "already_appealed"
    with pytest.raises(JicengError) as err:
        services.appeal_decide(actor=site.leader, appeal=appeal, uphold=True, note="")
    assert err.value.field == "note"
    appeal = services.appeal_decide(actor=site.leader, appeal=appeal, uphold=True, note="核实已整改")
    assert appeal.status == AppealStatus.UPHELD and appeal.reversal.amount == 3
    assert _balance(site.cadre) == 100
    assert ledger.verify(PerformanceEntry).ok


def test_an_appeal_after_its_window_is_refused(site):
    now = timezone.now()
    entry = services.performance_post(cadre=site.cadre, year=now.year, amount=-3, kind="manual", reason="抽查扣分",
                                      idempotency_key="spot", now=now)
    services.rules_update(actor=site.leader, site=site.district.street, appeal_days=3)
    with pytest.raises(JicengError) as err:
        services.appeal_file(actor=site.cadre_user, entry=entry, reason="已整改",
                             now=now + dt.timedelta(days=3, seconds=1))
    assert err.value.field == "entry" and "申诉期限" in err.value.message
    appeal = services.appeal_file(actor=site.cadre_user, entry=entry, reason="已整改", now=now + dt.timedelta(days=3))
    services.appeal_decide(actor=site.leader, appeal=appeal, uphold=False, note="维持")
    assert _balance(site.cadre) == 97


def test_the_base_entry_cannot_be_appealed(site):
    year = timezone.localdate().year
    services.performance_post(cadre=site.cadre, year=year, amount=1, kind="manual", reason="加", idempotency_key="a")
    base = PerformanceEntry.objects.unscoped("t").get(kind="base")
    with pytest.raises(JicengError):
        services.appeal_file(actor=site.cadre_user, entry=base, reason="基础分太低")


def _post_concurrently(site, n):
    year = timezone.localdate().year
    services.performance_account_open(cadre=site.cadre, year=year)
    return in_threads(n, lambda i: services.performance_post(
        cadre=site.cadre, year=year, amount=1, kind="manual", reason="并发", idempotency_key=f"c{i}") and "ok")


@pytest.mark.django_db(transaction=True)
def test_without_the_account_lock_concurrent_postings_collide(vendor_is_postgres, site, monkeypatch):
    """The race the lock prevents: with the account read unlocked on the ORM path, 10 postings all read the
    same chain head; only the unique sequence number stops all but one, and 9 postings are lost."""
    import threading

    monkeypatch.setattr(posting, "single_statement", lambda conn: False)
    year = timezone.localdate().year
    services.performance_account_open(cadre=site.cadre, year=year)
    all_read = threading.Barrier(10, timeout=30)
    locking = posting.lock_one

    def read_without_lock(model, *, using=None, **lookup):
        if model is not PerformanceAccount:
            return locking(model, using=using, **lookup)
        row = model._base_manager.db_manager(using).filter(**lookup).first()
        all_read.wait()
        return row

    monkeypatch.setattr(posting, "lock_one", read_without_lock)
    results = in_threads(10, lambda i: services.performance_post(
        cadre=site.cadre, year=year, amount=1, kind="manual", reason="并发", idempotency_key=f"c{i}") and "ok")
    assert sorted(results) == ["IntegrityError"] * 9 + ["ok"]
    assert _balance(site.cadre) == 101


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["orm", "one statement"])
def test_concurrent_postings_all_land_and_the_ledger_verifies(vendor_is_postgres, site, monkeypatch, path):
    if path == "orm":
        monkeypatch.setattr(posting, "single_statement", lambda conn: False)
    results = _post_concurrently(site, 10)
    assert results == ["ok"] * 10
    assert _balance(site.cadre) == 110
    assert list(PerformanceEntry.objects.order_by("seq").values_list("balance_after", flat=True)) == list(range(100, 111))
    assert ledger.verify(PerformanceEntry).ok
