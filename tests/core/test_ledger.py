"""The ledger primitive (jiceng.core.ledger): its post / reverse / verify contract, proved on both
ledgers built on it — a household's points (chained per programme, account found by household) and a
product's stock (each product its own chain) — through the primitive alone."""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import ledger
from jiceng.core.errors import JicengError
from jiceng.core.ledger import posting
from jiceng.points import services
from jiceng.points.errors import InsufficientPoints, InsufficientStock
from jiceng.points.models import EntryKind, PointsAccount, PointsLedgerEntry, PointsProgramme, Product, StockEntry
from tests.conftest import in_threads

from tests.points.conftest import points_site  # noqa: F401 - the fixture


@dataclass
class Book:
    """One ledger and one of its accounts, addressed the way its app addresses it."""

    kind: str
    model: type
    account_model: type
    head_model: type
    address: dict           # how post() finds the account
    insufficient: type
    insufficient_code: str
    text_column: str        # a hashed text column of the ledger's own
    household: object = None
    product: object = None

    def post(self, amount: int, key: str, *, clamp: bool = False, text: str = "", **kw):
        if self.kind == "points":
            columns = {"kind": EntryKind.GRANT if amount > 0 else EntryKind.REDEMPTION, "memo": text}
        else:
            columns = {"kind": "receipt" if amount > 0 else "adjustment", "note": text}
        return ledger.post(self.model, amount=amount, idempotency_key=key, clamp=clamp, **self.address, **columns, **kw)

    def reverse(self, entry):
        if self.kind == "points":
            return ledger.reverse(entry, kind=EntryKind.REVERSAL, memo="冲正")
        return ledger.reverse(entry, kind="reversal", note="冲正")

    @property
    def account(self):
        if self.kind == "points":
            return PointsAccount.objects.filter(household=self.household).first()
        return Product.objects.get(pk=self.product.pk)

    def balance(self) -> int:
        account = self.account
        if account is None:
            return 0
        return account.balance if self.kind == "points" else account.stock

    def head(self) -> tuple[int, str]:
        if self.kind == "points":
            row = PointsProgramme.objects.get(pk=self.address["chain"])
        else:
            row = Product.objects.get(pk=self.product.pk)
        return row.chain_seq, row.chain_hash

    def entries(self) -> list:
        if self.kind == "points":
            return list(PointsLedgerEntry.objects.filter(account__household=self.household).order_by("seq"))
        return list(StockEntry.objects.filter(product=self.product).order_by("seq"))

    # How verify names things: the ledger, the chain, the account, the entry.
    @property
    def label(self) -> str:
        return f"{self.model._meta.verbose_name}（{self.model._meta.label}）"

    def chain(self) -> str:
        head = self.address["chain"] if self.kind == "points" else self.product.pk
        return f"{self.label} {self.head_model._meta.verbose_name} #{head}"

    def where(self, entry, seq=None) -> str:
        return (f"{self.chain()} 流水 #{seq or entry.seq}（{self.account_model._meta.verbose_name} "
                f"#{self.account.pk}，id {entry.pk}）")

    def account_named(self) -> str:
        return f"{self.label} {self.account_model._meta.verbose_name} #{self.account.pk}"


@pytest.fixture(params=["points", "stock"])
def book(request, points_site, make_household, district, admin):  # noqa: F811 - the fixture
    if request.param == "points":
        hh = make_household(district.grid_a1)
        return Book("points", PointsLedgerEntry, PointsAccount, PointsProgramme,
                    {"account_by": {"household_id": hh.pk}, "chain": points_site.programme.pk,
                     "open_account": {"programme_id": points_site.programme.pk, "org_path": hh.org_path}},
                    InsufficientPoints, "insufficient_points", "memo", household=hh)
    product = services.product_create(actor=admin, shop=points_site.shop, name="毛巾", price_points=3)
    return Book("stock", StockEntry, Product, Product, {"account": product}, InsufficientStock, "insufficient_stock",
                "note", product=product)


def problems(book) -> list[str]:
    return ledger.verify(book.model).problems


