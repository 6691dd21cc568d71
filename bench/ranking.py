"""The year-end organisation ranking (排队抓尾) for a county, through the module's selectors, against the same
figures in raw SQL in the same run; and the ranking page served.

What it builds (its own database ``jiceng_bench_ranking``, rebuilt unless ``--reuse``)
-------------------------------------------------------------------------------------
A county of 20 townships and 400 villages (20 each), 10,000 cadres (25 per village), 100,000 tasks of
the year on 12 monthly lists (graded on time, late, not done, open, overdue), and 1,000,000 performance
entries (100 per cadre: the year's base and 99 additions and deductions). Rows are written with
``INSERT … SELECT generate_series`` (the builder's speed is not what is measured).

What it measures
----------------
a. ours   ``jiceng.cadre.services.ranking_compute(scheme, Period.year(y))`` — the ranking the run and the
          page are made from: the default scheme (任务按时完成率 = on time / issued, 诉求办结率 = reports
          done / received, 任务逾期未完成, 绩效扣分笔数) over the 400 villages, each figure read for all
          villages at once through the registered figures' ``values`` (one grouped query per figure), then
          scored, ranked and banded in Python.
b. raw    the same counts by hand: one statement over the tasks (every task figure as a ``FILTER``), one
          over the entries, one over the reports, over psycopg and TCP; fetch only. Not server-prepared:
          a prepared statement took a generic plan without the parallel scan here and ran 2.5x slower.
          Both sides' counts are checked equal for every village before timing.
c. page   ``GET /cadre/ranking/runs/<id>/`` (400 rows) from ``jiceng serve`` (gunicorn, 1 worker,
          production settings) as a signed-in township leader, timed end to end with urllib.

Targets: (a) within 2x of (b) at p95; (c) p95 under 300 ms.

    .venv/bin/python bench/ranking.py            # build and measure (a few minutes)
    .venv/bin/python bench/ranking.py --reuse    # keep the data if it is built
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
import urllib.request

import psycopg

from _common import bench_environment, code_version, serve, stop

DB_NAME = "jiceng_bench_ranking"
PG = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = f"{PG}/{DB_NAME}"
RAW_DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DB_NAME}"
TOWNSHIPS, VILLAGES_PER, CADRES_PER, TASKS, ENTRIES_PER = 20, 20, 25, 100_000, 100
LEADER = "bench-leader"
PREPARE = False  # server-side prepared statements took a generic plan here (no parallel scan): 2.5x slower

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

    from jiceng.accounts.models import RoleAssignment, User
    from jiceng.cadre.roles import TOWNSHIP_LEADER
    from jiceng.orgs.models import OrgUnit
    from jiceng.people.models import Cadre

    call_command("flush", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    with transaction.atomic():
        county = OrgUnit.objects.create(path="00001.", depth=0, kind="street", name="基准县", code="530124000000",
                                        next_child=TOWNSHIPS + 1)
        towns = OrgUnit.objects.bulk_create([
            OrgUnit(parent=county, path=f"00001.{t + 1:05d}.", depth=1, kind="township", name=f"第{t + 1}镇",
                    code=f"5301240{t + 1:02d}000", next_child=VILLAGES_PER + 1) for t in range(TOWNSHIPS)])
        villages = OrgUnit.objects.bulk_create([
            OrgUnit(parent=town, path=f"{town.path}{v + 1:05d}.", depth=2, kind="village", name=f"{town.name}{v + 1}村",
                    code=f"{town.code[:9]}{v + 1:03d}") for town in towns for v in range(VILLAGES_PER)])
        Cadre.objects.bulk_create([
            Cadre(name=f"干部{i}", gender="M", post="村委委员", org_unit=v, org_path=v.path)
            for v in villages for i in range(CADRES_PER)], batch_size=5000)
        leader = User(username=LEADER, display_name="基准领导")
        leader.set_unusable_password()
        leader.save()
        RoleAssignment.objects.create(user=leader, role=TOWNSHIP_LEADER, org_unit=county)
    lo = f"{year}-01-01"
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO cadre_tasklist (org_unit_id, org_path, title, kind, month, status, created_by_id, created_at,
                                        issued_by_id, issued_at)
            SELECT %s, '00001.', m || '月任务清单', 'monthly', (%s::date + (m - 1) * interval '1 month')::date, 'issued',
                   %s, %s::timestamptz + (m - 1) * interval '1 month', %s, %s::timestamptz + (m - 1) * interval '1 month'
            FROM generate_series(1, 12) m""", [county.pk, lo, leader.pk, lo, leader.pk, lo])
        cur.execute("""
            CREATE TEMP TABLE bench_owner AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, org_unit_id, org_path FROM people_cadre""")
        cur.execute("""
            INSERT INTO cadre_task (task_list_id, title, description, org_unit_id, org_path, owner_id, due_at, evidence,
                                    weight, status, source_type, source_id, overdue_at, grade, timeliness, graded_at,
                                    grade_note, points, created_at)
            SELECT l.id, '任务' || g, '', o.org_unit_id, o.org_path, o.id, d.due, 'text', 1 + g %% 3,
                   CASE WHEN r < 0.55 OR r >= 0.85 THEN 'graded' WHEN r < 0.75 THEN 'issued' ELSE 'reported' END,
                   '', '', CASE WHEN r >= 0.55 AND r < 0.65 OR r >= 0.85 THEN d.due + interval '1 hour' END,
                   CASE WHEN r < 0.45 THEN 'done' WHEN r < 0.55 THEN 'excellent' WHEN r >= 0.85 THEN 'not_done' ELSE '' END,
                   CASE WHEN r < 0.40 THEN 'on_time' WHEN r < 0.55 THEN 'late' WHEN r >= 0.85 THEN 'late' ELSE '' END,
                   CASE WHEN r < 0.55 OR r >= 0.85 THEN d.due END, '', CASE WHEN r < 0.55 THEN 2 ELSE NULL END, d.due
            FROM (SELECT g, random() AS r, (g %% 12) + 1 AS m FROM generate_series(1, %s) g) s
            JOIN bench_owner o ON o.n = (s.g * 7919) %% %s
            JOIN cadre_tasklist l ON l.title = s.m || '月任务清单'
            CROSS JOIN LATERAL (SELECT %s::timestamptz + (s.m - 1) * interval '1 month' + interval '24 days' AS due) d
            """, [TASKS, Cadre.objects.count(), lo])
        cur.execute("""
            INSERT INTO cadre_performanceaccount (key, cadre_id, year, org_path, balance, chain_seq, chain_hash)
            SELECT id || ':' || %s, id, %s, org_path, 100, %s, repeat('0', 64) FROM people_cadre""",
                    [year, year, ENTRIES_PER])
        cur.execute("""
            INSERT INTO cadre_performanceentry (account_id, seq, amount, balance_after, idempotency_key, source_type,
                                                source_id, created_at, prev_hash, entry_hash, kind, reason, org_path)
            SELECT a.id, s, CASE WHEN s = 1 THEN 100 WHEN random() < 0.3 THEN -1 ELSE 1 END, 100 + s,
                   'b:' || s, '', '', %s::timestamptz + (s - 1) * interval '3 days 15 hours',
                   repeat('0', 64), repeat('0', 64), CASE WHEN s = 1 THEN 'base' ELSE 'task' END, '基准', a.org_path
            FROM cadre_performanceaccount a CROSS JOIN generate_series(1, %s) s""", [lo, ENTRIES_PER])
        cur.execute("ANALYZE")
    log(f"built in {time.perf_counter() - t0:.1f} s: {TOWNSHIPS} townships, {len(villages)} villages, "
        f"{Cadre.objects.count():,} cadres, {TASKS:,} tasks, {TOWNSHIPS * VILLAGES_PER * CADRES_PER * ENTRIES_PER:,} entries")


