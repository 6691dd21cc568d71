"""Posting, reversal, the lock helpers and the chain hash.

``post`` is the one place a ledger balance changes. It locks the account, then the chain head
(the same row when the account is its own chain), replays an idempotency key already posted,
refuses (or, with ``clamp``, cuts) an overdraft, chains and inserts the entry and moves the
balance and the head, all in one transaction or savepoint. On PostgreSQL this is one prepared
statement (``statement.py``); elsewhere it runs through the ORM.
"""
from __future__ import annotations

import hashlib

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .base import GENESIS, AlreadyReversed, LedgerError, ledger_for


def chain_hash(prev_hash: str, seq: int, payload: str) -> str:
    """sha256(previous hash | sequence number | payload), hex."""
    return hashlib.sha256(f"{prev_hash}|{seq}|{payload}".encode()).hexdigest()


def hash_of(entry) -> str:
    """The hash an entry should carry, from its stored fields and ``prev_hash``."""
    meta = ledger_for(type(entry)).meta
    return chain_hash(entry.prev_hash, entry.seq, meta.payload([getattr(entry, a) for a in meta.hashed_attnames]))


# --------------------------------------------------------------------------- locks

def lock(model, pks, *, using: str | None = None) -> dict:
    """Lock rows by primary key for the rest of the transaction, in key order (every caller locks
    in the same order, so no two transactions wait on each other crosswise); ``{pk: row}``.
    On SQLite, which has no row locks, the database lock serialises writers instead."""
    qs = model._base_manager.db_manager(using).order_by("pk").select_for_update(of=("self",))
    return {row.pk: row for row in qs.filter(pk__in=sorted(set(pks)))}


def lock_one(model, *, using: str | None = None, **lookup):
    """Lock the one row matching ``lookup`` (a unique key) and return it, or ``None``."""
    qs = model._base_manager.db_manager(using).order_by("pk").select_for_update(of=("self",))
    return qs.filter(**lookup).first()


def single_statement(connection) -> bool:
    """Whether a posting runs as one PostgreSQL statement (``statement.py``) on this connection."""
    return connection.vendor == "postgresql"


# --------------------------------------------------------------------------- post

def post(entry_model, *, amount: int, idempotency_key: str, account=None, account_by: dict | None = None,
         open_account: dict | None = None, chain=None, source_type: str = "", source_id="", reverses=None,
         clamp: bool = False, now=None, **columns):
    """Post one entry to ``entry_model``'s ledger and return ``(entry, created)``.

    account       the account (instance or key); or
    account_by    ``{column: value}``, one unique column of the account model (e.g. the household)
    open_account  column values to open the account with when ``account_by`` finds none and the
                  amount is a credit (a concurrent opening of the same account is harmless)
    chain         the shared chain head (instance or key), for a ledger chained under one
    columns       the entry model's own columns (by name or attname); missing ones take defaults

    The same idempotency key in the same chain posts once: a second call returns the first entry
    with ``created=False``, whatever it asked for. A debit beyond the balance raises the ledger's
    ``InsufficientBalance`` — unless ``clamp`` is set, in which case the entry is cut to the
    balance, and nothing is written when the balance is zero (``(None, True)``); a debit from an
    account that does not exist is a debit from zero. Inside the caller's transaction the posting
    is a savepoint: a failure undoes only the posting.
    """
    ledger = ledger_for(entry_model)
    meta = ledger.meta
    amount = int(amount)
    if amount == 0:
        raise LedgerError(_("变动不能为 0"), field="amount")
    if not idempotency_key:
        raise LedgerError(_("缺少幂等键"), field="idempotency_key")
    if (account is None) == (account_by is None):
        raise TypeError("post() takes exactly one of account= and account_by=")
    if account_by is not None:
        if len(account_by) != 1:
            raise TypeError("account_by names exactly one unique column")
        ((lookup_name, lookup_value),) = account_by.items()
        lookup_field = meta.account_model._meta.get_field(lookup_name)
        if not (lookup_field.unique or lookup_field.primary_key):
            raise TypeError(f"{meta.account_model._meta.label}.{lookup_name} is not unique")
    else:
        lookup_field = meta.account_model._meta.pk
        lookup_value = getattr(account, "pk", account)
    if meta.chain_field is not None:
        if chain is None:
            raise TypeError(f"{entry_model._meta.label} is chained under {meta.chain_field.name}: pass chain=")
        chain = getattr(chain, "pk", chain)
    given = {"idempotency_key": idempotency_key, "source_type": source_type or "", "source_id": str(source_id or ""),
             "reverses_id": getattr(reverses, "pk", reverses)}
    for name, value in columns.items():
        field = meta.extra_by_name.get(name)
        if field is None or field.attname in given:
            raise TypeError(f"{entry_model._meta.label} has no column {name!r} of its own to post (or it is given twice)")
        convert = meta.given_db_value[field.attname]
        given[field.attname] = convert(value) if convert is not None else value
    for field in meta.extra_fields:
        if field.attname not in given:
            given[field.attname] = field.get_default()
    given["created_at"] = now or timezone.now()
    db = router.db_for_write(entry_model)
    connection = connections[db]
    if single_statement(connection):
        from .statement import post_in_one_statement

        return post_in_one_statement(ledger, connection, lookup_field=lookup_field, lookup_value=lookup_value,
                                     open_account=open_account, chain=chain, amount=amount, clamp=clamp, given=given)
    return _post_orm(ledger, db, lookup_field=lookup_field, lookup_value=lookup_value, open_account=open_account,
                     chain=chain, amount=amount, clamp=clamp, given=given)