def three_entries(book):
    """+5, +7, -3: entries #1, #2, #3 with balances after 5, 12, 9."""
    return [book.post(5, "k1")[0], book.post(7, "k2")[0], book.post(-3, "k3")[0]]


# --------------------------------------------------------------------------- post

def test_post_numbers_chains_and_moves_the_balance(book):
    e1, created1 = book.post(5, "k1")
    e2, created2 = book.post(-2, "k2")
    assert created1 and created2
    assert [(e.seq, e.amount if book.kind == "points" else e.quantity) for e in book.entries()] == [(1, 5), (2, -2)]
    after = [e.balance_after if book.kind == "points" else e.stock_after for e in book.entries()]
    assert after == [5, 3]
    assert book.balance() == 3
    assert e1.prev_hash == ledger.GENESIS and e2.prev_hash == e1.entry_hash
    assert e2.entry_hash == ledger.hash_of(book.model.objects.get(pk=e2.pk))   # as stored, recomputed
    assert book.head() == (2, e2.entry_hash)
    assert problems(book) == []


def test_the_same_key_posts_once_whatever_it_asks(book):
    first, created = book.post(5, "same")
    again, created_again = book.post(9, "same")
    assert created and not created_again
    assert again.pk == first.pk
    assert book.balance() == 5 and len(book.entries()) == 1 and book.head()[0] == 1


def test_an_overdraft_is_refused_and_writes_nothing(book):
    book.post(4, "k1")
    before = (book.balance(), len(book.entries()), book.head())
    with pytest.raises(book.insufficient) as exc:
        book.post(-5, "k2")
    assert (exc.value.code, exc.value.balance, exc.value.needed) == (book.insufficient_code, 4, 5)
    assert (book.balance(), len(book.entries()), book.head()) == before


def test_a_clamped_debit_takes_what_is_there_and_no_more(book):
    book.post(3, "k1")
    entry, created = book.post(-5, "k2", clamp=True)
    assert created and (entry.amount if book.kind == "points" else entry.quantity) == -3
    assert book.balance() == 0
    assert book.post(-5, "k3", clamp=True) == (None, True)
    assert len(book.entries()) == 2 and book.head()[0] == 2
    assert problems(book) == []


def test_a_zero_change_or_a_missing_key_is_refused(book):
    with pytest.raises(JicengError):
        book.post(0, "k")
    with pytest.raises(JicengError):
        book.post(5, "")
    assert book.entries() == [] and book.balance() == 0


# --------------------------------------------------------------------------- reverse

def test_a_reversal_is_an_opposite_entry_and_happens_once(book):
    e1, e2, _e3 = three_entries(book)
    reversal = book.reverse(e2)
    assert reversal.reverses_id == e2.pk and reversal.seq == 4
    assert (reversal.amount if book.kind == "points" else reversal.quantity) == -7
    assert book.balance() == 2
    e2.refresh_from_db()
    assert (e2.amount if book.kind == "points" else e2.quantity) == 7   # the original is never edited
    with pytest.raises(ledger.AlreadyReversed):
        book.reverse(e2)
    with pytest.raises(JicengError) as exc:
        book.reverse(reversal)
    assert exc.value.code == "reversal_of_reversal"
    assert book.balance() == 2 and len(book.entries()) == 4
    assert problems(book) == []


def test_a_reversal_the_balance_cannot_cover_is_refused(book):
    e1 = book.post(5, "k1")[0]
    book.post(-4, "k2")
    with pytest.raises(book.insufficient):
        book.reverse(e1)
    assert book.balance() == 1 and len(book.entries()) == 2
    assert not book.model.objects.filter(reverses=e1).exists()


def test_the_database_holds_one_reversal_per_entry_past_the_check(book):
    """Two postings that both claim to reverse one entry (past ``reverse``'s own check): the
    unique reversal link refuses the second, as Django's IntegrityError on every backend."""
    from django.db import IntegrityError

    e1 = book.post(5, "k1")[0]
    book.post(-5, "r1", reverses=e1)
    with pytest.raises(IntegrityError):
        book.post(1, "r2", reverses=e1)
    assert book.balance() == 0 and len(book.entries()) == 2


