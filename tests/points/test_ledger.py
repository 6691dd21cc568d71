"""The points ledger: balance == sum of entries, never negative, hash chain verifies, tampering detected."""
from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.errors import JicengError
from jiceng.points.models import EntryKind, PointsAccount, PointsLedgerEntry
from jiceng.points.services import InsufficientPoints, ledger_post, ledger_reverse, points_verify
from jiceng.points.services.ledger import balance_from_entries

from .conftest import grant

operations = st.lists(
    st.tuples(st.sampled_from(["grant", "deduct", "redeem", "reverse"]), st.integers(min_value=1, max_value=60),
              st.integers(min_value=0, max_value=30)),
    min_size=1, max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_sequence_keeps_balance_equal_to_entries_and_non_negative(ops, points_site, make_household, district, admin):
    household = make_household(district.grid_a1)
    PointsLedgerEntry.objects.filter(account__household=household).exists()
    n0 = PointsLedgerEntry.objects.count()
    expected = 0
    for i, (op, amount, pick) in enumerate(ops):
        key = f"{household.pk}:{n0}:{i}"
        if op == "grant":
            ledger_post(household=household, kind=EntryKind.GRANT, amount=amount, idempotency_key=key, actor=admin)
            expected += amount
        elif op == "deduct":
            entry, _ = ledger_post(household=household, kind=EntryKind.DEDUCTION, amount=-amount, idempotency_key=key,
                                   actor=admin, clamp=True)
            expected -= min(amount, expected)
        elif op == "redeem":
            if amount > expected:
                with pytest.raises(InsufficientPoints):
                    ledger_post(household=household, kind=EntryKind.REDEMPTION, amount=-amount, idempotency_key=key)
            else:
                ledger_post(household=household, kind=EntryKind.REDEMPTION, amount=-amount, idempotency_key=key)
                expected -= amount
        else:
            candidates = list(PointsLedgerEntry.objects.filter(account__household=household, reversed_by__isnull=True)
                              .exclude(kind=EntryKind.REVERSAL).order_by("seq"))
            if candidates:
                target = candidates[pick % len(candidates)]
                if expected - target.amount < 0:
                    with pytest.raises(InsufficientPoints):
                        ledger_reverse(actor=admin, entry=target, reason="录入错误")
                else:
                    ledger_reverse(actor=admin, entry=target, reason="录入错误")
                    expected -= target.amount
        account = PointsAccount.objects.filter(household=household).first()
        balance = account.balance if account else 0
        assert balance == expected
        assert balance == balance_from_entries(household)
        assert balance >= 0
    assert points_verify().ok, points_verify().problems


def test_same_idempotency_key_posts_once(points_site, make_household, district):
    hh = make_household(district.grid_a1)
    first, created = ledger_post(household=hh, kind=EntryKind.GRANT, amount=10, idempotency_key="k1")
    again, created_again = ledger_post(household=hh, kind=EntryKind.GRANT, amount=10, idempotency_key="k1")
    assert created and not created_again and first.pk == again.pk
    assert PointsAccount.objects.get(household=hh).balance == 10


def test_deduction_takes_no_more_than_the_balance(points_site, make_household, district):
    hh = make_household(district.grid_a1)
    grant(hh, 3, "g")
    entry = grant(hh, -5, "d")
    assert entry.amount == -3 and entry.balance_after == 0
    assert grant(hh, -5, "d2") is None
    assert PointsLedgerEntry.objects.filter(account__household=hh).count() == 2


def test_reversal_is_a_new_entry_and_only_once(points_site, make_household, district, admin):
    hh = make_household(district.grid_a1)
    g = grant(hh, 8, "g")
    r = ledger_reverse(actor=admin, entry=g, reason="重复录入")
    assert r.amount == -8 and r.reverses_id == g.pk
    g.refresh_from_db()
    assert g.amount == 8
    with pytest.raises(JicengError):
        ledger_reverse(actor=admin, entry=g, reason="再来一次")
    assert PointsAccount.objects.get(household=hh).balance == 0


@pytest.mark.parametrize("column,value", [("amount", 999), ("balance_after", 999), ("memo", "'改过的摘要'")])
def test_editing_an_entry_in_sql_is_detected(points_site, make_household, district, column, value):
    hh = make_household(district.grid_a1)
    grant(hh, 5, "a")
    e2 = grant(hh, 7, "b")
    grant(hh, 2, "c")
    assert points_verify().ok
    with connection.cursor() as cur:
        cur.execute(f"UPDATE points_pointsledgerentry SET {column} = {value} WHERE id = %s", [e2.pk])
    result = points_verify()
    assert not result.ok
    assert any("#2" in p for p in result.problems)


def test_deleting_an_entry_or_changing_a_balance_is_detected(points_site, make_household, district):
    hh = make_household(district.grid_a1)
    grant(hh, 5, "a")
    grant(hh, 7, "b")
    PointsAccount.objects.filter(household=hh).update(balance=100)
    assert any("余额" in p for p in points_verify().problems)
    PointsAccount.objects.filter(household=hh).update(balance=12)
    assert points_verify().ok
    with connection.cursor() as cur:
        cur.execute("DELETE FROM points_pointsledgerentry WHERE seq = 2")
    assert not points_verify().ok


def test_points_verify_command_exit_status(points_site, make_household, district):
    from django.core.management import call_command

    hh = make_household(district.grid_a1)
    grant(hh, 5, "a")
    call_command("points", "verify")
    with connection.cursor() as cur:
        cur.execute("UPDATE points_pointsledgerentry SET amount = 50")
    with pytest.raises(SystemExit) as exc:
        call_command("points", "verify")
    assert exc.value.code == 1


def test_yearly_clearing_clears_once_and_only_what_was_held_at_year_end(points_site, make_household, district, admin):
    import datetime as dt

    from django.utils import timezone

    from jiceng.points.services import programme_update
    from jiceng.points.services.ledger import points_expire_year

    hh = make_household(district.grid_a1)
    last_year = timezone.make_aware(dt.datetime(2025, 6, 1))
    this_year = timezone.make_aware(dt.datetime(2026, 1, 3))
    ledger_post(household=hh, kind=EntryKind.GRANT, amount=30, idempotency_key="old", now=last_year)
    ledger_post(household=hh, kind=EntryKind.REDEMPTION, amount=-10, idempotency_key="spent", now=this_year)
    ledger_post(household=hh, kind=EntryKind.GRANT, amount=5, idempotency_key="new", now=this_year)
    assert points_expire_year(programme=points_site.programme, year=2025) == 0  # the site has not chosen it
    programme_update(actor=admin, programme=points_site.programme, yearly_clearing=True)
    points_site.programme.refresh_from_db()
    assert points_expire_year(programme=points_site.programme, year=2025) == 1
    assert points_expire_year(programme=points_site.programme, year=2025) == 0
    assert PointsAccount.objects.get(household=hh).balance == 5   # 30 held, 10 spent since, 20 expire; 5 new stay
    assert points_verify().ok


@given(account=st.integers(min_value=1, max_value=10**9), amount=st.integers(min_value=-10**6, max_value=10**6),
       after=st.integers(min_value=0, max_value=10**9), memo=st.text(max_size=40),
       key=st.text(min_size=1, max_size=40), reverses=st.one_of(st.none(), st.integers(min_value=1)))
def test_payload_cut_for_the_database_reassembles_to_the_canonical_payload(account, amount, after, memo, key,
                                                                           reverses):
    """PostgreSQL hashes ``head + account + mid + amount + "," + after + tail``; that text must be
    exactly the payload ``points verify`` hashes, for any values."""
    import datetime as dt

    from jiceng.points.services.ledger import _payload_parts, entry_payload

    created = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.timezone.utc)
    common = dict(programme_id=7, kind=EntryKind.GRANT, idempotency_key=key, source_type="points.declaration",
                  source_id="42", reverses_id=reverses, memo=memo, actor_id=3, created_at=created)
    head, mid, tail = _payload_parts(**common)
    assert head + str(account) + mid + str(amount) + "," + str(after) + tail == entry_payload(
        account_id=account, amount=amount, balance_after=after, **common)


