"""Collective-economy figures for a county's register (三资台账), every village at once, through the module
registry and the income page's selector, against the same sums in raw SQL in the same run.

What it builds (its own database ``jiceng_bench_assets``, rebuilt unless ``--reuse``)
------------------------------------------------------------------------------------
A county of 8 townships and 400 villages (50 each), 200,000 assets (500 per village), 2,000 community
fund accounts (per village: running, service and partner funds of this year, running and service funds
of last year) with 2,000,000 fund entries (1,000 per account: an allocation, then spendings; ``seq``
from 1 in each account, ``balance_after`` the running sum and never negative, no zero amount; the
hash chain holds placeholder hashes, which this benchmark does not verify), 48,000 income records
(40 per village per year over 3 years, the four kinds in turn, amounts to the fen) and 6,000 funded
projects (5 per village per year over 3 years, part of each allocation reimbursed). Rows are written
with ``INSERT … SELECT generate_series`` (the builder's speed is not what is measured).

What it measures, for this year and the 400 villages
----------------------------------------------------
a. figures  ``figure_values(figure, villages, Period.year(y))`` for ``assets.income``,
            ``assets.income_operating``, ``assets.project_allocated`` and ``assets.project_reimbursed``:
            one grouped query each over the registered figure's records (``count_by_unit``).
b. selector ``jiceng.assets.selectors.income_by_unit(superuser, y)``: the income page's rows (income by
            kind, thresholds, responsibility letters) for the whole county.
c. raw      for each, the same sums by hand over psycopg and TCP, grouped by the village's path prefix;
            fetch only.
Both sides' amounts are checked equal (``Decimal``, to the fen) for every village before timing; each
pair is timed alternately, ``--rounds`` times, and the medians compared. Target: within 2x.

    .venv/bin/python bench/assets.py            # build and measure (a few minutes)
    .venv/bin/python bench/assets.py --reuse    # keep the data if it is built
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal

import psycopg

from _common import bench_environment, code_version

DB_NAME = "jiceng_bench_assets"
PG = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = f"{PG}/{DB_NAME}"
RAW_DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DB_NAME}"
TOWNSHIPS, VILLAGES_PER = 8, 50
ASSETS_PER, ENTRIES_PER, INCOME_PER_YEAR, PROJECTS_PER_YEAR, YEARS = 500, 1000, 40, 5, 3
ADMIN = "bench-assets-admin"
ZERO = Decimal("0.00")

bench_environment(DATABASE_URL)


def log(msg: str) -> None:
    print(msg, flush=True)


def ensure_database() -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}" TEMPLATE template0 ENCODING \'UTF8\'')


def build(year: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from jiceng.accounts.models import User
    from jiceng.orgs.models import OrgUnit

    call_command("flush", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    with transaction.atomic():
        county = OrgUnit.objects.create(path="00001.", depth=0, kind="street", name="基准县", code="530124000000",
                                        next_child=TOWNSHIPS + 1)
        towns = OrgUnit.objects.bulk_create([
            OrgUnit(parent=county, path=f"00001.{t + 1:05d}.", depth=1, kind="township", name=f"第{t + 1}镇",
                    code=f"5301240{t + 1:02d}000", next_child=VILLAGES_PER + 1) for t in range(TOWNSHIPS)])
        OrgUnit.objects.bulk_create([
            OrgUnit(parent=town, path=f"{town.path}{v + 1:05d}.", depth=2, kind="village", name=f"{town.name}{v + 1}村",
                    code=f"{town.code[:9]}{v + 1:03d}") for town in towns for v in range(VILLAGES_PER)])
        admin = User(username=ADMIN, display_name="基准管理员", is_superuser=True, is_staff=True)
        admin.set_unusable_password()
        admin.save()
    first = year - YEARS + 1
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_village AS SELECT id, path FROM orgs_orgunit WHERE kind = 'village'")
        cur.execute("""
            INSERT INTO assets_asset (org_unit_id, org_path, code, name, category, kind, location, area, area_unit,
                                      original_value, current_value, yearly_output, status, acquired_on, note,
                                      created_by_id, created_at, updated_at)
            SELECT v.id, v.path, 'ZC' || lpad(g::text, 5, '0'), '集体资产' || g,
                   (ARRAY['resource', 'asset', 'fund'])[1 + g %% 3],
                   (ARRAY['land', 'building', 'facility', 'equipment', 'fund', 'equity'])[1 + g %% 6],
                   '第' || (1 + g %% 9) || '组', (10 + g %% 990)::numeric(14, 2), 'm2',
                   round((1000 + random() * 1000000)::numeric, 2), round((500 + random() * 900000)::numeric, 2),
                   round((random() * 20000)::numeric, 2),
                   (ARRAY['in_use', 'in_use', 'in_use', 'idle', 'leased', 'under_transaction'])[1 + g %% 6],
                   make_date(%s, 1 + g %% 12, 1 + g %% 28), '', NULL, now() - interval '1 day', now()
            FROM bench_village v CROSS JOIN generate_series(1, %s) g""", [first, ASSETS_PER])
        cur.execute("""
            INSERT INTO assets_incomerecord (org_unit_id, org_path, year, kind, amount, "on", description,
                                             source_type, source_id, recorded_by_id)
            SELECT v.id, v.path, y, (ARRAY['operating', 'investment', 'subsidy', 'other'])[1 + g %% 4],
                   round((100 + random() * 20000)::numeric, 2), make_date(y, 1 + g %% 12, 1 + g %% 28),
                   '收入' || g, '', '', NULL
            FROM bench_village v CROSS JOIN generate_series(%s, %s) y CROSS JOIN generate_series(1, %s) g""",
                    [first, year, INCOME_PER_YEAR])
        cur.execute("""
            INSERT INTO assets_fundedproject (org_unit_id, org_path, name, source, year, allocated, contractor,
                                              contract_amount, progress, status, reimbursed, created_by_id)
            SELECT id, path, name, source, y, allocated, '基准建设公司', allocated, progress,
                   CASE WHEN progress = 100 THEN 'done' WHEN progress > 0 THEN 'building' ELSE 'planned' END,
                   round(allocated * progress / 100, 2), NULL
            FROM (SELECT v.id, v.path, y, '项目' || y || '-' || g AS name,
                         (ARRAY['linkage', 'east_west', 'fiscal', 'collective', 'other'])[g] AS source,
                         round((10000 + random() * 990000)::numeric, 2) AS allocated,
                         (ARRAY[0, 35, 60, 94, 100])[1 + (v.id + g) %% 5] AS progress
                  FROM bench_village v CROSS JOIN generate_series(%s, %s) y CROSS JOIN generate_series(1, %s) g) s""",
                    [first, year, PROJECTS_PER_YEAR])
        cur.execute("""
            INSERT INTO assets_communityfund (key, org_unit_id, org_path, kind, year, balance, chain_seq, chain_hash)
            SELECT v.id || ':' || k.kind || ':' || k.y, v.id, v.path, k.kind, k.y, 0, %s, repeat('0', 64)
            FROM bench_village v CROSS JOIN (VALUES ('running', %s), ('service', %s), ('partner', %s),
                                                    ('running', %s), ('service', %s)) k(kind, y)""",
                    [ENTRIES_PER, year, year, year, year - 1, year - 1])
        # An allocation of 100,000.00 yuan, then spendings of 1.00–9.99 yuan: the balance stays above zero.
        cur.execute("""
            INSERT INTO assets_fundentry (account_id, seq, amount, balance_after, idempotency_key, source_type,
                                          source_id, reverses_id, created_at, prev_hash, entry_hash, kind, purpose,
                                          counterparty, receipt_no, org_path, actor_id)
            SELECT a.id, s, x.amount, sum(x.amount) OVER (PARTITION BY a.id ORDER BY s), 'b:' || s, '', '', NULL,
                   make_timestamptz(a.year, 1, 1, 0, 0, 0) + (s - 1) * interval '8 hours',
                   repeat('0', 64), repeat('0', 64), CASE WHEN s = 1 THEN 'allocation' ELSE 'spending' END,
                   CASE WHEN s = 1 THEN '年度拨付' ELSE '办公支出' END, '', CASE WHEN s = 1 THEN '' ELSE 'P' || s END,
                   a.org_path, NULL
            FROM assets_communityfund a CROSS JOIN generate_series(1, %s) s
            CROSS JOIN LATERAL (SELECT CASE WHEN s = 1 THEN 10000000 ELSE -(100 + (s * 37) %% 900) END AS amount) x""",
                    [ENTRIES_PER])
        cur.execute("""
            UPDATE assets_communityfund a SET balance = e.balance_after
            FROM assets_fundentry e WHERE e.account_id = a.id AND e.seq = a.chain_seq""")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    counts = {}
    with connection.cursor() as cur:
        for table in ("orgs_orgunit", "assets_asset", "assets_communityfund", "assets_fundentry",
                      "assets_incomerecord", "assets_fundedproject"):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
    log(f"built in {time.perf_counter() - t0:.1f} s: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))


# The same sums by hand: rows under the county, grouped by their village's path.
RAW = {
    "assets.income": """
        SELECT substr(org_path, 1, %(len)s), sum(amount) FROM assets_incomerecord
        WHERE "on" >= %(lo)s AND "on" <= %(hi)s AND org_path LIKE %(site)s GROUP BY 1""",
    "assets.income_operating": """
        SELECT substr(org_path, 1, %(len)s), sum(amount) FROM assets_incomerecord
        WHERE "on" >= %(lo)s AND "on" <= %(hi)s AND kind = 'operating' AND org_path LIKE %(site)s GROUP BY 1""",
    "assets.project_allocated": """
        SELECT substr(org_path, 1, %(len)s), sum(allocated) FROM assets_fundedproject
        WHERE year >= %(y)s AND year <= %(y)s AND org_path LIKE %(site)s GROUP BY 1""",
    "assets.project_reimbursed": """
        SELECT substr(org_path, 1, %(len)s), sum(reimbursed) FROM assets_fundedproject
        WHERE year >= %(y)s AND year <= %(y)s AND org_path LIKE %(site)s GROUP BY 1""",
}
RAW_INCOME_PAGE = """
    SELECT substr(org_path, 1, %(len)s), sum(amount), coalesce(sum(amount) FILTER (WHERE kind = 'operating'), 0)
    FROM assets_incomerecord WHERE year = %(y)s AND org_path LIKE %(site)s GROUP BY 1"""


def raw_sums(conn, sql: str, params: dict) -> dict:
    return {p: rest for p, *rest in conn.execute(sql, params, prepare=False).fetchall()}


def timed(fn, rounds: int, other) -> tuple[list[float], list[float]]:
    """Medians' material: ``fn`` and ``other`` run alternately, each ``rounds`` times after two warm runs."""
    for _ in range(2):
        fn()
        other()
    ours, base = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        ours.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        other()
        base.append((time.perf_counter() - t) * 1000)
    return ours, base


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from jiceng.accounts.models import User
    from jiceng.assets.models import FundEntry
    from jiceng.assets.selectors import income_by_unit
    from jiceng.core.modules import Period, figure_values, registry
    from jiceng.orgs.models import OrgUnit

    year = timezone.localdate().year
    log(f"Database {DB_NAME}; code at {code_version()}")
    if not args.reuse or not FundEntry.objects.unscoped("bench").exists():
        build(year)
    admin = User.objects.get(username=ADMIN)
    county = OrgUnit.objects.get(path="00001.")
    villages = list(OrgUnit.objects.filter(kind="village").order_by("path"))
    period = Period.year(year)
    params = {"len": len(villages[0].path), "site": county.path + "%", "lo": period.start, "hi": period.end,
              "y": year}
    figures = registry.figures()
    results = []  # (label, ours ms list, raw ms list)

    with psycopg.connect(RAW_DSN) as conn:
        for code, sql in RAW.items():
            figure = figures[code]
            ours = figure_values(figure, villages, period)
            raw = raw_sums(conn, sql, params)
            for v in villages:
                want = raw.get(v.path, [ZERO])[0]
                assert isinstance(ours[v.pk], Decimal) and ours[v.pk] == want, (code, v.name, ours[v.pk], want)
            log(f"checked {code}: equal to raw SQL for all {len(villages)} villages, "
                f"county total {sum(ours.values(), ZERO):,} yuan")
            results.append((f"figure_values({code})",
                            *timed(lambda f=figure: figure_values(f, villages, period), args.rounds,
                                   lambda s=sql: raw_sums(conn, s, params))))

        rows = income_by_unit(admin, year)
        raw = raw_sums(conn, RAW_INCOME_PAGE, params)
        assert [r["unit"].pk for r in rows] == [v.pk for v in villages], "the selector's units are not the villages"
        for r in rows:
            total, operating = raw.get(r["unit"].path, [ZERO, ZERO])
            assert r["total"] == total and r["operating"] == operating, (r["unit"].name, r["total"], total)
        log(f"checked income_by_unit(superuser): totals and operating income equal to raw SQL for all {len(rows)} "
            f"villages ({sum(r['below_total'] for r in rows)} below the total threshold)")
        results.append(("income_by_unit(superuser, year)",
                        *timed(lambda: income_by_unit(admin, year), args.rounds,
                               lambda: raw_sums(conn, RAW_INCOME_PAGE, params))))
        # Where the selector's time goes: its statements, their time in the database, the rest in Python.
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            income_by_unit(admin, year)
            whole = (time.perf_counter() - t) * 1000
        in_db = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        breakdown = (f"income_by_unit: {len(ctx.captured_queries)} statements (units, income by unit and kind, "
                     f"letters, site, settings), {in_db:.1f} ms of {whole:.1f} ms waiting on them, "
                     f"{whole - in_db:.1f} ms in Python; raw SQL: 1 statement")

    log("")
    log("The fund entries carry placeholder hashes: this benchmark does not verify the hash chain.")
    log(f"Medians of {args.rounds} rounds, 400 villages, year {year}:")
    log(f"{'measured':44} {'ours ms':>8} {'raw ms':>8} {'ratio':>6}")
    ok = True
    for label, ours, base in results:
        ratio = statistics.median(ours) / statistics.median(base)
        ok = ok and ratio <= 2.0
        log(f"{label:44} {statistics.median(ours):8.1f} {statistics.median(base):8.1f} {ratio:5.2f}x"
            f"  {'PASS' if ratio <= 2.0 else 'FAIL'}")
    log(breakdown)
    log(f"load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    log(f"target: each within 2x of raw SQL: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
