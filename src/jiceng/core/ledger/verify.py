"""Verification: every chain re-hashed, every balance re-derived.

For each ledger: each chain's entries are numbered 1, 2, 3... with no gap, each links to the
previous entry's hash and carries the hash of its own content; each entry's balance after is the
running sum of its account's entries and never negative; each chain head points at its last
entry; each account's stored balance is the sum of its entries; a reversal takes back exactly the
amount of the entry it reverses, on the same account. On PostgreSQL the check reads one snapshot
(repeatable read), so postings running meanwhile cannot make it report a false mismatch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.db.models import F

from .base import GENESIS, ledger_for, ledger_models
from .posting import chain_hash


@dataclass
class LedgerCheck:
    """The result for one ledger."""

    ledger: str
    chains: int = 0
    entries: int = 0
    accounts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class LedgersCheck:
    """The result for several ledgers."""

    ledgers: list[LedgerCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.ledgers)

    @property
    def problems(self) -> list[str]:
        return [p for c in self.ledgers for p in c.problems]

    @property
    def chains(self) -> int:
        return sum(c.chains for c in self.ledgers)

    @property
    def entries(self) -> int:
        return sum(c.entries for c in self.ledgers)

    @property
    def accounts(self) -> int:
        return sum(c.accounts for c in self.ledgers)


def verify_all(*, app_label: str | None = None, batch: int = 5000) -> LedgersCheck:
    """Verify every installed ledger (or those of one app)."""
    return LedgersCheck([verify(model, batch=batch) for model in ledger_models(app_label)])


def verify(entry_model, *, batch: int = 5000) -> LedgerCheck:
    """Verify one ledger; see the module's docstring for what is checked."""
    db = router.db_for_read(entry_model)
    connection = connections[db]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic(using=db):
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return _verify(entry_model, db, batch)
    return _verify(entry_model, db, batch)


def _verify(entry_model, db: str, batch: int) -> LedgerCheck:
    ledger = ledger_for(entry_model)
    meta = ledger.meta
    result = LedgerCheck(ledger.label)
    problems = result.problems
    name = ledger.label
    head_name = meta.head_model._meta.verbose_name
    account_name = meta.account_model._meta.verbose_name

    def chain_label(scope) -> str:
        return f"{head_name} #{scope}"

    scope_attr = meta.scope_field.attname
    account_attr = meta.account_field.attname
    amount_attr = meta.amount_field.attname
    after_attr = meta.after_field.attname
    columns = ["pk", "seq", "prev_hash", "entry_hash", scope_attr, account_attr, amount_attr, after_attr,
               *meta.hashed_attnames]
    columns = list(dict.fromkeys(columns))
    at = {c: i for i, c in enumerate(columns)}
    hashed_at = [at[a] for a in meta.hashed_attnames]
    payload = meta.payload
    rows = (entry_model._base_manager.db_manager(db).order_by(scope_attr, "seq").values_list(*columns)
            .iterator(chunk_size=batch))

    tails: dict = {}       # chain -> (last seq, last hash)
    running: dict = {}     # account -> sum of its entries
    scope = object()
    expected, prev = 1, GENESIS
    for row in rows:
        pk, seq, prev_hash, digest = row[0], row[1], row[2], row[3]
        this_scope, account, amount, after = row[at[scope_attr]], row[at[account_attr]], row[at[amount_attr]], \
            row[at[after_attr]]
        if this_scope != scope:
            scope = this_scope
            expected, prev = 1, GENESIS
        where = f"{name} {chain_label(scope)} 流水 #{seq}（{account_name} #{account}，id {pk}）"
        if seq > expected:
            problems.append(f"{name} {chain_label(scope)}：流水 #{expected}–#{seq - 1} 缺失")
        elif seq < expected:
            problems.append(f"{where}：序号错乱（此处应为 #{expected}）")
        if prev_hash != prev:
            problems.append(f"{where}：前序哈希与上一条不符（链被破坏）")
        if chain_hash(prev_hash, seq, payload([row[i] for i in hashed_at])) != digest:
            problems.append(f"{where}：内容与哈希不符（被篡改）")
        balance = running.get(account, 0) + amount
        if balance != after:
            problems.append(f"{where}：变动后余额 {after} 与累计 {balance} 不符")
        if balance < 0:
            problems.append(f"{where}：余额为负（{balance}）")
        running[account] = balance
        prev = digest
        expected = seq + 1
        tails[scope] = (seq, digest)
        result.entries += 1

    heads = meta.head_model._base_manager.db_manager(db).order_by("pk").values_list("pk", "chain_seq", "chain_hash")
    for pk, head_seq, head_hash in heads.iterator(chunk_size=batch):
        result.chains += 1
        last_seq, last_hash = tails.pop(pk, (0, GENESIS))
        if head_seq != last_seq:
            problems.append(f"{name} {chain_label(pk)}：链头指向 #{head_seq}，最后一条流水是 #{last_seq}")
        elif head_hash != last_hash:
            problems.append(f"{name} {chain_label(pk)}：链头哈希与最后一条流水 #{last_seq} 的哈希不符")
    for orphan in tails:
        problems.append(f"{name} {chain_label(orphan)}：流水所属的链头不存在")

    balances = meta.account_model._base_manager.db_manager(db).order_by("pk").values_list(
        "pk", meta.balance_field.attname)
    for pk, stored in balances.iterator(chunk_size=batch):
        result.accounts += 1
        derived = running.pop(pk, 0)
        if stored != derived:
            problems.append(f"{name} {account_name} #{pk}：余额 {stored} 与流水合计 {derived} 不符")
    for orphan in running:
        problems.append(f"{name} {account_name} #{orphan}：流水所属的账户不存在")

    reversals = (entry_model._base_manager.db_manager(db).filter(reverses__isnull=False)
                 .exclude(**{account_attr: F(f"reverses__{account_attr}"),
                             amount_attr: -F(f"reverses__{amount_attr}")}))
    # ``exclude`` of two conditions keeps rows where either differs: a reversal on another account
    # or of another amount than its original.
    for pk, seq, original in reversals.values_list("pk", "seq", "reverses_id"):
        problems.append(f"{name} 流水 id {pk}（#{seq}）：冲正的账户或金额与原流水 id {original} 不符")
    return result
