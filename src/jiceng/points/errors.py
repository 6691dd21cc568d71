"""The points app's ledger refusals: the primitive raises them by name (``Ledger(insufficient=...)``)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng.core.ledger import InsufficientBalance


class InsufficientPoints(InsufficientBalance):
    def __init__(self, balance: int, needed: int):
        super().__init__(balance, needed, code="insufficient_points", field="points",
                         message=_("积分余额不足：当前余额 %(balance)s 分，需要 %(needed)s 分")
                         % {"balance": balance, "needed": needed})


class InsufficientStock(InsufficientBalance):
    def __init__(self, balance: int, needed: int):
        super().__init__(balance, needed, code="insufficient_stock", field="quantity",
                         message=_("库存不足：当前 %(stock)s，不能减少 %(n)s") % {"stock": balance, "n": needed})
