"""A posting on PostgreSQL as one statement, built from the ledger's models.

The whole posting is one statement (one round trip, its own transaction when the caller has none),
prepared once per connection. For an account found by ``column`` it reads:

    a   lock the account (first, as every posting does) and read its balance (and, when the
        account is its own chain, its chain head);
    d   has this key been posted in this chain? (an earlier commit; a concurrent one is caught by
        ON CONFLICT);
    v   the amount to post — cut to the balance when clamping — and only if the key is new, the
        balance stays >= 0 and the amount is not zero;
    p   the chain head: the account's own (read in a), or a shared head row locked now (joined to
        v, so it is taken after the account and held only from here to the commit);
    e   chain the entry (hashing in the database the same text ``hash_of`` hashes) and insert it;
    ua, up  move the balance and the head — only for an entry that was inserted.

The final row says which of these happened, so the caller can tell a replay, a refusal or a
missing account from a posting.

Hashing in the database: the payload is a JSON array of the hashed fields. Three of them are known
only to the statement (the account's key, the amount after clamping, the balance after); the
others are known to the caller, so the payload is cut around the three, the caller's pieces
passed as text parameters and the statement concatenates them with the three numbers (a JSON
integer is its decimal digits, as ``::text`` writes it).
"""
from __future__ import annotations

import psycopg
from django.db import transaction

from .base import LedgerMeta