# --------------------------------------------------------------------------- verify

def _sql(book, sql: str, params=()):
    with connection.cursor() as cur:
        cur.execute(sql.format(t=book.model._meta.db_table, amount=ledger.ledger_for(book.model).meta.amount_field.column,
                               text=book.text_column), params)


def test_verify_finds_an_amount_edited_in_sql(book):
    e1, e2, e3 = three_entries(book)
    assert problems(book) == []
    _sql(book, "UPDATE {t} SET {amount} = 8 WHERE id = %s", [e2.pk])
    assert problems(book) == [
        f"{book.where(e2)}：内容与哈希不符（被篡改）",
        f"{book.where(e2)}：变动后余额 12 与累计 13 不符",
        f"{book.where(e3)}：变动后余额 9 与累计 10 不符",
        f"{book.account_named()}：余额 9 与流水合计 10 不符",
    ]


def test_verify_finds_a_hashed_text_edited_in_sql(book):
    _e1, e2, _e3 = three_entries(book)
    _sql(book, "UPDATE {t} SET {text} = %s WHERE id = %s", ["改过的", e2.pk])
    assert problems(book) == [f"{book.where(e2)}：内容与哈希不符（被篡改）"]


def test_verify_finds_a_deleted_entry(book):
    _e1, e2, e3 = three_entries(book)
    _sql(book, "DELETE FROM {t} WHERE id = %s", [e2.pk])
    assert problems(book) == [
        f"{book.chain()}：流水 #2–#2 缺失",
        f"{book.where(e3)}：前序哈希与上一条不符（链被破坏）",
        f"{book.where(e3)}：变动后余额 9 与累计 2 不符",
        f"{book.account_named()}：余额 9 与流水合计 2 不符",
    ]


def test_verify_finds_the_last_entry_cut_off_even_with_the_balance_mended(book):
    _e1, _e2, e3 = three_entries(book)
    _sql(book, "DELETE FROM {t} WHERE id = %s", [e3.pk])
    if book.kind == "points":
        PointsAccount.objects.filter(household=book.household).update(balance=12)
    else:
        Product.objects.filter(pk=book.product.pk).update(stock=12)
    assert problems(book) == [f"{book.chain()}：链头指向 #3，最后一条流水是 #2"]


def test_verify_finds_two_entries_swapped(book):
    _e1, e2, e3 = three_entries(book)
    _sql(book, "UPDATE {t} SET seq = -1 WHERE id = %s", [e2.pk])
    _sql(book, "UPDATE {t} SET seq = 2 WHERE id = %s", [e3.pk])
    _sql(book, "UPDATE {t} SET seq = 3 WHERE id = %s", [e2.pk])
    assert problems(book) == [
        f"{book.where(e3, 2)}：前序哈希与上一条不符（链被破坏）",
        f"{book.where(e3, 2)}：内容与哈希不符（被篡改）",
        f"{book.where(e3, 2)}：变动后余额 9 与累计 2 不符",
        f"{book.where(e2, 3)}：前序哈希与上一条不符（链被破坏）",
        f"{book.where(e2, 3)}：内容与哈希不符（被篡改）",
        f"{book.where(e2, 3)}：变动后余额 12 与累计 9 不符",
        f"{book.chain()}：链头哈希与最后一条流水 #3 的哈希不符",
    ]


def test_verify_finds_a_stored_balance_changed(book):
    three_entries(book)
    if book.kind == "points":
        PointsAccount.objects.filter(household=book.household).update(balance=100)
    else:
        Product.objects.filter(pk=book.product.pk).update(stock=100)
    assert problems(book) == [f"{book.account_named()}：余额 100 与流水合计 9 不符"]


