"""The ledger primitive (账本): one implementation for everything counted in units that must never
be lost — points, shop stock, and the performance points, collective funds (in fen) and volunteer
hours to come.

A ledger is an append-only entry model (``LedgerEntry``: account, sequence number, amount, balance
after, idempotency key, source, reversal of, hash chain), an account holding the balance, and a
chain head (``LedgerHead``; by default the account itself, see ``LedgerAccount``). Its operations:

    post(Entry, account=..., amount=..., idempotency_key=..., **columns)   -> (entry, created)
    reverse(entry, **columns)                                             -> the reversal entry
    verify(Entry) / verify_all()                                          -> what is wrong, if anything
    lock(Model, pks) / lock_one(Model, **lookup)                          row locks in key order

A new ledger is its models (and their migration): no ledger code of its own, nothing to register.
``jiceng ledgers verify`` finds every installed ``LedgerEntry`` subclass. core knows no domain app.
"""
from .base import (  # noqa: F401
    GENESIS, AlreadyReversed, InsufficientBalance, Ledger, LedgerAccount, LedgerEntry, LedgerError, LedgerHead,
    ledger_constraints, ledger_for, ledger_models,
)
from .posting import chain_bulk, chain_hash, hash_of, lock, lock_one, post, reverse  # noqa: F401
from .verify import LedgerCheck, LedgersCheck, verify, verify_all  # noqa: F401
