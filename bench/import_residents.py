"""Resident import at registry scale: ``imports.engine.import_file`` against PostgreSQL COPY and
django-import-export.

What it measures
----------------
A street office uploads its whole resident roll (居民台账) once: ~1,000,000 rows for 300,000
households. This script builds the organisation tree of a street that size (the demo builder's
``Builder(seed, households).build_tree()``: communities, grids, compounds, buildings, villages with
villager groups, a relocation site with floors) and one superuser, then writes a residents file in
the import template's layout (the 13 Chinese headers of ``spec.RESIDENTS``: 姓名, 身份证号, 性别, 出生日期,
联系电话, 民族, 户编号, 与户主关系, 所在单元编码, 户籍地址, 现居住地址, 居住状态, 特殊群体) with families from the
demo builder (valid GB 11643 ID numbers, birth dates and genders that agree with them, unique
phones, new household numbers with the leaf unit's code). The file is written as UTF-8 CSV and as
XLSX (xlsxwriter, constant_memory; birth dates as real date cells, as Excel users have them).

Then, in the same run:

  a. ours      ``import_file(actor=admin, kind="residents", filename="r.csv"/"r.xlsx", data=...)``,
               not a dry run: read, check every row, write households, residents, pinyin name keys,
               tags and heads in one transaction. Wall time of the call; the file's bytes are read
               before the clock starts. Each import runs in its own spawned child process, which
               reports its own peak RSS (VmHWM), so the memory figure is the import's (plus an
               idle Django process, whose RSS is printed as the baseline). A breakdown per phase
               is printed too: for the streaming importer (rows checked and written a batch at a
               time) the main thread's check rows / look-ups / check references / write / waiting
               for COPY, and the COPY (or bulk_create) time and rate per model, those COPYs running
               in a helper thread that overlaps the main thread's work; for an importer that reads
               everything first, read / validate / apply and the bulk writes per model.
  b. COPY      the physical baseline: ``COPY bench_copy_residents FROM STDIN (FORMAT csv, HEADER
               true)`` of the same CSV through psycopg into a plain (logged) table of 13 text
               columns with no indexes or constraints: what it costs just to move the bytes in.
  b'. floor  the same households, residents, name keys and tags our CSV import wrote, dumped and
               COPYed back (binary) into the real tables with their indexes and deferred foreign
               keys: the least any importer of this schema must pay to write. Once as migrated, once
               (rolled back) without the indexes a catalog query finds redundant (varchar_pattern_ops
               copies on C-collated columns; one-column indexes led by a multi-column one).
  c. dj-i-e    django-import-export 4 (``make bench-deps``, the ``bench`` extra; not a runtime
               dependency) importing the first ``--slice`` rows through a ``ModelResource`` for
               ``Resident`` as a Django developer would write it: fields mapped to the Chinese
               headers, households by number via ``ForeignKeyWidget``, units by code, and
               ``before_import_row`` checking the ID number, translating labels and filling the
               derived columns (org_path, name_search, *_rev), ``after_save_instance`` writing the
               pinyin name keys, tags and the household head. ``import_data(dry_run=False,
               use_transactions=True)``; the CSV parse (tablib) is inside the clock, as ours is.

Our import is also run on the same first ``--slice`` rows, for a like-for-like rate at that size.

Between imports the people tables are emptied with ``TRUNCATE ... CASCADE``. Because
``accounts_user.resident`` references ``people_resident`` the cascade also empties the users (and
their role/token/import-job rows), so the superuser is re-created after each truncate; the org tree
and the audit trail stay.

Targets (from the issue): our rows/s >= 25% of COPY's; >= 10x django-import-export's; peak memory
of the import < 1.5 GiB (1536 MiB).

With ``--profile N`` (default 20,000; 0 to skip) the first N rows are imported once more under
cProfile in a child process and the top functions by own time and by cumulative time are printed.

How to run
----------
    .venv/bin/python bench/import_residents.py                                  # 300,000 households
    .venv/bin/python bench/import_residents.py --households 3000 --slice 2000   # quick smoke run
    .venv/bin/python bench/import_residents.py --skip-xlsx

It needs PostgreSQL on 127.0.0.1:5432 with trust auth for user ``postgres``. It works only in its
own database ``jiceng_bench_import`` (created when missing, flushed at the start) and touches no
other. Files go to ``--workdir`` (default /tmp/jiceng_bench_import) and are deleted at the end
unless ``--keep-files``.
"""
from __future__ import annotations

import argparse
import csv
import io
import multiprocessing as mp
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

import psycopg

from _common import bench_environment, code_version, show_setting

DB_NAME = "jiceng_bench_import"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
RAW_DSN = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={DB_NAME}"
SEED = 2026
ADMIN = "bench-import-admin"
ADMIN_PASSWORD = "bench-import-Passw0rd-2026"
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header included
COPY_TABLE = "bench_copy_residents"
PEOPLE_TABLES = ["people_residentnamekey", "people_residenttag", "people_resident", "people_household"]
TARGET_COPY_SHARE = 0.25
TARGET_VS_DIE = 10.0
TARGET_PEAK_MB = 1536.0