RAW_TASKS = """
SELECT substr(org_path, 1, %(len)s) AS p, count(*) AS issued,
       count(*) FILTER (WHERE status = 'graded' AND grade IN ('excellent', 'done') AND timeliness = 'on_time') AS on_time,
       count(*) FILTER (WHERE status = 'graded' AND grade IN ('excellent', 'done') AND timeliness = 'late') AS late,
       count(*) FILTER (WHERE overdue_at IS NOT NULL) AS overdue
FROM cadre_task WHERE status <> 'draft' AND due_at >= %(lo)s AND due_at < %(hi)s
  AND org_path LIKE %(site)s GROUP BY 1"""
RAW_ENTRIES = """
SELECT substr(org_path, 1, %(len)s), count(*) FROM cadre_performanceentry
WHERE kind <> 'base' AND amount < 0 AND created_at >= %(lo)s AND created_at < %(hi)s
  AND org_path LIKE %(site)s GROUP BY 1"""
RAW_REPORTS = """
SELECT substr(org_path, 1, %(len)s), count(*), count(*) FILTER (WHERE status IN ('resolved', 'closed'))
FROM reports_report WHERE merged_into_id IS NULL AND created_at >= %(lo)s AND created_at < %(hi)s
  AND org_path LIKE %(site)s GROUP BY 1"""


def raw_counts(conn, params) -> dict:
    """The counts per ranked village: rows under the county grouped by village path (groups of other paths,
    none here, dropped)."""
    out: dict = {}
    sql_params = {k: v for k, v in params.items() if k != "wanted"}
    for p, issued, on_time, late, overdue in conn.execute(RAW_TASKS, sql_params, prepare=PREPARE).fetchall():
        out.setdefault(p, {}).update(issued=issued, on_time=on_time, late=late, overdue=overdue)
    for p, n in conn.execute(RAW_ENTRIES, sql_params, prepare=PREPARE).fetchall():
        out.setdefault(p, {})["deductions"] = n
    for p, received, done in conn.execute(RAW_REPORTS, sql_params, prepare=PREPARE).fetchall():
        out.setdefault(p, {}).update(received=received, done=done)
    return {p: v for p, v in out.items() if p in params["wanted"]}


