"""Writing many rows at once, inside the import's transaction.

Rows come as tuples of field values in a fixed order. On PostgreSQL they go through ``COPY ...
FROM STDIN`` (psycopg's ``cursor.copy()``), with primary keys taken from the table's sequence
beforehand, so no per-row SQL is built or quoted; elsewhere (SQLite) through ``bulk_create``. Both
give the same rows: the fields not named get their model default, timestamps are "now".
"""
from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model
from django.utils import timezone

# Off switch (and what the tests flip to compare the two paths on PostgreSQL).
USE_COPY = True


def copy_available() -> bool:
    return USE_COPY and connection.vendor == "postgresql"


class RowWriter:
    """Inserts tuples of ``fields`` values into ``model``'s table; returns the new primary keys."""

    def __init__(self, model: type[Model], fields: Sequence[str], *, copy: bool | None = None):
        self.model = model
        self.fields = list(fields)
        self.copy = copy_available() if copy is None else copy
        meta = model._meta
        self.table = meta.db_table
        by_name = {f.name: f for f in meta.concrete_fields}
        self.columns = [by_name[name].column for name in self.fields]
        self.attnames = [by_name[name].attname for name in self.fields]
        self.pk_column = meta.pk.column
        now = timezone.now()
        # The other columns: their defaults, computed once (auto_now/auto_now_add: this moment).
        self.rest_columns, self.rest_values = [], []
        for f in meta.concrete_fields:
            if f.primary_key or f.name in self.fields:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or not f.null:
                value = f.get_db_prep_save(f.get_default(), connection)
            else:
                value = None
            self.rest_columns.append(f.column)
            self.rest_values.append(value)
        self.rest_values = tuple(self.rest_values)

    def reserve_ids(self, n: int) -> list[int]:
        """``n`` primary keys from the table's sequence (PostgreSQL)."""
        if not n:
            return []
        with connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                        [self.table, self.pk_column, n])
            return [r[0] for r in cur.fetchall()]

    def insert(self, rows: Sequence[tuple], *, ids: Sequence[int] | None = None, want_ids: bool = True) -> list[int]:
        """Insert ``rows``; with ``ids`` (COPY only) use those keys. Returns the keys (or [] if not wanted)."""
        if not rows:
            return []
        if not self.copy:
            objs = [self.model(**dict(zip(self.attnames, row))) for row in rows]
            self.model.objects.bulk_create(objs, batch_size=2000)
            return [o.pk for o in objs] if want_ids else []
        if ids is None and want_ids:
            ids = self.reserve_ids(len(rows))
        connection.ensure_connection()
        self.copy_rows(connection.connection, rows, ids)
        return list(ids) if ids is not None else []

    def copy_rows(self, raw_connection, rows: Sequence[tuple], ids: Sequence[int] | None = None) -> None:
        """COPY ``rows`` (with ``ids`` as keys, if given) over a psycopg connection."""
        if not rows:
            return
        rest = self.rest_values
        cols = self.columns + self.rest_columns
        if ids is not None:
            cols = [self.pk_column] + cols
        sql = f"COPY {_q(self.table)} ({', '.join(_q(c) for c in cols)}) FROM STDIN"
        with raw_connection.cursor() as cur, cur.copy(sql) as cp:
            write = cp.write_row
            if ids is not None:
                for pk, row in zip(ids, rows, strict=True):
                    write((pk, *row, *rest))
            else:
                for row in rows:
                    write((*row, *rest))


class CopyPipeline:
    """COPYs run in a helper thread on the import's own connection (so inside its transaction) while
    the caller reads and checks the next batch: PostgreSQL's work on one batch (indexes, mostly)
    overlaps Python's work on the next. One batch's COPYs at a time; ``wait()`` before the caller
    uses the connection again (its look-ups), so the connection is never used by both at once."""

    def __init__(self):
        from concurrent.futures import ThreadPoolExecutor

        connection.ensure_connection()
        self.raw = connection.connection
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jiceng-import-copy")
        self.pending = None

    def submit(self, jobs: list[tuple[RowWriter, Sequence[tuple], Sequence[int] | None]]) -> None:
        self.wait()
        self.pending = self.executor.submit(self._run, jobs)

    def _run(self, jobs) -> None:
        for writer, rows, ids in jobs:
            writer.copy_rows(self.raw, rows, ids)

    def wait(self) -> None:
        """Wait for the COPYs in flight; their error, if any, is raised here."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.executor.shutdown(wait=True)


def set_column(model: type[Model], column: str, pairs: Sequence[tuple[int, object]]) -> None:
    """``UPDATE table SET column = v.value FROM (pairs) AS v WHERE id = v.id``: one statement per chunk."""
    if not pairs:
        return
    table = _q(model._meta.db_table)
    col, pk = _q(column), _q(model._meta.pk.column)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for i in range(0, len(pairs), 50000):
                chunk = pairs[i:i + 50000]
                cur.execute(f"UPDATE {table} AS t SET {col} = v.val FROM unnest(%s::bigint[], %s::bigint[]) "
                            f"AS v(id, val) WHERE t.{pk} = v.id", [[p[0] for p in chunk], [p[1] for p in chunk]])
        else:
            # SQLite (>= 3.33 has UPDATE ... FROM); chunked under its limit on bound variables.
            for i in range(0, len(pairs), 2000):
                chunk = pairs[i:i + 2000]
                values = ", ".join(["(%s, %s)"] * len(chunk))
                cur.execute(f"UPDATE {table} SET {col} = v.column2 FROM (VALUES {values}) AS v "
                            f"WHERE {table}.{pk} = v.column1", [x for p in chunk for x in p])


def _q(name: str) -> str:
    return connection.ops.quote_name(name)
