"""Row locks for spending, always taken in one order: account → programme (the chain head) → products.

Every posting locks the household's account, then its programme's chain head (so postings in one
programme are serialised, as the hash chain needs), and a redemption then locks its products; no
two transactions can wait on each other in opposite orders. The chain head is the one hot row, so
it is taken last and held only for the statement that chains the entry and the commit.
On SQLite ``select_for_update`` is a no-op; writes there are serialised by the database lock.
"""
from __future__ import annotations

from .models import PointsAccount, PointsProgramme, Product


def programme_lock(programme_id: int) -> PointsProgramme:
    return PointsProgramme.objects.select_for_update(of=("self",)).get(pk=programme_id)


def account_lock(household_id: int) -> PointsAccount | None:
    return PointsAccount.objects.select_for_update(of=("self",)).filter(household_id=household_id).first()


def products_lock(product_ids) -> dict[int, Product]:
    rows = Product.objects.order_by("pk").select_for_update(of=("self",)).filter(pk__in=sorted(set(product_ids)))
    return {p.pk: p for p in rows}
