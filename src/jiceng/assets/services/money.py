"""Money as the collective economy keeps it: yuan with two decimals, ``Decimal`` end to end, never float.

Text from a form, a spreadsheet or the API is read by ``yuan``: digits with at most two decimals, thousands
separators and a trailing 元 allowed; anything else (words, three decimals, a float from code) is a field
error that says why. The fund ledger counts whole fen (``fen``/``from_fen``), exactly.
"""
from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from fractions import Fraction

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
LIMIT = Decimal("99999999999999.99")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def yuan(value, field: str, errors, *, label: str = "", negative: bool = False, zero: bool = True,
         required: bool = True) -> Decimal | None:
    """``value`` as yuan with two decimals, or a field error in ``errors`` (and ``None``)."""
    name = label or _("金额")
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, _("请填写%(n)s") % {"n": name})
        return None
    if isinstance(value, bool) or isinstance(value, float):
        errors.add(field, _("%(n)s应以文本或整数给出（如 1234.50），不接受浮点数") % {"n": name})
        return None
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
        text = text.removesuffix("元").removeprefix("¥").removeprefix("￥")
        if not _NUMBER.match(text):
            errors.add(field, _("%(n)s“%(v)s”不是金额：请填写数字，如 1234.50") % {"n": name, "v": str(value)[:30]})
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            errors.add(field, _("%(n)s不是金额") % {"n": name})
            return None
    if not amount.is_finite():
        errors.add(field, _("%(n)s不是金额") % {"n": name})
        return None
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        errors.add(field, _("%(n)s最多保留两位小数（到分）：%(v)s") % {"n": name, "v": str(value)[:30]})
        return None
    if amount < 0 and not negative:
        errors.add(field, _("%(n)s不能为负数") % {"n": name})
        return None
    if amount == 0 and not zero:
        errors.add(field, _("%(n)s应大于 0") % {"n": name})
        return None
    if abs(amount) > LIMIT:
        errors.add(field, _("%(n)s超出范围") % {"n": name})
        return None
    return amount.quantize(CENT)


def percent(value, field: str, errors, *, label: str = "") -> Decimal | None:
    """A share in percent with at most two decimals, above 0 and at most 100."""
    p = yuan(value, field, errors, label=label or _("比例"), zero=False)
    if p is not None and p > 100:
        errors.add(field, _("%(n)s不能超过 100%%") % {"n": label or _("比例")})
        return None
    return p


def fen(amount: Decimal) -> int:
    """Whole fen of an amount of yuan with two decimals (exact)."""
    return int((amount * 100).to_integral_exact())


def from_fen(n: int) -> Decimal:
    return (Decimal(int(n)) / 100).quantize(CENT)


def rate(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part ÷ whole`` in percent to two decimals, half up (报账率 94.09%); ``None`` when ``whole`` is 0."""
    if not whole:
        return None
    from decimal import ROUND_HALF_UP

    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def split(amount: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Split ``amount`` by ``percents`` (summing to 100) to the fen, exactly: each share is first cut down to
    the fen, then the fen left over go one each to the shares that lost the most in the cut (the largest
    remainders, 最大余额法), the earlier share first where two lost the same. The shares always sum to
    ``amount``; no share is more than one fen from its exact value."""
    total = fen(amount)
    exact = [Fraction(total) * Fraction(p) / 100 for p in percents]
    cut = [int(x) for x in exact]  # exact >= 0: int() is the floor
    left = total - sum(cut)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - cut[i]), i))
    for i in order[:left]:
        cut[i] += 1
    return [from_fen(c) for c in cut]