def test_a_second_reversal_of_one_entry_is_refused_by_the_database(points_site, make_household, district):
    """The unique reversal link holds even past the service's own check, and the database's refusal
    reaches callers as Django's IntegrityError on every backend (PostgreSQL posts on its own cursor)."""
    from django.db import IntegrityError, transaction

    hh = make_household(district.grid_a1)
    entry = grant(hh, 10, "g")
    ledger_post(household=hh, kind=EntryKind.REVERSAL, amount=-10, idempotency_key="rev-1", reverses=entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger_post(household=hh, kind=EntryKind.REVERSAL, amount=5, idempotency_key="rev-2", reverses=entry)
    assert PointsLedgerEntry.objects.filter(reverses=entry).count() == 1
    assert PointsAccount.objects.get(household=hh).balance == 0
    assert points_verify().ok


def test_a_refused_or_empty_first_deduction_opens_no_account(points_site, make_household, district):
    from django.db import transaction

    hh = make_household(district.grid_a1)
    with pytest.raises(InsufficientPoints):
        ledger_post(household=hh, kind=EntryKind.REDEMPTION, amount=-5, idempotency_key="spend-1")
    assert ledger_post(household=hh, kind=EntryKind.DEDUCTION, amount=-5, idempotency_key="d-1", clamp=True) == (
        None, True)
    with transaction.atomic():
        try:
            ledger_post(household=hh, kind=EntryKind.REDEMPTION, amount=-5, idempotency_key="spend-2")
        except InsufficientPoints:
            pass
    assert not PointsAccount.objects.filter(household=hh).exists()
    assert not PointsLedgerEntry.objects.filter(account__household=hh).exists()


def test_a_database_refusal_caught_inside_a_callers_transaction_keeps_its_other_work(points_site, make_household,
                                                                                    district):
    """The posting runs in a savepoint inside the caller's transaction: a caught refusal from the
    database undoes only that posting, and the caller's earlier work still commits."""
    from django.db import IntegrityError, transaction

    hh = make_household(district.grid_a1)
    other = make_household(district.grid_a2)
    entry = grant(hh, 10, "g")
    ledger_post(household=hh, kind=EntryKind.REVERSAL, amount=-10, idempotency_key="rev-1", reverses=entry)
    with transaction.atomic():
        grant(other, 7, "kept")
        try:
            ledger_post(household=hh, kind=EntryKind.REVERSAL, amount=5, idempotency_key="rev-2", reverses=entry)
        except IntegrityError:
            pass
        grant(other, 1, "kept-too")
    assert PointsAccount.objects.get(household=other).balance == 8
    assert points_verify().ok


def test_posting_is_the_same_with_prepared_statements_off(points_site, make_household, district):
    """JICENG_PG_PREPARE=0 (a pooler that cannot keep prepared statements) turns psycopg's
    preparation off; the posting statement is then planned per call and behaves the same."""
    hh = make_household(district.grid_a1)
    raw = None
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        before, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        first, created = ledger_post(household=hh, kind=EntryKind.GRANT, amount=4, idempotency_key="np-1")
        again, created_again = ledger_post(household=hh, kind=EntryKind.GRANT, amount=4, idempotency_key="np-1")
        with pytest.raises(InsufficientPoints):
            ledger_post(household=hh, kind=EntryKind.REDEMPTION, amount=-5, idempotency_key="np-2")
        if raw is not None:
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_prepared_statements")
                assert cur.fetchone()[0] == 0
    finally:
        if raw is not None:
            raw.prepare_threshold = before
    assert created and not created_again and first.pk == again.pk
    assert PointsAccount.objects.get(household=hh).balance == 4
    assert points_verify().ok