def open_account_row(account_model, values: dict, *, using: str) -> None:
    """Open an account (balance zero, empty chain) unless a concurrent posting just did."""
    account_model._base_manager.db_manager(using).bulk_create([account_model(**values)], ignore_conflicts=True)


def _post_orm(ledger, db, *, lookup_field, lookup_value, open_account, chain, amount, clamp, given):
    meta = ledger.meta
    model = ledger.model
    lookup = {lookup_field.attname: lookup_value}
    with transaction.atomic(using=db):
        account = lock_one(meta.account_model, using=db, **lookup)
        head = None
        if meta.chain_field is not None:
            head = lock_one(meta.head_model, using=db, pk=chain)
            if head is None:
                raise LedgerError(_("账本链头不存在"), field="chain", code="no_chain")
        scope = chain if meta.chain_field is not None else getattr(account, "pk", None)
        if scope is not None:
            existing = (model._base_manager.db_manager(db)
                        .filter(**{meta.scope_field.attname: scope, "idempotency_key": given["idempotency_key"]})
                        .first())
            if existing is not None:
                return existing, False
        if account is None:
            if amount < 0:  # a debit from an account never opened: nothing to take
                if clamp:
                    return None, True
                raise ledger.insufficient(0, -amount)
            if open_account is None:
                raise LedgerError(_("账户不存在"), field="account", code="no_account")
            open_account_row(meta.account_model, {**open_account, **lookup}, using=db)
            account = lock_one(meta.account_model, using=db, **lookup)
        balance = getattr(account, meta.balance_field.attname)
        if balance + amount < 0:
            if not clamp:
                raise ledger.insufficient(balance, -amount)
            amount = -balance
            if amount == 0:
                return None, True
        if head is None:
            head = account
        seq = head.chain_seq + 1
        entry = model(**given, seq=seq, prev_hash=head.chain_hash)
        setattr(entry, meta.account_field.attname, account.pk)
        setattr(entry, meta.amount_field.attname, amount)
        setattr(entry, meta.after_field.attname, balance + amount)
        if meta.chain_field is not None:
            setattr(entry, meta.chain_field.attname, head.pk)
        entry.entry_hash = hash_of(entry)
        entry.save(force_insert=True, using=db)
        moved = {meta.balance_field.attname: F(meta.balance_field.attname) + amount}
        if meta.chain_field is None:
            moved.update(chain_seq=seq, chain_hash=entry.entry_hash)
        meta.account_model._base_manager.db_manager(db).filter(pk=account.pk).update(**moved)
        if meta.chain_field is not None:
            meta.head_model._base_manager.db_manager(db).filter(pk=head.pk).update(
                chain_seq=seq, chain_hash=entry.entry_hash)
    return entry, True


# --------------------------------------------------------------------------- reverse

def reverse(entry, *, idempotency_key: str | None = None, now=None, **columns):
    """Reverse an entry (冲正) with an opposite entry on the same account; the original is never
    edited. An entry is reversed at most once (the database's unique ``reverses`` holds it even
    against concurrent calls), and a reversal is not itself reversed. ``columns`` are the new
    entry's own columns (its kind, memo, actor...). Refused like any posting if the account no
    longer holds the amount to take back."""
    model = type(entry)
    meta = ledger_for(model).meta
    if entry.reverses_id is not None:
        raise LedgerError(_("冲正记录不能再冲正"), field="entry", code="reversal_of_reversal")
    if model._base_manager.filter(reverses=entry.pk).exists():
        raise AlreadyReversed()
    extra = {}
    if meta.chain_field is not None:
        extra["chain"] = getattr(entry, meta.chain_field.attname)
    try:
        reversal, created = post(model, account=getattr(entry, meta.account_field.attname),
                                 amount=-getattr(entry, meta.amount_field.attname),
                                 idempotency_key=idempotency_key or f"reversal:{entry.pk}",
                                 source_type=entry.source_type, source_id=entry.source_id, reverses=entry.pk, now=now,
                                 **extra, **columns)
    except IntegrityError:
        raise AlreadyReversed() from None
    if not created:  # the same reversal, posted by a concurrent call
        raise AlreadyReversed()
    return reversal


# --------------------------------------------------------------------------- bulk builders

def chain_bulk(entries: list) -> tuple[dict, dict]:
    """Number, link and hash unsaved entries, in posting order, of chains and accounts that have
    no entries yet, setting each one's balance after; for a builder that writes with
    ``bulk_create`` (the demo). Returns ``(heads, balances)``: ``{head key: (seq, hash)}`` and
    ``{account key: balance}``, which the builder stores on the head and account rows."""
    heads: dict = {}
    balances: dict = {}
    if not entries:
        return heads, balances
    meta = ledger_for(type(entries[0])).meta
    scope_attr = meta.scope_field.attname
    account_attr, amount_attr, after_attr = meta.account_field.attname, meta.amount_field.attname, meta.after_field.attname
    for entry in entries:
        scope = getattr(entry, scope_attr)
        account = getattr(entry, account_attr)
        seq, prev = heads.get(scope, (0, GENESIS))
        balance = balances.get(account, 0) + getattr(entry, amount_attr)
        setattr(entry, after_attr, balance)
        entry.seq = seq + 1
        entry.prev_hash = prev
        entry.entry_hash = hash_of(entry)
        heads[scope] = (entry.seq, entry.entry_hash)
        balances[account] = balance
    return heads, balances
