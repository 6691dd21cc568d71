"""Resident search at registry scale: ``selectors.resident_page`` against hand-written SQL.

What it measures
----------------
The resident list page (and ``GET /api/residents``) counts through ``selectors.resident_list`` and
reads the rows of the page through ``selectors.resident_page(user=..., q=..., limit=20)``, the
selector's one-statement read of the same rows. This script times exactly that call (scope, SQL
building, the query through Django's connection, model instances with their household and unit),
for three real scoped users of the demo
district: ``demo-grid`` (one grid, ~500 residents), ``demo-community`` (one community) and
``demo-street`` (the whole street, ~1,000,000 residents), and four kinds of search text:

    name      name prefix: common surname (王), surname + given char (王伟), full names,
              rare surnames, and prefixes that match nothing
    pinyin    pinyin initials prefix ("w", "wj", "lxm"), full-pinyin prefixes ("wangw"),
              initials of rare surnames, and letters that match nothing
    id        last 4 / last 6 characters of real ID numbers, and 6-digit suffixes that match nothing
    phone     last 4 digits of real phone numbers (in scope and out of scope)

Every value is drawn from the data itself with ``random.Random(SEED)`` (>= 200 per kind), so a run
is repeatable. Beside each selector call the same search runs as hand-written SQL (same filters,
same ORDER BY, LIMIT 20, same joined columns) through psycopg over TCP as a server-side prepared
statement. Both see the same warm cache: one warm-up pass over every value, then the timed pass,
selector and SQL interleaved per value. Both must return the same ids (checked).

A row PASSes when the selector's p95 is under 50 ms and within 2x of the SQL's p95. For a row
that fails, the selector's SQL for its slowest value is run under EXPLAIN (ANALYZE, BUFFERS) and
the plan is printed. For reference the table also shows the p95 of the same page read through the
ORM queryset, ``list(resident_list(user=user, q=q)[:20])`` (what the page ran before
``resident_page``), timed in the same pass.

How to run
----------
    .venv/bin/python bench/registry_search.py                  # build 300,000 households, measure
    .venv/bin/python bench/registry_search.py --reuse          # keep the data if it is already built
    .venv/bin/python bench/registry_search.py --households 3000 --per-kind 50   # quick smoke run

It needs PostgreSQL on 127.0.0.1:5432 with trust auth for user ``postgres``. It works only in its
own database ``jiceng_bench`` (created when missing, flushed before a build) and touches no other.
The build of 300,000 households (~1,000,000 residents) takes a while; its time and a breakdown
per bulk step are printed.
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import defaultdict

import psycopg

from _common import bench_environment, code_version, show_setting

DB_NAME = "jiceng_bench"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
RAW_DSN = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={DB_NAME}"
SEED = 2026
PAGE = 20
TARGET_P95_MS = 50.0
TARGET_RATIO = 2.0
SCOPES = [("grid", "demo-grid"), ("community", "demo-community"), ("street", "demo-street")]
KINDS = ["name", "pinyin", "id", "phone"]

assert DB_NAME not in {"test", "postgres"} and not DB_NAME.startswith("jiceng_test_")

# Django's settings come from the environment: point them at the bench database before setup.
bench_environment(DATABASE_URL)


def log(*args):
    print(*args, flush=True)


# ----------------------------------------------------------------------------- database

def ensure_database():
    """Create ``jiceng_bench`` if missing (from template1's maintenance connection, not ``postgres``)."""
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


class BulkTimer:
    """Time every bulk_create / bulk_update by model while the demo builds (no change to src)."""

    def __init__(self):
        from django.db.models.query import QuerySet

        self.QuerySet = QuerySet
        self.seconds = defaultdict(float)
        self.rows = defaultdict(int)
        self._orig = {}

    def __enter__(self):
        for name in ("bulk_create", "bulk_update"):
            orig = getattr(self.QuerySet, name)
            self._orig[name] = orig

            def timed(qs, objs, *args, _orig=orig, _name=name, **kwargs):
                objs = list(objs)
                t = time.perf_counter()
                try:
                    return _orig(qs, objs, *args, **kwargs)
                finally:
                    key = f"{qs.model.__name__}.{_name}"
                    self.seconds[key] += time.perf_counter() - t
                    self.rows[key] += len(objs)

            setattr(self.QuerySet, name, timed)
        return self

    def __exit__(self, *exc):
        for name, orig in self._orig.items():
            setattr(self.QuerySet, name, orig)


def build(households: int):
    from django.core.management import call_command
    from django.db import connection

    from jiceng.core.demo import demo_build

    log(f"Flushing {DB_NAME} and building the demo district: {households:,} households, seed {SEED} ...")
    t0 = time.monotonic()
    call_command("flush", interactive=False, verbosity=0)
    t_flush = time.monotonic() - t0
    step = max(1, households // 10)
    last = [0]

    def progress(made, total, n_res):
        if made - last[0] >= step or made == total:
            last[0] = made
            el = time.monotonic() - t_build
            log(f"  {made:>9,}/{total:,} households, {n_res:>10,} residents, {el:7.1f} s "
                f"({made / max(el, 1e-9):,.0f} households/s)")

    t_build = time.monotonic()
    with BulkTimer() as timer:
        b = demo_build(households=households, seed=SEED, progress=progress, only=("people",)).built["people"]
    build_s = time.monotonic() - t_build
    t = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")  # settle visibility map + statistics: no autovacuum mid-run
    vacuum_s = time.monotonic() - t
    log(f"Build: {build_s:.1f} s in demo_build (flush {t_flush:.1f} s, VACUUM ANALYZE {vacuum_s:.1f} s)")
    db_s = sum(timer.seconds.values())
    log(f"  of which bulk writes {db_s:.1f} s, Python generation (names, ID numbers, pinyin keys) "
        f"{build_s - db_s:.1f} s")
    for key, s in sorted(timer.seconds.items(), key=lambda kv: -kv[1]):
        log(f"    {key:<34} {timer.rows[key]:>10,} rows {s:8.1f} s  {100 * s / build_s:5.1f}%")
    return b


def data_present(households: int) -> bool:
    from jiceng.accounts.models import User
    from jiceng.people.models import Household

    return (Household.objects.count() == households
            and User.objects.filter(username__in=[u for _, u in SCOPES]).count() == len(SCOPES))


def print_counts():
    from django.db import connection

    tables = ["orgs_orgunit", "people_household", "people_resident", "people_residentnamekey",
              "people_residenttag", "people_partymember"]
    with connection.cursor() as cur:
        parts = []
        for t in tables:
            cur.execute(f"SELECT count(*), pg_size_pretty(pg_total_relation_size('{t}')) FROM {t}")
            n, size = cur.fetchone()
            parts.append(f"{t.split('_', 1)[1]} {n:,} ({size})")
    log("Rows: " + ", ".join(parts))


# ----------------------------------------------------------------------------- parameters

def draw_params(cur, scope_path: str, rng: random.Random, per_kind: int) -> dict[str, list[tuple[str, str]]]:
    """Search values for one scope, drawn from the data: {kind: [(group, q), ...]}."""
    like = scope_path + "%"
    cur.execute("SELECT id FROM people_resident WHERE org_path LIKE %s ORDER BY id", [like])
    scope_ids = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT id FROM people_resident ORDER BY id")
    all_ids = [r[0] for r in cur.fetchall()]

    def residents(ids, n):
        picked = [ids[rng.randrange(len(ids))] for _ in range(n)]
        cur.execute("SELECT id, name_search, id_number, phone FROM people_resident WHERE id = ANY(%s)", [picked])
        rows = {r[0]: r for r in cur.fetchall()}
        return [rows[i] for i in picked]

    def initials(ids):
        cur.execute("SELECT r.id, k.key FROM people_resident r JOIN people_residentnamekey k ON k.resident_id = r.id "
                    "WHERE r.id = ANY(%s) AND k.kind = 2 ORDER BY r.id, k.key",
                    [list(ids)])
        out = {}
        for rid, key in cur.fetchall():
            out.setdefault(rid, key)
        return out

    # Surnames of the whole street by frequency: the rare ones are the planner's tail.
    cur.execute("SELECT left(name_search, 1), count(*) FROM people_resident GROUP BY 1 ORDER BY 2, 1")
    by_freq = cur.fetchall()
    rare = [s for s, _ in by_freq[:30]]

    def absent(sql_pred, value):
        cur.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {sql_pred})", [value])
        return cur.fetchone()[0]

    n = per_kind
    q: dict[str, list[tuple[str, str]]] = {k: [] for k in KINDS}

    # name ------------------------------------------------------------------------------------
    rows = residents(scope_ids, n)
    q["name"] += [("surname", r[1][0]) for r in rows[: n * 20 // 100]]
    q["name"] += [("surname+given", r[1][:2]) for r in rows[n * 20 // 100: n * 50 // 100]]
    q["name"] += [("full name", r[1]) for r in rows[n * 50 // 100: n * 70 // 100]]
    q["name"] += [("rare surname", rare[i % len(rare)]) for i in range(n * 15 // 100)]
    nomatch = []
    compound = ["欧阳", "诸葛", "司马", "上官", "皇甫", "慕容", "令狐", "宇文", "东方", "公孙", "端木", "闻人"]
    for s in compound:
        if absent("people_resident WHERE name_search LIKE %s", s + "%"):
            nomatch.append(s)
    odd_chars = "鬼龘犇骉鱻猋麤靐齾爨"
    while len(nomatch) < n * 15 // 100:
        cand = rng.choice(by_freq[-20:])[0] + rng.choice(odd_chars)
        if absent("people_resident WHERE name_search LIKE %s", cand + "%"):
            nomatch.append(cand)
    q["name"] += [("no match", s) for s in nomatch[: n * 15 // 100]]

    # pinyin ----------------------------------------------------------------------------------
    rows = residents(scope_ids, n)
    keys = initials(r[0] for r in rows)
    cur.execute("SELECT k.key, r.name_search FROM people_residentnamekey k JOIN people_resident r "
                "ON r.id = k.resident_id WHERE left(r.name_search, 1) = ANY(%s) "
                "AND k.kind = 2 ORDER BY k.id LIMIT 200", [rare[:10]])
    rare_keys = [k for k, _ in cur.fetchall()]
    cur.execute("SELECT k.key FROM people_residentnamekey k WHERE k.resident_id = ANY(%s) "
                "AND k.kind = 0 AND length(k.key) > 4 ORDER BY k.id", [[r[0] for r in rows[: n // 10]]])
    full_keys = [k for (k,) in cur.fetchall()]
    inits = [keys[r[0]] for r in rows if r[0] in keys]
    q["pinyin"] += [("1 letter", k[:1]) for k in inits[: n * 10 // 100]]
    q["pinyin"] += [("2 initials", k[:2]) for k in inits[n * 10 // 100: n * 50 // 100]]
    q["pinyin"] += [("full initials", k) for k in inits[n * 50 // 100: n * 80 // 100]]
    q["pinyin"] += [("full-pinyin prefix", k[:5]) for k in rng.sample(full_keys, min(len(full_keys), n // 10))]
    q["pinyin"] += [("rare-surname initials", k) for k in rng.sample(rare_keys, min(len(rare_keys), n // 20))]
    nomatch = []
    letters = "abcdefghijklmnopqrstuvwxyz"
    while len(nomatch) < n // 10:
        cand = rng.choice("iuv") + "".join(rng.choice(letters) for _ in range(rng.randint(0, 2)))
        if len(nomatch) % 2:
            cand = rng.choice(letters) + rng.choice(letters) + rng.choice(letters)
        if absent("people_residentnamekey WHERE key LIKE %s", cand + "%"):
            nomatch.append(cand)
    q["pinyin"] += [("no match", k) for k in nomatch]

    # id --------------------------------------------------------------------------------------
    rows = residents(scope_ids, n)
    q["id"] += [("id last 4", r[2][-4:]) for r in rows[: n // 2]]
    q["id"] += [("id last 6", r[2][-6:]) for r in rows[n // 2: n * 9 // 10]]
    nomatch = []
    while len(nomatch) < n // 10:
        cand = f"{rng.randrange(10 ** 6):06d}"
        rev = cand[::-1] + "%"
        if (absent("people_resident WHERE id_number_rev LIKE %s", rev)
                and absent("people_resident WHERE phone_rev LIKE %s", rev)):
            nomatch.append(cand)
    q["id"] += [("no match", s) for s in nomatch]

    # phone -----------------------------------------------------------------------------------
    phones = []
    while len(phones) < n * 9 // 10:
        for r in residents(scope_ids, n):
            if r[3] and len(phones) < n * 9 // 10:
                phones.append(r[3][-4:])
    q["phone"] += [("phone last 4", p) for p in phones]
    out_phones = []
    while len(out_phones) < n // 10:
        for r in residents(all_ids, n):
            if r[3] and len(out_phones) < n // 10:
                out_phones.append(r[3][-4:])
    q["phone"] += [("any street phone", p) for p in out_phones]
    return q


# ----------------------------------------------------------------------------- raw SQL

SELECT = """
SELECT r.*, h.*, o.*
FROM people_resident r
LEFT JOIN people_household h ON h.id = r.household_id
JOIN orgs_orgunit o ON o.id = r.org_unit_id
"""
RAW_SQL = {
    "name": SELECT + "WHERE r.org_path LIKE %s AND r.name_search LIKE %s ORDER BY r.name_search, r.id LIMIT 20",
    # The residents whose key equals the text (a bounded equality range of the key index) and the first
    # PINYIN_WINDOW residents in key order (a bounded, scoped walk), ranked: exact full name, exact
    # surname reading, exact initials, prefix; then each candidate's smallest matching spelling.
    "pinyin": SELECT.replace("SELECT r.*, h.*, o.*", "SELECT r.*, h.*, o.*, (SELECT min(CASE WHEN k2.key = %s "
                             "THEN k2.kind ELSE 3 END) FROM people_residentnamekey k2 WHERE k2.resident_id = r.id "
                             "AND k2.key LIKE %s) AS match_rank, (SELECT min(k2.key) FROM "
                             "people_residentnamekey k2 WHERE k2.resident_id = r.id AND k2.key LIKE %s "
                             "AND k2.kind <> 1) AS match_key")
              + "WHERE r.org_path LIKE %s AND r.id IN (SELECT a.resident_id FROM (SELECT k.resident_id "
                "FROM people_residentnamekey k WHERE k.key = %s AND k.org_path LIKE %s "
                "ORDER BY k.key, k.resident_id LIMIT %s) a UNION ALL SELECT b.resident_id FROM (SELECT k.resident_id "
                "FROM people_residentnamekey k WHERE k.key LIKE %s AND k.org_path LIKE %s "
                "ORDER BY k.key, k.resident_id LIMIT %s) b) "
                "ORDER BY match_rank, match_key, r.id LIMIT 20",
    # Few matches: both prefix ranges, then a sort that no index can supply.
    "id": SELECT + "WHERE r.org_path LIKE %s AND (r.id_number_rev LIKE %s OR r.phone_rev LIKE %s) "
                   "ORDER BY r.id_number_rev || '', r.id LIMIT 20",
}


def raw_query(kind: str, scope_path: str, q: str):
    """The same search by hand: what ``resident_list`` means, written as SQL."""
    from jiceng.people.search import QUERY_ID, QUERY_PINYIN, classify_query

    k, value = classify_query(q)
    scope = scope_path + "%"
    if k == QUERY_ID:
        rev = value[::-1] + "%"
        return RAW_SQL["id"], [scope, rev, rev]
    if k == QUERY_PINYIN:
        from jiceng.people.search import MAX_ROWS_PER_NAME
        from jiceng.people.selectors import PINYIN_WINDOW

        bound = MAX_ROWS_PER_NAME * (PINYIN_WINDOW + 1)
        return RAW_SQL["pinyin"], [value, value + "%", value + "%", scope, value, scope, PINYIN_WINDOW + 1,
                                   value + "%", scope, bound]
    return RAW_SQL["name"], [scope, value + "%"]


# ----------------------------------------------------------------------------- timing

def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[min(len(s), max(1, math.ceil(p / 100 * len(s)))) - 1]


def measure(user, scope_path, params, raw_cur):
    """Warm-up pass, then the timed pass; returns per-value (group, q, selector ms, raw ms)."""
    from jiceng.people import selectors

    def run_selector(q):
        t = time.perf_counter()
        rows = selectors.resident_page(user=user, q=q, limit=PAGE)
        return (time.perf_counter() - t) * 1000, [r.id for r in rows]

    def run_orm(q):
        t = time.perf_counter()
        rows = list(selectors.resident_list(user=user, q=q)[:PAGE])
        return (time.perf_counter() - t) * 1000, [r.id for r in rows]

    def run_raw(kind, q):
        sql, args = raw_query(kind, scope_path, q)
        t = time.perf_counter()
        raw_cur.execute(sql, args, prepare=True)
        rows = raw_cur.fetchall()
        return (time.perf_counter() - t) * 1000, [r[0] for r in rows]

    results, mismatches = [], []
    for timed in (False, True):
        for i, (kind, group, q) in enumerate(params):
            if i % 2:  # alternate who goes first, so neither always meets the colder cache
                (s_ms, s_ids), (r_ms, r_ids) = run_selector(q), run_raw(kind, q)
            else:
                (r_ms, r_ids), (s_ms, s_ids) = run_raw(kind, q), run_selector(q)
            o_ms, o_ids = run_orm(q)
            if timed:
                results.append((group, q, s_ms, r_ms, o_ms))
                if not s_ids == r_ids == o_ids:
                    mismatches.append(q)
    return results, mismatches


def explain_selector(user, q: str) -> str:
    from django.db import connection

    from jiceng.people import selectors

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        selectors.resident_page(user=user, q=q, limit=PAGE)
    sql = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)  # already bound; no parameters, so % stays as is
        plan = "\n".join(r[0] for r in cur.fetchall())
    return f"-- q={q!r}\n-- SQL: {sql}\n{plan}"


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--households", type=int, default=300_000)
    ap.add_argument("--reuse", action="store_true", help="keep the data if it is already built")
    ap.add_argument("--per-kind", type=int, default=200, help="search values per kind and scope (>= 200)")
    args = ap.parse_args()
    started = time.monotonic()

    created = ensure_database()
    log(f"Database {DB_NAME} on {PG_HOST}:{PG_PORT}" + (" (created)" if created else "") + f"; code at {code_version()}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from jiceng.accounts.models import User
    from jiceng.accounts.scope import scope_for

    call_command("migrate", verbosity=0)
    if args.reuse and data_present(args.households):
        log(f"--reuse: {args.households:,} households already built, skipping the build")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        build(args.households)
    print_counts()
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        log(cur.fetchone()[0].split(" on ")[0], "| settings:", ", ".join(
            f"{k}={show_setting(cur, k)}" for k in ("shared_buffers", "work_mem", "random_page_cost", "jit")))

    rng = random.Random(SEED)
    table, failing = [], []
    raw_conn = psycopg.connect(RAW_DSN, autocommit=True)
    raw_cur = raw_conn.cursor()
    for scope_name, username in SCOPES:
        user = User.objects.get(username=username)
        paths = scope_for(user).paths
        assert len(paths) == 1, paths
        scope_path = paths[0]
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM people_resident WHERE org_path LIKE %s", [scope_path + "%"])
            n_scope = cur.fetchone()[0]
            t = time.monotonic()
            params = draw_params(cur, scope_path, rng, args.per_kind)
        log(f"\nScope {scope_name} ({username}, path {scope_path}, {n_scope:,} residents): "
            f"drew {sum(map(len, params.values()))} values in {time.monotonic() - t:.1f} s")
        for kind in KINDS:
            t = time.monotonic()
            results, mismatches = measure(user, scope_path, [(kind, g, q) for g, q in params[kind]], raw_cur)
            sel = [r[2] for r in results]
            raw = [r[3] for r in results]
            orm = [r[4] for r in results]
            row = {
                "scope": scope_name, "kind": kind, "n": len(results),
                "s50": pct(sel, 50), "s95": pct(sel, 95), "smax": max(sel),
                "r50": pct(raw, 50), "r95": pct(raw, 95), "rmax": max(raw), "o95": pct(orm, 95),
            }
            row["ratio"] = row["s95"] / row["r95"]
            row["ok"] = row["s95"] < TARGET_P95_MS and row["ratio"] <= TARGET_RATIO
            worst = max(results, key=lambda r: r[2])
            row["worst"] = worst
            by_group = defaultdict(list)
            for g, q, s_ms, r_ms, _o_ms in results:
                by_group[g].append((s_ms, r_ms, q))
            row["groups"] = by_group
            row["mismatches"] = mismatches
            table.append(row)
            if not row["ok"]:
                failing.append((row, user))
            log(f"  {kind:<7} selector p95 {row['s95']:8.1f} ms  raw p95 {row['r95']:8.1f} ms  "
                f"worst {worst[1]!r} ({worst[0]}) {worst[2]:.1f} ms  [{time.monotonic() - t:.0f} s]"
                + (f"  RESULT MISMATCH on {len(mismatches)}: {mismatches[:5]}" if mismatches else ""))
    raw_conn.close()

    log("\n" + "=" * 132)
    log(f"{'scope':<10} {'kind':<7} {'n':>4} | {'selector p50':>12} {'p95':>8} {'max':>8} | "
        f"{'raw SQL p50':>11} {'p95':>8} {'max':>8} | {'p95 ratio':>9} | result | {'ORM qs p95':>10}")
    log("-" * 132)
    for r in table:
        log(f"{r['scope']:<10} {r['kind']:<7} {r['n']:>4} | {r['s50']:12.2f} {r['s95']:8.2f} {r['smax']:8.1f} | "
            f"{r['r50']:11.2f} {r['r95']:8.2f} {r['rmax']:8.1f} | {r['ratio']:8.2f}x | "
            f"{'PASS' if r['ok'] else 'FAIL':<6} | {r['o95']:10.2f}")
    log("-" * 132)
    log(f"(ms; targets: selector p95 < {TARGET_P95_MS:.0f} ms and p95 ratio selector/raw <= {TARGET_RATIO:.0f}x; "
        "ORM qs: the same page through resident_list's queryset, for reference)")

    log("\nSlowest value per search group (selector ms / raw ms):")
    for r in table:
        parts = []
        for g, vals in r["groups"].items():
            s_ms, r_ms, q = max(vals)
            parts.append(f"{g} {q!r} {s_ms:.1f}/{r_ms:.1f} (p50 {pct([v[0] for v in vals], 50):.1f})")
        log(f"  {r['scope']:<9} {r['kind']:<6} " + "; ".join(parts))

    for row, user in failing:
        g, q, s_ms, r_ms, _o_ms = row["worst"]
        log(f"\nFAIL {row['scope']}/{row['kind']}: EXPLAIN (ANALYZE, BUFFERS) of the selector's SQL for its "
            f"slowest value ({g}, timed {s_ms:.1f} ms, raw SQL {r_ms:.1f} ms)")
        log(explain_selector(user, q))
    log(f"\nTotal run time {time.monotonic() - started:.0f} s")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