def test_verify_finds_a_reversal_that_does_not_match_its_original(book):
    e1 = book.post(5, "k1")[0]
    reversal = book.reverse(e1)
    book.post(10, "k2")
    # Besides the hash and the balances, the reversal link shows what the forged entry no longer is.
    after = ledger.ledger_for(book.model).meta.after_field.column
    _sql(book, "UPDATE {t} SET {amount} = -4, " + after + " = 1 WHERE id = %s", [reversal.pk])
    found = problems(book)
    assert f"{book.label} 流水 id {reversal.pk}（#2）：冲正的账户或金额与原流水 id {e1.pk} 不符" in found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
       source=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
       amount=st.integers(min_value=1, max_value=10**6))
def test_the_hash_the_posting_stores_is_the_hash_verify_computes(book, text, source, amount):
    """On PostgreSQL the posting hashes in SQL; verify hashes in Python: any text (quotes,
    backslashes, CJK, emoji) and any amount give the same hash."""
    n = len(book.entries())
    entry, created = book.post(amount, f"h{n}", text=text, source_type="test", source_id=source)
    assert created
    stored = book.model.objects.get(pk=entry.pk)
    assert stored.entry_hash == entry.entry_hash == ledger.hash_of(stored)
    assert problems(book) == []


@given(text=st.one_of(st.none(), st.text()), number=st.one_of(st.none(), st.integers(min_value=-10**15, max_value=10**15)),
       flag=st.one_of(st.none(), st.booleans()),
       moment=st.one_of(st.none(), st.datetimes(timezones=st.just(__import__("datetime").timezone.utc))),
       day=st.one_of(st.none(), st.dates()))
def test_the_payload_is_the_json_array_that_hashes_were_stored_under(text, number, flag, moment, day):
    """The payload is built per value without an encoder; it is the very text ``json.dumps`` of the
    converted values writes (what every stored hash was computed over): quotes, control
    characters, non-BMP text, None, booleans, negative numbers, moments in UTC."""
    import json

    from jiceng.core.ledger import base

    meta = ledger.ledger_for(PointsLedgerEntry).meta
    converters = (base._text, base._integer, base._boolean, base._datetime, base._date)
    values = (text, number, flag, moment, day)
    encoders = tuple(base._AS_JSON[c] for c in converters)
    built = "[" + ",".join(enc(v) for enc, v in zip(encoders, values)) + "]"
    assert built == json.dumps([c(v) for c, v in zip(converters, values)], ensure_ascii=False, separators=(",", ":"))
    assert meta.hash_json == tuple(base._AS_JSON[c] for c in meta.hash_values)


@given(account=st.integers(min_value=1, max_value=10**12), amount=st.integers(min_value=-10**9, max_value=10**9),
       after=st.integers(min_value=0, max_value=10**12), text=st.text(max_size=40), key=st.text(min_size=1, max_size=40))
def test_the_payload_cut_for_the_statement_reassembles_for_both_ledgers(account, amount, after, text, key):
    """The statement concatenates its pieces around the account, the amount and the balance after;
    for either ledger's field order that text is exactly the payload ``verify`` hashes."""
    import datetime as dt

    from jiceng.core.ledger.statement import PostingStatement

    created = dt.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=dt.timezone.utc)
    for model, values in (
        (PointsLedgerEntry, {"programme_id": 7, "kind": "grant", "memo": text, "actor_id": 3}),
        (StockEntry, {"kind": "receipt", "note": text, "redemption_line_id": None}),
    ):
        meta = ledger.ledger_for(model).meta
        known = {"idempotency_key": key, "source_type": "x", "source_id": "42", "reverses_id": None,
                 "created_at": created, **values}
        stmt = PostingStatement(meta, connection, meta.account_model._meta.pk)
        parts = stmt.payload_parts([known.get(a) for a in meta.hashed_attnames])
        numbers = {meta.account_field.attname: account, meta.amount_field.attname: amount,
                   meta.after_field.attname: after}
        if model is PointsLedgerEntry:
            text_sql = parts["h0"] + str(account) + parts["h1"] + str(amount) + "," + str(after) + parts["h2"]
        else:
            text_sql = "[" + str(account) + parts["h0"] + str(amount) + "," + str(after) + parts["h1"]
        assert text_sql == meta.payload([numbers.get(a, known.get(a)) for a in meta.hashed_attnames])