class PostingStatement:
    """The statement of one ledger for accounts found by one column, and how to fill its parameters."""

    def __init__(self, meta: LedgerMeta, connection, lookup_field):
        q = connection.ops.quote_name
        entry_t = q(meta.model._meta.db_table)
        account_t = q(meta.account_model._meta.db_table)
        head_t = q(meta.head_model._meta.db_table)
        account_c = q(meta.account_field.column)
        amount_c = q(meta.amount_field.column)
        after_c = q(meta.after_field.column)
        balance_c = q(meta.balance_field.column)
        scope_c = q(meta.scope_field.column)
        entry_pk = q(meta.model._meta.pk.column)
        account_pk = q(meta.account_model._meta.pk.column)
        head_pk = q(meta.head_model._meta.pk.column)
        amount_type = meta.amount_field.db_type(connection)
        lookup_type = _typed(lookup_field, connection)
        shared = meta.chain_field is not None

        # The caller's columns, each a typed parameter named after its attname.
        self.given = [(f.attname, f"v_{f.attname}") for f in meta.given_fields]
        given_cols = ", ".join(q(f.column) for f in meta.given_fields)
        given_vals = ", ".join(f"%(v_{f.attname})s::{_typed(f, connection)}" for f in meta.given_fields)

        # The payload cut around the three numbers only the statement knows.
        in_db = {meta.account_field.attname: "p.account::text", meta.amount_field.attname: "p.amount::text",
                 meta.after_field.attname: "p.after::text"}
        tokens: list = ["["]
        for i, field in enumerate(meta.hashed_fields):
            if i:
                tokens.append(",")
            tokens.append(("db", in_db[field.attname]) if field.attname in in_db else ("value", i))
        tokens.append("]")
        # Runs of tokens between the statement's numbers become one text: a constant if it holds
        # only punctuation, else a parameter filled per call.
        pieces: list[str] = []
        self.segments: list[tuple[str, str, list[int], str]] = []  # (param, prefix, value indexes, suffix)
        run: list = []

        def flush():
            if not run:
                return
            values = [t[1] for t in run if isinstance(t, tuple)]
            if not values:
                pieces.append("'" + "".join(run) + "'")
            else:
                # Punctuation before the first value and after the last; between them the values
                # are separated by the array's single commas, which json.dumps writes.
                first = next(k for k, t in enumerate(run) if isinstance(t, tuple))
                last = max(k for k, t in enumerate(run) if isinstance(t, tuple))
                name = f"h{len(self.segments)}"
                self.segments.append((name, "".join(run[:first]), values, "".join(run[last + 1:])))
                pieces.append(f"%({name})s::text")
            run.clear()

        for token in tokens:
            if isinstance(token, tuple) and token[0] == "db":
                flush()
                pieces.append(token[1])
            elif isinstance(token, tuple):
                run.append(("value", token[1]))
            else:
                run.append(token)
        flush()
        self.hash_json = meta.hash_json
        self.hashed_attnames = meta.hashed_attnames
        self.chain_attname = meta.chain_field.attname if shared else None
        payload_sql = " || ".join(pieces)

        if shared:
            a = (f"a AS (SELECT {account_pk} AS id, {balance_c} AS balance FROM {account_t} "
                 f"WHERE {q(lookup_field.column)} = %(account)s::{lookup_type} FOR UPDATE), ")
            d = (f"d AS (SELECT {entry_pk} AS id FROM {entry_t} WHERE {scope_c} = %(chain)s::bigint "
                 f"AND idempotency_key = %(v_idempotency_key)s::text), ")
            p = (f"p AS (SELECT h.{head_pk} AS head, h.chain_seq + 1 AS seq, h.chain_hash AS prev, v.account, v.amount, "
                 f"v.after FROM {head_t} h, v WHERE h.{head_pk} = %(chain)s::bigint FOR UPDATE OF h), ")
            insert_cols = f"{q(meta.chain_field.column)}, "
            insert_vals = "p.head, "
            returning_chain = f"{q(meta.chain_field.column)} AS head, "
            moves = (f"ua AS (UPDATE {account_t} SET {balance_c} = e.after FROM e WHERE {account_t}.{account_pk} = e.account), "
                     f"up AS (UPDATE {head_t} SET chain_seq = e.seq, chain_hash = e.entry_hash FROM e "
                     f"WHERE {head_t}.{head_pk} = e.head) ")
        else:
            a = (f"a AS (SELECT {account_pk} AS id, {balance_c} AS balance, chain_seq, chain_hash FROM {account_t} "
                 f"WHERE {q(lookup_field.column)} = %(account)s::{lookup_type} FOR UPDATE), ")
            d = (f"d AS (SELECT {entry_pk} AS id FROM {entry_t} WHERE {scope_c} = (SELECT id FROM a) "
                 f"AND idempotency_key = %(v_idempotency_key)s::text), ")
            p = ("p AS (SELECT a.chain_seq + 1 AS seq, a.chain_hash AS prev, v.account, v.amount, v.after "
                 "FROM a, v), ")
            insert_cols = insert_vals = returning_chain = ""
            moves = (f"ua AS (UPDATE {account_t} SET {balance_c} = e.after, chain_seq = e.seq, "
                     f"chain_hash = e.entry_hash FROM e WHERE {account_t}.{account_pk} = e.account) ")
        self.sql = (
            "WITH " + a + d
            + "v AS (SELECT a.id AS account, a.balance + x.amount AS after, x.amount FROM a, LATERAL (SELECT CASE "
            f"WHEN %(clamp)s::boolean THEN GREATEST(%(amount)s::{amount_type}, -a.balance) "
            f"ELSE %(amount)s::{amount_type} END AS amount) x "
            "WHERE NOT EXISTS (SELECT 1 FROM d) AND a.balance + x.amount >= 0 AND x.amount <> 0), "
            + p
            + f"e AS (INSERT INTO {entry_t} ({insert_cols}seq, {account_c}, {amount_c}, {after_c}, {given_cols}, "
            "prev_hash, entry_hash) "
            f"SELECT {insert_vals}p.seq, p.account, p.amount, p.after, {given_vals}, p.prev, "
            "encode(sha256(convert_to(p.prev || '|' || p.seq::text || '|' || "
            + payload_sql + ", 'UTF8')), 'hex') FROM p "
            f"ON CONFLICT ({scope_c}, idempotency_key) DO NOTHING "
            f"RETURNING {entry_pk} AS id, {returning_chain}seq, {account_c} AS account, {amount_c} AS amount, {after_c} AS after, "
            "prev_hash, entry_hash), "
            + moves
            + "SELECT (SELECT id FROM a), (SELECT balance FROM a), (SELECT id FROM d), "
            "e.id, e.seq, e.account, e.amount, e.after, e.prev_hash, e.entry_hash "
            "FROM (SELECT 1) one LEFT JOIN e ON true"
        )

    def parameters(self, *, lookup_value, chain, amount: int, clamp: bool, given: dict) -> dict:
        params = {"account": lookup_value, "chain": chain, "amount": amount, "clamp": bool(clamp)}
        for attname, name in self.given:
            params[name] = given[attname]
        if self.segments:
            known = given if self.chain_attname is None else {**given, self.chain_attname: chain}
            params.update(self.payload_parts([known.get(a) for a in self.hashed_attnames]))
        return params

    def payload_parts(self, hashed: list) -> dict[str, str]:
        """The text parameters around the statement's numbers, from the hashed fields' values as
        stored (those only the statement knows are not read)."""
        out = {}
        enc = self.hash_json
        for name, prefix, indexes, suffix in self.segments:
            out[name] = prefix + ",".join([enc[i](hashed[i]) for i in indexes]) + suffix
        return out