def pct(xs, q) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.save()
    return f"{settings.SESSION_COOKIE_NAME}={s.session_key}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--page-requests", type=int, default=60)
    args = ap.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from jiceng.accounts.models import User
    from jiceng.cadre import services
    from jiceng.cadre.models import RankingScheme, Task
    from jiceng.core.modules import Period
    from jiceng.orgs.models import OrgUnit

    year = timezone.localdate().year
    log(f"Database {DB_NAME}; code at {code_version()}")
    if not args.reuse or not Task.objects.unscoped("bench").exists():
        build(year)
    leader = User.objects.get(username=LEADER)
    county = OrgUnit.objects.get(path="00001.")
    scheme = (RankingScheme.objects.unscoped("bench").filter(name="基准排名").first()
              or services.scheme_save(actor=leader, site=county, name="基准排名", level="village",
                                      indicators=services.DEFAULT_INDICATORS, advanced_count=16, lagging_count=16))
    period = Period.year(year)
    units = services.ranked_units(scheme)
    tz = timezone.get_current_timezone()
    params = {"len": len(units[0].path), "wanted": {u.path for u in units}, "site": county.path + "%",
              "lo": dt.datetime(year, 1, 1, tzinfo=tz), "hi": dt.datetime(year + 1, 1, 1, tzinfo=tz)}

    with psycopg.connect(RAW_DSN) as conn:
        raw = raw_counts(conn, params)
        rows = services.ranking_compute(scheme, period)
        figure_of = {"任务按时完成率": ("on_time", "issued"), "诉求办结率": ("done", "received"),
                     "任务逾期未完成": ("overdue", None), "绩效扣分笔数": ("deductions", None)}
        for r in rows:
            got = raw.get(r["unit"].path, {})
            for v in r["values"]:
                num, den = figure_of[v["label"]]
                assert v["numerator"] == got.get(num, 0), (r["unit"].name, v)
                assert den is None or v["denominator"] == got.get(den, 0), (r["unit"].name, v)
        log(f"checked: the selectors' counts equal raw SQL for all {len(rows)} villages "
            f"(advanced {sum(r['band'] == 'advanced' for r in rows)}, lagging {sum(r['band'] == 'lagging' for r in rows)})")
        ours, base = [], []
        for _ in range(2):  # warm both
            services.ranking_compute(scheme, period)
            raw_counts(conn, params)
        for _ in range(args.rounds):
            t = time.perf_counter()
            services.ranking_compute(scheme, period)
            ours.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            raw_counts(conn, params)
            base.append((time.perf_counter() - t) * 1000)

    o95, b95 = pct(ours, 0.95), pct(base, 0.95)
    log(f"{'measured':44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    log(f"{'a. ranking_compute (selectors, 400 villages)':44} {statistics.median(ours):8.1f} {o95:8.1f} {max(ours):8.1f}")
    log(f"{'b. raw SQL, same counts (3 statements, fetch)':44} {statistics.median(base):8.1f} {b95:8.1f} {max(base):8.1f}")
    run = services.ranking_run(actor=leader, scheme=scheme, year=year)
    cookie = session_cookie(leader)
    port = 8771
    server = serve(port, workers=1, database_url=DATABASE_URL)
    page = []
    try:
        url = f"http://127.0.0.1:{port}/cadre/ranking/runs/{run.pk}/"
        req = urllib.request.Request(url, headers={"Cookie": cookie})
        body = urllib.request.urlopen(req).read().decode()
        assert "基准排名" in body and body.count("<tr") >= 400, "the page did not show the ranking"
        for _ in range(5):
            urllib.request.urlopen(req).read()
        for _ in range(args.page_requests):
            t = time.perf_counter()
            urllib.request.urlopen(req).read()
            page.append((time.perf_counter() - t) * 1000)
    finally:
        stop(server)

    log(f"{'c. GET ranking page (400 rows, gunicorn)':44} {statistics.median(page):8.1f} {pct(page, 0.95):8.1f} "
        f"{max(page):8.1f}")
    log("")
    ratio = o95 / b95
    ok_ratio, ok_page = ratio <= 2.0, pct(page, 0.95) < 300
    log(f"a/b at p95: {ratio:.2f}x (target <= 2x): {'PASS' if ok_ratio else 'FAIL'}")
    log(f"page p95: {pct(page, 0.95):.1f} ms (target < 300 ms): {'PASS' if ok_page else 'FAIL'}")
    return 0 if ok_ratio and ok_page else 1


if __name__ == "__main__":
    sys.exit(main())