def test_every_ledger_is_found_without_being_named(points_site):  # noqa: F811 - the fixture
    from jiceng.assets.models import FundEntry
    from jiceng.cadre.models import PerformanceEntry

    assert ledger.ledger_models() == [FundEntry, PerformanceEntry, PointsLedgerEntry, StockEntry]
    result = ledger.verify_all()
    assert [c.ledger for c in result.ledgers] == ["经费流水（assets.FundEntry）", "绩效积分流水（cadre.PerformanceEntry）",
                                                  "积分流水（points.PointsLedgerEntry）", "库存流水（points.StockEntry）"]
    assert result.ok
    # The fixture received 5 rice and 100 soap: two stock chains of one entry each.
    stock = result.ledgers[3]
    assert (stock.chains, stock.entries, stock.accounts) == (2, 2, 2)


def test_the_system_check_finds_nothing_missing_in_either_ledger():
    assert ledger.base.check_ledgers() == []
    assert ledger.ledger_for(PointsLedgerEntry).meta.problems() == []
    assert ledger.ledger_for(StockEntry).meta.problems() == []


# --------------------------------------------------------------------------- the command

def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_ledgers_verify_exits_0_then_1_after_tampering(book):
    _e1, e2, _e3 = three_entries(book)
    code, out, _err = run("ledgers", "verify")
    assert code == 0
    assert f"{book.label}：完整" in out and "全部 4 个账本校验通过" in out
    _sql(book, "UPDATE {t} SET {text} = %s WHERE id = %s", ["改过的", e2.pk])
    code, _out, err = run("ledgers", "verify")
    assert code == 1
    assert f"{book.where(e2)}：内容与哈希不符（被篡改）" in err
    assert f"{book.label}：校验失败，1 处问题" in err and "账本校验失败：共 1 处问题" in err
    assert run("points", "verify")[0] == 1          # the alias
    other = "points.StockEntry" if book.kind == "points" else "points.PointsLedgerEntry"
    assert run("ledgers", "verify", "--ledger", other)[0] == 0
    assert run("ledgers", "verify", "--ledger", book.model._meta.label)[0] == 1


# --------------------------------------------------------------------------- concurrency (PostgreSQL)

def spend_concurrently(book, n: int) -> list:
    return in_threads(n, lambda i: book.post(-3, f"spend-{i}") and "ok")


@pytest.mark.django_db(transaction=True)
def test_without_the_account_lock_concurrent_spending_passes_a_stale_balance_check(vendor_is_postgres, book,
                                                                                   monkeypatch):
    """The race the lock prevents, shown on the ORM posting path with the account read unlocked:
    20 spends of 3 from 10 all read the balance 10 before any writes, so none is refused as
    insufficient. Only the database stops them — the chain's unique sequence number (a product's
    chain) or the balance's CHECK (points, whose head lock serialises the writes) — and the points
    entries that got through record a balance after that is wrong."""
    book.post(10, "seed")
    monkeypatch.setattr(posting, "single_statement", lambda conn: False)
    all_read = threading.Barrier(20, timeout=30)
    locking = posting.lock_one

    def read_without_lock(model, *, using=None, **lookup):
        if model is not book.account_model:  # the points chain head stays locked
            return locking(model, using=using, **lookup)
        row = model._base_manager.db_manager(using).filter(**lookup).first()
        all_read.wait()
        return row

    monkeypatch.setattr(posting, "lock_one", read_without_lock)
    results = spend_concurrently(book, 20)
    assert book.insufficient_code not in results
    if book.kind == "points":
        assert sorted(results) == ["IntegrityError"] * 17 + ["ok"] * 3
        assert book.balance() == 1
        after = [e.balance_after for e in book.entries()]
        assert after == [10, 7, 7, 7]                          # each computed from the stale 10
        assert not ledger.verify(book.model).ok
    else:
        assert sorted(results) == ["IntegrityError"] * 19 + ["ok"]
        assert book.balance() == 7


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["orm", "one statement"])
def test_concurrent_spending_cannot_overdraw(vendor_is_postgres, book, monkeypatch, path):
    """The same 20 spends of 3 from 10 with the account locked: exactly 3 go through, 17 are
    refused as insufficient, the balance is 1 and the ledger verifies — on the ORM path and on
    PostgreSQL's one-statement path."""
    book.post(10, "seed")
    if path == "orm":
        monkeypatch.setattr(posting, "single_statement", lambda conn: False)
    results = spend_concurrently(book, 20)
    assert sorted(results) == [book.insufficient_code] * 17 + ["ok"] * 3
    assert book.balance() == 1
    assert [e.balance_after if book.kind == "points" else e.stock_after for e in book.entries()] == [10, 7, 4, 1]
    assert ledger.verify(book.model).ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_reversals_of_one_entry_reverse_it_once(vendor_is_postgres, book):
    entry = book.post(10, "seed")[0]
    book.post(10, "more")
    results = in_threads(10, lambda i: book.reverse(entry) and "ok")
    assert sorted(results) == ["already_reversed"] * 9 + ["ok"]
    assert book.balance() == 10
    assert book.model.objects.filter(reverses=entry).count() == 1
    assert ledger.verify(book.model).ok


