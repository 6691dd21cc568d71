"""Row locks for spending, always taken in one order: account → programme (the chain head) → products.

Every points posting locks the household's account, then its programme's chain head (so postings
in one programme are serialised, as the hash chain needs), and a redemption then locks its products
(each product is its own stock chain's head); no two transactions can wait on each other in
opposite orders. The chain head is the one hot row, so it is taken last and held only for the
statement that chains the entry and the commit. The helpers are core's (``jiceng.core.ledger``:
``select_for_update(of=("self",))`` in key order); on SQLite, which has no row locks, writes are
serialised by the database lock.
"""
from __future__ import annotations

from jiceng.core.ledger import lock, lock_one

from .models import PointsAccount, PointsProgramme, Product


def programme_lock(programme_id: int) -> PointsProgramme:
    programme = lock_one(PointsProgramme, pk=programme_id)
    if programme is None:
        raise PointsProgramme.DoesNotExist(programme_id)
    return programme


def account_lock(household_id: int) -> PointsAccount | None:
    return lock_one(PointsAccount, household_id=household_id)


def products_lock(product_ids) -> dict[int, Product]:
    return lock(Product, product_ids)
