"""Points pages. Thin: parse, call one service or selector, render.

One module per group of pages: ``programme`` (overview, points list, settings, ratings), ``recording``
(a household's points, recording, review, reversal), ``cards``, ``shops`` (counter and stock),
``residents`` (a resident's own pages) and ``public`` (the public notice, no login); ``common`` holds
what they share. The views are named here, where the URLconfs find them."""
from __future__ import annotations

from .cards import card_issue_one, cards, cards_issue, cards_print
from .programme import item_create, item_edit, item_list, overview, programme_edit, ratings
from .public import public_notice
from .recording import (
    declaration_detail, declaration_photo, entry_reverse, event_create, household_points, record, review_list,
)
from .residents import my_declare, my_points, my_shop
from .shops import counter, receipt, reconciliation, redeem, shop_list, stock

__all__ = [
    "card_issue_one", "cards", "cards_issue", "cards_print", "counter", "declaration_detail", "declaration_photo",
    "entry_reverse", "event_create", "household_points", "item_create", "item_edit", "item_list", "my_declare",
    "my_points", "my_shop", "overview", "programme_edit", "public_notice", "ratings", "receipt", "reconciliation",
    "record", "redeem", "review_list", "shop_list", "stock",
]