def _typed(field, connection) -> str:
    """The type a parameter is cast to, so that one generic plan serves every call. Text stays
    ``text`` (a cast to ``varchar(n)`` would cut a value silently; the column refuses it instead)."""
    target = field.target_field if field.is_relation else field
    if target.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return "text"
    return field.db_type(connection)


def statement_for(ledger, connection, lookup_field) -> PostingStatement:
    key = (connection.alias, lookup_field.attname)
    stmt = ledger.statements.get(key)
    if stmt is None:
        stmt = ledger.statements[key] = PostingStatement(ledger.meta, connection, lookup_field)
    return stmt


def post_in_one_statement(ledger, connection, *, lookup_field, lookup_value, open_account, chain, amount, clamp,
                          given):
    """Run the ledger's statement (prepared) and turn its row into ``(entry, created)``.

    It runs on a psycopg cursor of Django's connection and is prepared once per connection, on its
    first use for a ledger declared ``prepare=True`` (parsing and planning it takes longer than
    running it), else once psycopg's ``prepare_threshold`` is reached; ``JICENG_PG_PREPARE=0``
    turns preparation off and the statement is planned on every call. Its parameters carry explicit
    types so one generic plan serves every call. Database errors come out as Django's
    (``wrap_database_errors``), as they would through ``connection.cursor()``."""
    meta = ledger.meta
    stmt = statement_for(ledger, connection, lookup_field)
    params = stmt.parameters(lookup_value=lookup_value, chain=chain, amount=amount, clamp=clamp, given=given)
    if connection.in_atomic_block:
        # Inside the caller's transaction a savepoint keeps a failed statement from aborting it
        # (the psycopg cursor bypasses Django's bookkeeping); in autocommit the statement is its own
        # transaction and needs none.
        with transaction.atomic(using=connection.alias):
            row = _run(stmt, params, connection, ledger, lookup_field, lookup_value, open_account, amount)
    else:
        row = _run(stmt, params, connection, ledger, lookup_field, lookup_value, open_account, amount)
    if row is None:  # a debit from an account never opened
        if clamp:
            return None, True
        raise ledger.insufficient(0, -amount)
    _account, balance, _existing, entry_id, seq, account_id, posted, after, prev, digest = row
    model = ledger.model
    if entry_id is None:
        # Posted before; or by a concurrent call with the same key that committed while this one
        # waited for the account (the statement's snapshot predates that wait, so its own check
        # missed it): a replay either way, whatever the balance now says.
        scope = chain if meta.chain_field is not None else _account
        replayed = (model._base_manager.db_manager(connection.alias)
                    .filter(**{meta.scope_field.attname: scope, "idempotency_key": given["idempotency_key"]}).first())
        if replayed is not None:
            return replayed, False
        effective = max(amount, -balance) if clamp else amount
        if effective == 0:
            return None, True  # a clamped debit from an empty account takes nothing
        raise ledger.insufficient(balance, -amount)
    # The entry as if read back: positional values through ``from_db`` (no keyword matching, no
    # defaults looked up, no descriptors), the same instance the ORM would load.
    row = dict(given)
    row[model._meta.pk.attname] = entry_id
    row["seq"], row["prev_hash"], row["entry_hash"] = seq, prev, digest
    row[meta.account_field.attname] = account_id
    row[meta.amount_field.attname] = posted
    row[meta.after_field.attname] = after
    if meta.chain_field is not None:
        row[meta.chain_field.attname] = chain
    return model.from_db(connection.alias, None, [row[a] for a in meta.row_attnames]), True


def _run(stmt, params, connection, ledger, lookup_field, lookup_value, open_account, amount):
    """The statement's row; ``None`` for a debit from an account never opened (nothing to take,
    nothing written)."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:
        cur.execute(stmt.sql, params, prepare=ledger.prepare)
        row = cur.fetchone()
        if row[0] is not None:
            return row
        if amount < 0:
            return None
        if open_account is None:
            from django.utils.translation import gettext as _

            from .base import LedgerError

            raise LedgerError(_("账户不存在"), field="account", code="no_account")
        # A first credit opens the account (a concurrent first posting meets the same unique key
        # and does nothing), then posts; both or neither.
        from .posting import open_account_row

        with transaction.atomic(using=connection.alias):
            open_account_row(ledger.meta.account_model, {**open_account, lookup_field.attname: lookup_value},
                             using=connection.alias)
            cur.execute(stmt.sql, params, prepare=ledger.prepare)
            return cur.fetchone()