@pytest.mark.django_db(transaction=True)
def test_the_lock_helper_holds_a_row_until_commit(vendor_is_postgres, points_site):  # noqa: F811 - the fixture
    """``lock`` takes the rows for the rest of the transaction: a second transaction's
    ``lock_one`` of the same row returns only after the first commits."""
    import time

    from django.db import transaction

    product = points_site.soap
    order: list[str] = []
    held = threading.Event()

    def first():
        try:
            with transaction.atomic():
                assert list(ledger.lock(Product, [product.pk, points_site.rice.pk])) == sorted(
                    [product.pk, points_site.rice.pk])
                held.set()
                time.sleep(0.5)
                order.append("first commits")
        finally:
            connections.close_all()

    def second():
        try:
            held.wait(5)
            with transaction.atomic():
                ledger.lock_one(Product, pk=product.pk)
                order.append("second holds the row")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert order == ["first commits", "second holds the row"]


# --------------------------------------------------------------------------- the real command

def test_jiceng_ledgers_verify_on_the_demo_district_fails_for_each_tampered_ledger(tmp_path):
    """As a user runs it: the demo district (built in bulk through ``chain_bulk``) verifies; an
    edit in either ledger's table makes ``jiceng ledgers verify`` (and ``jiceng points verify``)
    exit 1 naming the ledger and the entry; undone, it exits 0 again."""
    import sqlite3
    import subprocess

    from .test_cli import JICENG, env_for

    env = env_for(tmp_path)
    built = subprocess.run([JICENG, "demo", "--households", "30", "--seed", "4"], env=env, capture_output=True,
                           text=True, timeout=180)
    assert built.returncode == 0, built.stderr

    def verify(*args):
        return subprocess.run([JICENG, *args], env=env, capture_output=True, text=True, timeout=60)

    ok = verify("ledgers", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "积分流水（points.PointsLedgerEntry）：完整" in ok.stdout
    assert "库存流水（points.StockEntry）：完整" in ok.stdout
    db = sqlite3.connect(tmp_path / "jiceng.sqlite3")
    tampered = [("points_pointsledgerentry", "memo", "积分流水（points.PointsLedgerEntry）"),
                ("points_stockentry", "note", "库存流水（points.StockEntry）")]
    for table, column, label in tampered:
        pk, seq, text = db.execute(f"SELECT id, seq, {column} FROM {table} ORDER BY id LIMIT 1 OFFSET 3").fetchone()
        db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", ["改过的", pk])
        db.commit()
        for command in (("ledgers", "verify"), ("points", "verify")):
            bad = verify(*command)
            assert bad.returncode == 1, command
            assert f"流水 #{seq}" in bad.stderr and f"id {pk}）：内容与哈希不符（被篡改）" in bad.stderr
            assert f"{label}：校验失败，1 处问题" in bad.stderr
        db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", [text, pk])
        db.commit()
        assert verify("ledgers", "verify").returncode == 0
    db.close()
