"""Concurrent redemptions on PostgreSQL never overdraw points or stock."""
from __future__ import annotations

import threading

import pytest
from django.db import connections

from jiceng.points import services
from jiceng.points.models import PointsAccount, Product, Redemption, StockEntry, StockKind
from jiceng.points.roles import SHOP_CLERK
from tests.conftest import in_threads

pytestmark = [pytest.mark.django_db(transaction=True)]


def redeem_one_each(n: int, *, clerk, shop, household, product) -> list:
    """``n`` concurrent redemptions of one ``product`` for ``household``, each with its own key:
    "ok" or the refusal's code for each."""
    def redeem(i):
        services.redemption_create(actor=clerk, shop=shop, household_id=household.pk, lines=[(product.pk, 1)],
                                   idempotency_key=f"race-{i}")
        return "ok"

    return in_threads(n, redeem)


def test_fifty_threads_redeem_exactly_what_points_and_stock_allow(vendor_is_postgres, points_site, district,
                                                                 make_household, make_user, admin):
    from .conftest import grant

    hh = make_household(district.grid_a1)
    grant(hh, 7 * 7, "seed")                   # affords exactly 7 at 7 points each
    clerk = make_user(SHOP_CLERK, district.comm_a)
    product = services.product_create(actor=admin, shop=points_site.shop, name="食用油", price_points=7)
    services.stock_move(actor=admin, product=product, kind=StockKind.RECEIPT, quantity=5)   # exactly 5 in stock

    results = redeem_one_each(50, clerk=clerk, shop=points_site.shop, household=hh, product=product)
    assert results.count("ok") == 5, results
    assert set(results) == {"ok", "insufficient_stock"}
    assert Product.objects.get(pk=product.pk).stock == 0
    assert PointsAccount.objects.get(household=hh).balance == 49 - 5 * 7
    assert Redemption.objects.filter(household=hh).count() == 5
    assert StockEntry.objects.filter(product=product, kind="redemption").count() == 5
    assert services.points_verify().ok


def test_fifty_threads_cannot_overdraw_points(vendor_is_postgres, points_site, district, make_household, make_user,
                                              admin):
    from .conftest import grant

    hh = make_household(district.grid_a1)
    grant(hh, 7, "seed")                      # affords exactly 7 one-point items
    clerk = make_user(SHOP_CLERK, district.comm_a)
    product = services.product_create(actor=admin, shop=points_site.shop, name="牙膏", price_points=1)
    services.stock_move(actor=admin, product=product, kind=StockKind.RECEIPT, quantity=100)

    results = redeem_one_each(50, clerk=clerk, shop=points_site.shop, household=hh, product=product)
    assert results.count("ok") == 7, results
    assert set(results) == {"ok", "insufficient_points"}
    assert PointsAccount.objects.get(household=hh).balance == 0
    assert Product.objects.get(pk=product.pk).stock == 93
    assert services.points_verify().ok


def test_fifty_threads_posting_one_key_to_a_new_household_post_once(vendor_is_postgres, points_site, district,
                                                                     make_household):
    """The one-statement posting path: the first posting opens the account, the same key replays
    (a concurrent one through ON CONFLICT), and distinct keys all land on one unbroken chain."""
    from jiceng.points.models import EntryKind, PointsLedgerEntry

    hh = make_household(district.grid_a1)
    other = make_household(district.grid_a1)

    def post(i):
        if i % 2:
            entry, created = services.ledger_post(household=hh, kind=EntryKind.GRANT, amount=5,
                                                  idempotency_key="one-key")
        else:
            entry, created = services.ledger_post(household=other, kind=EntryKind.GRANT, amount=1,
                                                  idempotency_key=f"key-{i}")
        return entry.pk, created, i % 2

    results = in_threads(50, post)
    same = [r for r in results if r[2]]
    assert len(same) == 25 and len({pk for pk, _c, _o in same}) == 1
    assert sum(created for _pk, created, _o in same) == 1
    assert all(created for _pk, created, odd in results if not odd)
    assert PointsAccount.objects.get(household=hh).balance == 5
    assert PointsAccount.objects.get(household=other).balance == 25
    assert PointsLedgerEntry.objects.filter(account__household=hh).count() == 1
    assert services.points_verify().ok, services.points_verify().problems


def test_a_spending_key_repeated_while_the_first_holds_the_account_replays(vendor_is_postgres, points_site, district,
                                                                           make_household):
    """A double-submitted spend waits for the first one's lock; when the first commits, the second is
    a replay of it (not "insufficient points", although the balance is now spent)."""
    import time

    from django.db import transaction

    from jiceng.points.models import EntryKind

    from .conftest import grant

    hh = make_household(district.grid_a1)
    grant(hh, 10, "seed")
    first_posted, second_waiting = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                outcome["first"] = services.ledger_post(household=hh, kind=EntryKind.REDEMPTION, amount=-10,
                                                        idempotency_key="twice")
                first_posted.set()
                second_waiting.wait(5)
                time.sleep(0.3)  # the second call is now blocked on the account's lock
        finally:
            connections.close_all()

    def second():
        try:
            first_posted.wait(5)
            second_waiting.set()
            outcome["second"] = services.ledger_post(household=hh, kind=EntryKind.REDEMPTION, amount=-10,
                                                     idempotency_key="twice")
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entry, created = outcome["first"]
    assert created
    second = outcome["second"]
    assert not isinstance(second, Exception), second
    assert second[0].pk == entry.pk and second[1] is False
    assert PointsAccount.objects.get(household=hh).balance == 0
    assert services.points_verify().ok
