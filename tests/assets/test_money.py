"""Money end to end: text in, Decimal all the way, fen on the ledger; the distribution's rounding rule."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.assets.services.money import fen, from_fen, rate, split, yuan
from jiceng.core.errors import ErrorCollector


def _read(value, **kw):
    errors = ErrorCollector()
    return yuan(value, "amount", errors, **kw), errors.errors.get("amount", [])


@pytest.mark.parametrize("text, expected", [
    ("1234.5", Decimal("1234.50")), ("1,234.56", Decimal("1234.56")), ("  98400000000.00 ", Decimal("98400000000.00")),
    ("175.63万", None), ("300元", Decimal("300.00")), ("0", Decimal("0.00")), (12, Decimal("12.00")),
    (Decimal("0.10"), Decimal("0.10")),
])
def test_text_becomes_yuan_with_two_decimals(text, expected):
    value, errors = _read(text)
    assert value == expected
    assert bool(errors) == (expected is None)


@pytest.mark.parametrize("text, says", [
    ("一万元", "不是金额"), ("12.345", "最多保留两位小数"), ("-5", "不能为负数"), ("1e5", "不是金额"),
    ("NaN", "不是金额"), ("", "请填写"),
])
def test_bad_money_is_refused_saying_why(text, says):
    value, errors = _read(text)
    assert value is None
    assert says in errors[0]


def test_a_float_is_refused_never_rounded():
    value, errors = _read(0.1 + 0.2)
    assert value is None and "不接受浮点数" in errors[0]


def test_negative_where_allowed_and_zero_where_not():
    assert _read("-213.50", negative=True)[0] == Decimal("-213.50")
    assert "应大于 0" in _read("0", zero=False)[1][0]


def test_fen_round_trip_is_exact():
    assert fen(Decimal("98400000000.01")) == 9840000000001
    assert from_fen(9840000000001) == Decimal("98400000000.01")


def test_the_reimbursement_rate_is_rounded_half_up_to_two_decimals():
    assert rate(Decimal("1975890.00"), Decimal("2100000.00")) == Decimal("94.09")
    assert rate(Decimal("2"), Decimal("3")) == Decimal("66.67")
    assert rate(Decimal("1"), Decimal("0")) is None


def test_a_5221_split_equals_the_hand_computation():
    """213,577.35 by 50/20/20/10: 106,788.675 | 42,715.47 | 42,715.47 | 21,357.735. Cut down to the fen the four
    lose 0.5, 0, 0 and 0.5 fen and one fen is left over; the two that lost most tie, the earlier takes it."""
    lines = split(Decimal("213577.35"), [Decimal(50), Decimal(20), Decimal(20), Decimal(10)])
    assert lines == [Decimal("106788.68"), Decimal("42715.47"), Decimal("42715.47"), Decimal("21357.73")]
    assert sum(lines) == Decimal("213577.35")


def test_thirds_and_a_few_fen():
    assert split(Decimal("100.00"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert split(Decimal("0.05"), [Decimal(50), Decimal(50)]) == [Decimal("0.03"), Decimal("0.02")]
    # 10.00 by 1/3 each: 3.333… three times; the one fen left goes to the first.
    third = Decimal("33.33")
    assert split(Decimal("10.00"), [third, third, Decimal("33.34")]) == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]


@given(st.integers(min_value=1, max_value=10**12),
       st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=8))
def test_a_split_always_sums_to_the_amount_and_each_share_is_within_a_fen(total_fen, weights):
    # percents with two decimals summing to exactly 100.00
    cents = [w * 10000 // sum(weights) for w in weights]
    cents[-1] += 10000 - sum(cents)
    if cents[-1] <= 0:
        return
    percents = [Decimal(c) / 100 for c in cents]
    amount = from_fen(total_fen)
    lines = split(amount, percents)
    assert sum(lines) == amount
    for line, p in zip(lines, percents):
        assert abs(line - amount * p / 100) < Decimal("0.01")