assert DB_NAME not in {"test", "postgres", "jiceng_bench"} and not DB_NAME.startswith("jiceng_test_")

# Django's settings come from the environment: point them at the bench database before setup.
bench_environment(DATABASE_URL)

HEADERS = ["姓名", "身份证号", "性别", "出生日期", "联系电话", "民族", "户编号", "与户主关系", "所在单元编码",
           "户籍地址", "现居住地址", "居住状态", "特殊群体"]


def log(*args):
    print(*args, flush=True)


def setup_django():
    import django

    django.setup()


def proc_status(field: str) -> float:
    """VmHWM / VmRSS of this process in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ----------------------------------------------------------------------------- database

def ensure_database() -> bool:
    """Create ``jiceng_bench_import`` if missing (from template1's maintenance connection)."""
    try:
        psycopg.connect(RAW_DSN, connect_timeout=5).close()
        return False
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=template1",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}" TEMPLATE template0 ENCODING \'UTF8\'')
    return True


def create_admin():
    from jiceng.accounts.services import user_create

    return user_create(actor=None, username=ADMIN, password=ADMIN_PASSWORD, is_superuser=True)


def truncate_people():
    """Empty the people tables (the cascade reaches accounts_user), then re-create the superuser."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(PEOPLE_TABLES)} RESTART IDENTITY CASCADE")
    create_admin()


def build_tree(households: int):
    from django.core.management import call_command
    from django.db import transaction

    from jiceng.people.demo import Builder

    call_command("flush", interactive=False, verbosity=0)
    b = Builder(seed=SEED, households=households)
    with transaction.atomic():
        b.build_tree()
    create_admin()
    return b


def people_counts() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for t in PEOPLE_TABLES:
            cur.execute(f"SELECT count(*) FROM {t}")
            out[t] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM people_household WHERE head_id IS NOT NULL")
        out["heads"] = cur.fetchone()[0]
    return out


# ----------------------------------------------------------------------------- the file

REL_WORD = {("head", "M"): "户主", ("head", "F"): "户主", ("spouse", "M"): "夫", ("spouse", "F"): "妻",
            ("child", "M"): "儿子", ("child", "F"): "女儿", ("parent", "M"): "父亲", ("parent", "F"): "母亲",
            ("grandchild", "M"): "孙子", ("grandchild", "F"): "孙女"}


def generate(b, households: int, csv_path: Path, xlsx_path: Path | None):
    """Write the residents file; returns stats. Families, names, IDs and phones from the demo builder."""
    import datetime as dt

    from jiceng.people.demo import ETHNICITIES, REFERENCE_DATE

    rng = b.rng
    leaves = b.leaves
    t0 = time.monotonic()
    rows = 0
    tags_total = 0
    household_rows = []  # (first row index) of each household, to cut the XLSX at a household boundary
    step = max(1, households // 10)
    with open(csv_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i in range(households):
            leaf, prefix, place = leaves[i % len(leaves)]
            seq = b.house_seq.get(leaf.pk, 0) + 1
            b.house_seq[leaf.pk] = seq
            if place == "village":
                address = f"{prefix}{seq}号"
            elif place == "relocation":
                address = f"{prefix}{(seq % 6) + 1}层{seq:03d}室"
            else:
                address = (f"{prefix}{(seq - 1) // 12 % 3 + 1}单元{(seq - 1) % 12 // 2 + 1}0{(seq - 1) % 2 + 1}室"
                           if seq <= 72 else f"{prefix}{seq}号")
            number = f"{leaf.code}-{seq:04d}"
            fam = b.family()
            household_rows.append(rows)
            for person, rel in fam:
                age = (REFERENCE_DATE - person["birth"]).days // 365
                phone = b.phone() if age >= 16 and rng.random() < 0.8 else ""
                status = "在住"
                x = rng.random()
                if rel != "head":
                    if x < 0.02:
                        status = "已迁出"
                    elif x < 0.025 and age > 60:
                        status = "已故"
                tags = []
                if age >= 80:
                    tags.append("80岁以上老人")
                if age >= 70 and len(fam) == 1:
                    tags.append("独居老人")
                if rng.random() < 0.02:
                    tags.append("残疾人")
                if place == "relocation":
                    tags.append("易地搬迁")
                if age < 16 and rel == "grandchild" and rng.random() < 0.5:
                    tags.append("留守儿童")
                if person["gender"] == "M" and age >= 40 and rng.random() < 0.04:
                    tags.append("退役军人")
                if rel == "head" and rng.random() < (0.12 if place != "building" else 0.03):
                    tags.append("低保户")
                tags_total += len(tags)
                birth: dt.date = person["birth"]
                w.writerow([
                    person["name"], person["id"], "男" if person["gender"] == "M" else "女",
                    f"{birth.year}-{birth.month}-{birth.day}", phone, rng.choice(ETHNICITIES), number,
                    REL_WORD[(str(rel), person["gender"])], leaf.code, address,
                    address if rng.random() < 0.3 else "", status, "、".join(tags),
                ])
                rows += 1
            if (i + 1) % step == 0:
                log(f"  {i + 1:>9,}/{households:,} households, {rows:>10,} rows, {time.monotonic() - t0:6.1f} s")
    csv_s = time.monotonic() - t0
    stats = {"rows": rows, "households": households, "tags": tags_total, "csv_s": csv_s,
             "csv_bytes": csv_path.stat().st_size, "xlsx_rows": 0, "xlsx_households": 0}
    if xlsx_path is not None:
        t = time.monotonic()
        stats["xlsx_rows"], stats["xlsx_households"] = write_xlsx(csv_path, xlsx_path, household_rows, rows)
        stats["xlsx_s"] = time.monotonic() - t
        stats["xlsx_bytes"] = xlsx_path.stat().st_size
    return stats


def write_xlsx(csv_path: Path, xlsx_path: Path, household_rows: list[int], total: int) -> tuple[int, int]:
    """The CSV's rows as an .xlsx sheet (cut at a household boundary if over Excel's row limit)."""
    import datetime as dt

    import xlsxwriter

    starts = household_rows + [total]  # starts[k] = rows in the first k households
    k = len(household_rows)
    while starts[k] > XLSX_MAX_ROWS - 1:
        k -= 1
    cut_rows = starts[k]
    wb = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    ws = wb.add_worksheet("居民")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    n = 0
    with open(csv_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        ws.write_row(0, 0, next(reader))
        for r, row in enumerate(reader, start=1):
            if n >= cut_rows:
                break
            for c, v in enumerate(row):
                if c == 3:
                    y, m, d = (int(x) for x in v.split("-"))
                    ws.write_datetime(r, c, dt.datetime(y, m, d), date_fmt)
                elif v:
                    ws.write_string(r, c, v)
            n += 1
    wb.close()
    return n, k


def slice_csv(path: Path, rows: int) -> bytes:
    """Header + the first ``rows`` data rows (one line each: no field holds a newline)."""
    out = io.BytesIO()
    with open(path, "rb") as f:
        for i, line in enumerate(f):
            if i > rows:
                break
            out.write(line)
    return out.getvalue()


# ----------------------------------------------------------------------------- COPY baseline

def copy_baseline(csv_path: Path) -> tuple[int, float]:
    cols = ", ".join(f"c{i + 1:02d} text" for i in range(len(HEADERS)))
    with psycopg.connect(RAW_DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        conn.execute(f"CREATE TABLE {COPY_TABLE} ({cols})")
        t = time.perf_counter()
        with (conn.transaction(), conn.cursor() as cur, open(csv_path, "rb") as f,
              cur.copy(f"COPY {COPY_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)") as cp):
            while chunk := f.read(1 << 20):
                cp.write(chunk)
        seconds = time.perf_counter() - t
        n = conn.execute(f"SELECT count(*) FROM {COPY_TABLE}").fetchone()[0]
    return n, seconds


def drop_copy_table():
    with psycopg.connect(RAW_DSN, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")


REDUNDANT_INDEXES_SQL = """
SELECT c.relname
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary AND i.indexprs IS NULL
  AND i.indpred IS NULL AND (
    -- a varchar_pattern_ops copy of an index on a column that already has the C collation
    (c.relname LIKE '%%\\_like' AND EXISTS (
        SELECT 1 FROM pg_attribute a JOIN pg_collation co ON co.oid = a.attcollation
        WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0] AND co.collname = 'C'))
    -- a one-column index whose column leads another (multi-column, plain) index
    OR (i.indnatts = 1 AND c.relname NOT LIKE '%%\\_like' AND EXISTS (
        SELECT 1 FROM pg_index j WHERE j.indrelid = i.indrelid AND j.indexrelid <> i.indexrelid
          AND j.indnatts > 1 AND j.indkey[0] = i.indkey[0] AND j.indclass[0] = i.indclass[0]
          AND j.indexprs IS NULL AND j.indpred IS NULL)))
