"""Migration operations shared by the apps."""
from __future__ import annotations

from django.db import migrations


class UseBinaryCollation(migrations.operations.base.Operation):
    """On PostgreSQL, give path-like and search-key text columns the "C" collation.

    Materialised paths ("00001.00003.") and search keys (pinyin, reversed ID numbers) are compared
    byte by byte. With the "C" collation a plain btree serves both ``LIKE 'prefix%'`` (as a range)
    and ``ORDER BY`` on the same column, so a scoped, ordered, limited list walks one index and
    stops after a page. Under a linguistic collation (even C.UTF-8) PostgreSQL cannot use the btree
    for LIKE and falls back to walking another index while filtering: the 10–200 ms tails.

    SQLite compares bytes already (BINARY), so this is a no-op there. A later AlterField that
    changes one of these columns' type must restate the collation.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, columns: list[str]):
        self.table = table
        self.columns = columns

    def state_forwards(self, app_label, state):
        pass

    def _alter(self, schema_editor, model_state_lookup, collation):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in self.columns:
            with schema_editor.connection.cursor() as cur:
                cur.execute(
                    "SELECT character_maximum_length FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                    [self.table, column],
                )
                (length,) = cur.fetchone()
            kind = f"varchar({length})" if length else "text"
            schema_editor.execute(
                f'ALTER TABLE "{self.table}" ALTER COLUMN "{column}" TYPE {kind} COLLATE {collation}'
            )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(schema_editor, None, '"C"')

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(schema_editor, None, '"default"')

    def describe(self):
        return f"Use the C collation for {self.table}({', '.join(self.columns)}) on PostgreSQL"