ORDER BY 1
"""


def copy_floor(workdir: Path) -> dict:
    """The write floor: COPY the exact rows our import wrote back into the real tables.

    Dumps the four people tables (binary COPY TO), truncates them, then loads them with COPY FROM
    in one transaction per variant, deferred foreign keys checked (SET CONSTRAINTS ALL IMMEDIATE):
    first (if there are any) with the indexes this query calls redundant dropped inside the
    transaction (rolled back, so the schema is unchanged), then as migrated (committed; the rows
    are then counted); each into freshly truncated tables.
    """
    tables = ["people_household", "people_resident", "people_residentnamekey", "people_residenttag"]
    files = {t: workdir / f"{t}.copy" for t in tables}
    with psycopg.connect(RAW_DSN, autocommit=True) as conn:
        before = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        for t in tables:
            with conn.cursor() as cur, open(files[t], "wb") as f, cur.copy(f"COPY {t} TO STDOUT (FORMAT binary)") as cp:
                f.writelines(cp)
        redundant = [r[0] for r in conn.execute(REDUNDANT_INDEXES_SQL, [tables]).fetchall()]
        n_indexes = {t: conn.execute("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [t]).fetchone()[0]
                     for t in tables}
    out = {"rows": before, "redundant": redundant, "indexes": n_indexes}
    # Each variant loads into freshly truncated tables: a rolled-back load leaves its dead pages and
    # index entries behind, which would slow the next one.
    for variant in (["without redundant indexes"] if redundant else []) + ["as migrated"]:
        truncate_people()
        with psycopg.connect(RAW_DSN) as conn:
            if variant != "as migrated":
                for name in redundant:
                    conn.execute(f'DROP INDEX "{name}"')
            per_table = {}
            t0 = time.perf_counter()
            for t in tables:
                t1 = time.perf_counter()
                with conn.cursor() as cur, open(files[t], "rb") as f, \
                        cur.copy(f"COPY {t} FROM STDIN (FORMAT binary)") as cp:
                    while chunk := f.read(1 << 20):
                        cp.write(chunk)
                per_table[t] = time.perf_counter() - t1
            t1 = time.perf_counter()
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            per_table["deferred FK checks"] = time.perf_counter() - t1
            if variant == "as migrated":
                t1 = time.perf_counter()
                conn.commit()
                per_table["commit"] = time.perf_counter() - t1
            seconds = time.perf_counter() - t0
            if variant != "as migrated":
                conn.rollback()
        out[variant] = (seconds, per_table)
    with psycopg.connect(RAW_DSN, autocommit=True) as conn:
        after = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    assert after == before, (before, after)
    for f in files.values():
        f.unlink()
    return out


# ----------------------------------------------------------------------------- children

def child_ours(path: str, filename: str, limit: int, profile: bool, queue):
    """One import_file call in a fresh process: timings per phase, peak RSS, optional cProfile."""
    try:
        setup_django()
        from django.db.models.query import QuerySet

        from jiceng.accounts.models import User
        from jiceng.imports import engine, readers

        admin = User.objects.get(username=ADMIN)
        baseline_mb = proc_status("VmRSS")
        data = slice_csv(Path(path), limit) if limit else Path(path).read_bytes()
        phases: dict[str, float] = defaultdict(float)
        hwm: dict[str, float] = {}
        writes: dict[str, list] = defaultdict(lambda: [0, 0.0])

        def timed(name, fn, per_row=False):
            def wrapper(*a, **kw):
                t = time.perf_counter()
                try:
                    return fn(*a, **kw)
                finally:
                    phases[name] += time.perf_counter() - t
                    if not per_row:  # reading /proc once per row would slow the import measured
                        hwm[name] = proc_status("VmHWM")
            return wrapper

        readers.read_sheet = timed("read", readers.read_sheet)
        R = engine.ResidentImporter
        if getattr(R, "streaming", False):
            # The streaming importer: rows are checked, looked up and written a batch at a time (CSV
            # parsing happens while the rows are iterated, so it is in "rest").
            R.check_row = timed("check rows", R.check_row, per_row=True)
            R.lookup_batch = timed("look-ups", R.lookup_batch)
            R.check_refs = timed("check references", R.check_refs, per_row=True)
            R.write_batch = timed("write (main thread)", R.write_batch)
            if hasattr(R, "wait_writes"):
                R.wait_writes = timed("waiting for COPY", R.wait_writes, per_row=True)
            from jiceng.imports import writers

            orig_insert = writers.RowWriter.insert

            def insert(self, rows, *a, **kw):
                t = time.perf_counter()
                try:
                    return orig_insert(self, rows, *a, **kw)
                finally:
                    if not self.copy:
                        w = writes[f"{self.model.__name__}.bulk_create"]
                        w[0] += len(rows)
                        w[1] += time.perf_counter() - t

            writers.RowWriter.insert = insert
            if hasattr(writers.RowWriter, "copy_rows"):
                orig_copy_rows = writers.RowWriter.copy_rows

                def copy_rows(self, conn, rows, *a, **kw):
                    t = time.perf_counter()
                    try:
                        return orig_copy_rows(self, conn, rows, *a, **kw)
                    finally:
                        w = writes[f"{self.model.__name__}.COPY (helper thread)"]
                        w[0] += len(rows)
                        w[1] += time.perf_counter() - t

                writers.RowWriter.copy_rows = copy_rows
            orig_set = writers.set_column

            def set_column(model, column, pairs):
                t = time.perf_counter()
                try:
                    return orig_set(model, column, pairs)
                finally:
                    w = writes[f"{model.__name__}.{column} UPDATE FROM"]
                    w[0] += len(pairs)
                    w[1] += time.perf_counter() - t

            writers.set_column = set_column
            sys.modules[R.__module__].set_column = set_column  # the name the importer calls
        else:
            R.validate = timed("validate", R.validate)
            R.apply = timed("apply", R.apply)
        for op in ("bulk_create", "bulk_update"):
            orig = getattr(QuerySet, op)

            def wrapped(qs, objs, *a, _orig=orig, _op=op, **kw):
                objs = list(objs)
                t = time.perf_counter()
                try:
                    return _orig(qs, objs, *a, **kw)
                finally:
                    w = writes[f"{qs.model.__name__}.{_op}"]
                    w[0] += len(objs)
                    w[1] += time.perf_counter() - t

            setattr(QuerySet, op, wrapped)

        prof = None
        if profile:
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        t = time.perf_counter()
        result = engine.import_file(actor=admin, kind="residents", filename=filename, data=data)
        seconds = time.perf_counter() - t
        if prof is not None:
            prof.disable()
        out = {"seconds": seconds, "total": result.total, "created": result.created, "applied": result.applied,
               "errors": [e.as_dict() for e in result.errors[:10]], "n_errors": len(result.errors),
               "n_warnings": len(result.warnings), "households_created": result.extra.get("households_created"),
               "peak_mb": proc_status("VmHWM"), "baseline_mb": baseline_mb, "phases": dict(phases), "hwm": hwm,
               "writes": {k: tuple(v) for k, v in writes.items()}, "data_mb": len(data) / 2**20}
        if prof is not None:
            import pstats

            for key in ("tottime", "cumulative"):
                s = io.StringIO()
                pstats.Stats(prof, stream=s).strip_dirs().sort_stats(key).print_stats(28)
                out[f"profile_{key}"] = s.getvalue()
        queue.put(out)
    except BaseException as exc:  # noqa: BLE001 - report, don't hang the parent
        import traceback

        queue.put({"exception": f"{exc!r}\n{traceback.format_exc()}"})


def make_resident_resource():
    """The ModelResource a Django developer would write for the residents template."""
    from django.core.exceptions import ValidationError
    from import_export import fields, resources, widgets

    from jiceng.imports.engine import RELATIONSHIP_WORDS
    from jiceng.imports.parsers import split_list
    from jiceng.orgs.models import OrgUnit
    from jiceng.people.idnumber import check_id_number
    from jiceng.people.models import (
        Household,
        Relationship,
        Resident,
        ResidentNameKey,
        ResidentStatus,
        ResidentTag,
        SpecialGroup,
    )
    from jiceng.people.search import name_keys, to_simplified

    genders = {"男": "M", "女": "F"}
    statuses = {str(label): value for value, label in ResidentStatus.choices}
    tag_values = {str(label): value for value, label in SpecialGroup.choices}

    class ResidentResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        gender = fields.Field(attribute="gender", column_name="性别")
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期",
                                  widget=widgets.DateWidget(format="%Y-%m-%d"))
        phone = fields.Field(attribute="phone", column_name="联系电话")
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
        household = fields.Field(attribute="household", column_name="户编号",
                                 widget=widgets.ForeignKeyWidget(Household, "number"))
        relationship = fields.Field(attribute="relationship", column_name="与户主关系")
        org_unit = fields.Field(attribute="org_unit", column_name="所在单元编码",
                                widget=widgets.ForeignKeyWidget(OrgUnit, "code"))
        registered_address = fields.Field(attribute="registered_address", column_name="户籍地址")
        actual_address = fields.Field(attribute="actual_address", column_name="现居住地址")
        status = fields.Field(attribute="status", column_name="居住状态")
        # Derived columns, filled in before_import_row.
        org_path = fields.Field(attribute="org_path", column_name="org_path")
        name_search = fields.Field(attribute="name_search", column_name="name_search")
        id_number_rev = fields.Field(attribute="id_number_rev", column_name="id_number_rev")
        phone_rev = fields.Field(attribute="phone_rev", column_name="phone_rev")

        class Meta:
            model = Resident
            import_id_fields = ("id_number",)
            fields = ("name", "id_number", "gender", "birth_date", "phone", "ethnicity", "household",
                      "relationship", "org_unit", "registered_address", "actual_address", "status", "org_path",
                      "name_search", "id_number_rev", "phone_rev")

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.units: dict[str, OrgUnit] = {}

        def before_import_row(self, row, **kwargs):
            check = check_id_number(row["身份证号"])
            if not check.ok:
                raise ValidationError({"id_number": check.errors})
            row["身份证号"] = check.number
            gender = genders.get(row["性别"], check.gender)
            if gender != check.gender:
                raise ValidationError({"gender": "性别与身份证号不一致"})
            row["性别"] = gender
            code = row["所在单元编码"]
            unit = self.units.get(code)
            if unit is None:
                unit = self.units[code] = OrgUnit.objects.get(code=code)
            address = row["现居住地址"] or row["户籍地址"]
            if row["户编号"]:
                Household.objects.get_or_create(number=row["户编号"], defaults={
                    "org_unit": unit, "org_path": unit.path, "address": address or row["户编号"]})
            row["与户主关系"] = RELATIONSHIP_WORDS.get(row["与户主关系"], "")
            row["居住状态"] = statuses[row["居住状态"] or "在住"]
            row["民族"] = row["民族"] or "汉族"
            row["org_path"] = unit.path
            row["name_search"] = to_simplified(row["姓名"])
            row["id_number_rev"] = check.number[::-1]
            row["phone_rev"] = row["联系电话"][::-1]

        def after_save_instance(self, instance, row, **kwargs):
            if kwargs.get("dry_run"):
                return
            ResidentNameKey.objects.filter(resident=instance).delete()
            ResidentNameKey.objects.bulk_create(
                [ResidentNameKey(resident=instance, key=k.key, kind=k.kind, org_path=instance.org_path)
                 for k in name_keys(instance.name)])
            ResidentTag.objects.filter(resident=instance).delete()
            ResidentTag.objects.bulk_create(
                [ResidentTag(resident=instance, tag=tag_values[t], org_path=instance.org_path)
                 for t in dict.fromkeys(split_list(row["特殊群体"]))])
            if instance.relationship == Relationship.HEAD and instance.household_id:
                Household.objects.filter(pk=instance.household_id).update(head=instance)

    return ResidentResource


def child_import_export(path: str, limit: int, queue):
    try:
        setup_django()
        import tablib

        baseline_mb = proc_status("VmRSS")
        data = slice_csv(Path(path), limit)
        resource = make_resident_resource()()
        t = time.perf_counter()
        dataset = tablib.Dataset().load(data.decode("utf-8"), format="csv")
        result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
        seconds = time.perf_counter() - t
        queue.put({"seconds": seconds, "total": result.total_rows, "totals": dict(result.totals),
                   "has_errors": result.has_errors() or result.has_validation_errors(),
                   "peak_mb": proc_status("VmHWM"), "baseline_mb": baseline_mb})
    except BaseException as exc:  # noqa: BLE001 - report, don't hang the parent
        import traceback

        queue.put({"exception": f"{exc!r}\n{traceback.format_exc()}"})


def run_child(target, *args) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    out = q.get()  # before join: a large message would otherwise block the child's exit
    p.join()
    if "exception" in out:
        raise RuntimeError("child failed:\n" + out["exception"])
    return out


# ----------------------------------------------------------------------------- reporting

def print_breakdown(label: str, r: dict):
    ph = r["phases"]
    other = r["seconds"] - sum(ph.values())
    if "check rows" in ph:
        log(f"  {label}: {r['seconds']:.1f} s = " + " + ".join(f"{k} {v:.1f} s" for k, v in ph.items())
            + f" + rest (CSV/XLSX parsing while iterating, commit, audit, sha256) {other:.1f} s; file "
            f"{r['data_mb']:.0f} MiB; RSS idle Django {r['baseline_mb']:.0f} MiB, peak after read "
            f"{r['hwm'].get('read', 0):.0f}, at end {r['peak_mb']:.0f} MiB"
            + "  (phases are the main thread's; the COPYs below run in a helper thread, overlapping them,"
            " and the main thread waits for them only in 'waiting for COPY')")
        for k, (n, s) in sorted(r["writes"].items(), key=lambda kv: -kv[1][1]):
            log(f"      {k:<32} {n:>10,} rows {s:7.1f} s  {n / max(s, 1e-9):>9,.0f} rows/s")
        return
    log(f"  {label}: {r['seconds']:.1f} s = read {ph.get('read', 0):.1f} s + validate {ph.get('validate', 0):.1f} s"
        f" + apply {ph.get('apply', 0):.1f} s + rest (commit, audit, sha256) {other:.1f} s;"
        f" file {r['data_mb']:.0f} MiB; RSS idle Django {r['baseline_mb']:.0f} MiB, peak after read "
        f"{r['hwm'].get('read', 0):.0f}, after validate {r['hwm'].get('validate', 0):.0f}, after apply "
        f"{r['hwm'].get('apply', 0):.0f}, at end {r['peak_mb']:.0f} MiB")
    for k, (n, s) in sorted(r["writes"].items(), key=lambda kv: -kv[1][1]):
        log(f"      {k:<32} {n:>10,} rows {s:7.1f} s  {n / max(s, 1e-9):>9,.0f} rows/s")


def check_counts(label, counts, expect_rows, expect_households, expect_tags):
    ok = (counts["people_resident"] == expect_rows and counts["people_household"] == expect_households
          and counts["heads"] == expect_households and counts["people_residenttag"] == expect_tags
          and counts["people_residentnamekey"] >= expect_rows)
    log(f"  {label} wrote: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        + ("  (as expected)" if ok else f"  MISMATCH: expected {expect_rows:,} residents, "
           f"{expect_households:,} households/heads, {expect_tags:,} tags"))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--households", type=int, default=300_000)
    ap.add_argument("--slice", type=int, default=50_000, help="rows for django-import-export")
    ap.add_argument("--skip-xlsx", action="store_true")
    ap.add_argument("--profile", type=int, default=20_000, help="rows for the cProfile run (0: skip)")
    ap.add_argument("--workdir", default="/tmp/jiceng_bench_import")
    ap.add_argument("--keep-files", action="store_true")
    args = ap.parse_args()
    started = time.monotonic()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = workdir / "r.csv", (None if args.skip_xlsx else workdir / "r.xlsx")

    created = ensure_database()
    log(f"Database {DB_NAME} on {PG_HOST}:{PG_PORT}" + (" (created)" if created else "")
        + f"; code at {code_version()}")
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        log(cur.fetchone()[0].split(" on ")[0], "| settings:", ", ".join(
            f"{k}={show_setting(cur, k)}" for k in ("shared_buffers", "work_mem", "synchronous_commit", "wal_level",
                                             "max_wal_size")))
    import django
    import import_export

    log(f"Django {django.get_version()}, django-import-export {import_export.__version__}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")

    # ------------------------------------------------------------------ tree + file
    t = time.monotonic()
    b = build_tree(args.households)
    from jiceng.orgs.models import OrgUnit

    log(f"Flushed; built the org tree ({OrgUnit.objects.count():,} units, {len(b.leaves):,} leaf units where "
        f"households live) and superuser {ADMIN} in {time.monotonic() - t:.1f} s")
    log(f"Generating {args.households:,} households -> {csv_path}" + (f" and {xlsx_path}" if xlsx_path else ""))
    g = generate(b, args.households, csv_path, xlsx_path)
    n_rows = g["rows"]
    log(f"Generated {n_rows:,} residents in {args.households:,} households ({n_rows / args.households:.2f} per "
        f"household, {g['tags']:,} tags): CSV {g['csv_s']:.1f} s, {g['csv_bytes'] / 2**20:,.1f} MiB"
        + (f"; XLSX {g['xlsx_s']:.1f} s, {g['xlsx_bytes'] / 2**20:,.1f} MiB, {g['xlsx_rows']:,} rows" if xlsx_path else ""))
    if xlsx_path and g["xlsx_rows"] < n_rows:
        log(f"  NOTE: XLSX holds at most {XLSX_MAX_ROWS - 1:,} data rows; it has the first {g['xlsx_rows']:,} rows "
            f"({g['xlsx_households']:,} whole households)")
    del b

    table = []  # (method, rows, seconds, peak)

    # ------------------------------------------------------------------ b. COPY
    log("\nCOPY baseline (plain table, 13 text columns, no indexes) ...")
    copy_rows, copy_s = copy_baseline(csv_path)
    assert copy_rows == n_rows, (copy_rows, n_rows)
    log(f"  COPY {copy_rows:,} rows in {copy_s:.2f} s")
    table.append(("PostgreSQL COPY (CSV -> text table)", copy_rows, copy_s, None))
    drop_copy_table()

    # ------------------------------------------------------------------ a. ours
    ok = True
    truncate_people()
    log(f"\nOur import of the CSV ({n_rows:,} rows), in a child process ...")
    ours_csv = run_child(child_ours, str(csv_path), "r.csv", 0, False)
    if ours_csv["n_errors"] or not ours_csv["applied"]:
        log(f"  NOT APPLIED: {ours_csv['n_errors']} errors, first: {ours_csv['errors']}")
        ok = False
    print_breakdown("CSV", ours_csv)
    ok &= check_counts("CSV", people_counts(), n_rows, args.households, g["tags"])
    table.append(("jiceng import_file, CSV", ours_csv["total"], ours_csv["seconds"], ours_csv["peak_mb"]))

    # ------------------------------------------------------------------ b'. the write floor
    log("\nWrite floor: COPY the rows our CSV import wrote back into the real tables (indexes, deferred FKs) ...")
    floor = copy_floor(workdir)
    log("  rows: " + ", ".join(f"{t} {n:,} ({floor['indexes'][t]} indexes)" for t, n in floor["rows"].items()))
    log(f"  indexes the catalog query calls redundant ({len(floor['redundant'])}): {', '.join(floor['redundant'])}")
    for variant in ("as migrated", "without redundant indexes"):
        if variant in floor:
            secs, per = floor[variant]
            log(f"  {variant}: {secs:.1f} s = " + " + ".join(f"{k} {v:.1f}" for k, v in per.items()))
    table.append(("COPY into the real tables (rows ours wrote)", n_rows, floor["as migrated"][0], None))
    if "without redundant indexes" in floor:
        table.append(("  same, redundant indexes dropped", n_rows, floor["without redundant indexes"][0], None))

    ours_xlsx = None
    if xlsx_path:
        truncate_people()
        log(f"\nOur import of the XLSX ({g['xlsx_rows']:,} rows), in a child process ...")
        ours_xlsx = run_child(child_ours, str(xlsx_path), "r.xlsx", 0, False)
        if ours_xlsx["n_errors"] or not ours_xlsx["applied"]:
            log(f"  NOT APPLIED: {ours_xlsx['n_errors']} errors, first: {ours_xlsx['errors']}")
            ok = False
        print_breakdown("XLSX", ours_xlsx)
        xlsx_tags = None
        counts = people_counts()
        if g["xlsx_rows"] == n_rows:
            xlsx_tags = g["tags"]
        ok &= check_counts("XLSX", counts, g["xlsx_rows"], g["xlsx_households"],
                           xlsx_tags if xlsx_tags is not None else counts["people_residenttag"])
        table.append(("jiceng import_file, XLSX", ours_xlsx["total"], ours_xlsx["seconds"], ours_xlsx["peak_mb"]))

    # ------------------------------------------------------------------ c. django-import-export
    truncate_people()
    n_slice = min(args.slice, n_rows)
    log(f"\ndjango-import-export, first {n_slice:,} rows of the CSV, in a child process ...")
    die = run_child(child_import_export, str(csv_path), n_slice)
    log(f"  {die['seconds']:.1f} s, totals {die['totals']}, errors: {die['has_errors']}; RSS idle "
        f"{die['baseline_mb']:.0f} MiB, peak {die['peak_mb']:.0f} MiB")
    counts = people_counts()
    log("  wrote: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if die["has_errors"] or counts["people_resident"] != n_slice:
        ok = False
    table.append((f"django-import-export (first {n_slice:,} rows)", n_slice, die["seconds"], die["peak_mb"]))

    # ours on the same slice, for a like-for-like rate at the same size
    truncate_people()
    ours_slice = run_child(child_ours, str(csv_path), "r.csv", n_slice, False)
    table.append((f"jiceng import_file, CSV (first {n_slice:,} rows)", ours_slice["total"], ours_slice["seconds"],
                  ours_slice["peak_mb"]))

    # ------------------------------------------------------------------ profile
    prof = None
    if args.profile:
        truncate_people()
        n_prof = min(args.profile, n_rows)
        log(f"\ncProfile of our import of the first {n_prof:,} rows (CSV) ...")
        prof = run_child(child_ours, str(csv_path), "r.csv", n_prof, True)
        log(f"  {prof['seconds']:.1f} s under cProfile ({n_prof / prof['seconds']:,.0f} rows/s with profiler overhead)")
    truncate_people()

    # ------------------------------------------------------------------ table
    copy_rate = copy_rows / copy_s
    width = 108
    log("\n" + "=" * width)
    log(f"{'method':<48} {'rows':>10} {'seconds':>9} {'rows/s':>10} {'vs COPY':>9} {'peak MiB':>9}")
    log("-" * width)
    for method, rows, s, peak in table:
        rate = rows / s
        log(f"{method:<48} {rows:>10,} {s:>9.2f} {rate:>10,.0f} {rate / copy_rate:>8.1%} "
            f"{(f'{peak:,.0f}' if peak is not None else '-'):>9}")
    log("-" * width)
    log(f"(peak MiB = VmHWM of the child process that ran the import; an idle child with Django loaded is "
        f"{ours_csv['baseline_mb']:.0f} MiB)")

    die_rate = n_slice / die["seconds"]
    checks = []
    for label, r in [("CSV", ours_csv), ("XLSX", ours_xlsx)]:
        if r is None:
            continue
        rate = r["total"] / r["seconds"]
        checks.append((f"ours ({label}) rows/s >= {TARGET_COPY_SHARE:.0%} of COPY",
                       f"{rate:,.0f} vs {TARGET_COPY_SHARE * copy_rate:,.0f} needed ({rate / copy_rate:.1%} of COPY)",
                       rate >= TARGET_COPY_SHARE * copy_rate))
        checks.append((f"ours ({label}) >= {TARGET_VS_DIE:.0f}x django-import-export",
                       f"{rate / die_rate:.1f}x ({rate:,.0f} vs {die_rate:,.0f} rows/s)", rate >= TARGET_VS_DIE * die_rate))
        checks.append((f"ours ({label}) peak memory < 1.5 GiB", f"{r['peak_mb']:,.0f} MiB",
                       r["peak_mb"] < TARGET_PEAK_MB))
    slice_rate = ours_slice["total"] / ours_slice["seconds"]
    log(f"\nTargets ({n_rows:,} rows; django-import-export on {n_slice:,} rows; ours on the same {n_slice:,} rows: "
        f"{slice_rate:,.0f} rows/s = {slice_rate / die_rate:.1f}x it)")
    for label, detail, passed in checks:
        log(f"  {'PASS' if passed else 'FAIL'}  {label:<50} {detail}")
    log(f"  For scale: 25% of COPY means all {n_rows:,} rows in {n_rows / (TARGET_COPY_SHARE * copy_rate):.1f} s; "
        f"COPYing only the rows the import writes into the real tables takes {floor['as migrated'][0]:.1f} s"
        + (f" ({floor['without redundant indexes'][0]:.1f} s without the redundant indexes)."
           if "without redundant indexes" in floor else " (no index the catalog query calls redundant is left)."))
    if not ok:
        log("  (!) a run did not write what was expected; see above")

    if prof is not None:
        log(f"\ncProfile, first {min(args.profile, n_rows):,} rows, by own time:")
        log(_trim_profile(prof["profile_tottime"]))
        log("cProfile, by cumulative time:")
        log(_trim_profile(prof["profile_cumulative"]))

    if not args.keep_files:
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"Total run time {time.monotonic() - started:.0f} s")
    return 0 if ok and all(p for _, _, p in checks) else 1


def _trim_profile(text: str) -> str:
    lines = text.splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip().startswith("ncalls")), 0)
    return "\n".join(l for l in lines[start - 1 if start else 0:] if l.strip())


if __name__ == "__main__":
    sys.exit(main())
