"""Problem reports at load: Open311 intake under wrk, and the figures page at 1,000,000 reports.

What it measures, in one run on PostgreSQL
------------------------------------------
  1. Intake   ``POST /open311/v2/requests.json`` (form-encoded, as GeoReport v2 says: ``api_key``,
              ``service_code`` drawn from the site's seven categories, a varied description, ``lat``/
              ``long`` inside the site's area or an ``address_string``, a name and phone on some, the
              required ``attribute[urgency]`` for AQ02, a unique ``device_id`` per request) under
              ``wrk`` (Debian's package, installed with apt-get when missing) with 16 connections for
              ``--seconds`` against ``jiceng serve`` (gunicorn, ``--workers`` processes); then
              ``GET /healthz`` (no database) on the same server under the same load. Printed:
              requests/s and p50/p95/p99 for both, and the ratio.
              Afterwards the writes are checked: every 2xx response's ``service_request_id`` is a
              report in the database, no two reports carry the same ``device_id`` (no duplicated
              write), and reports written = 2xx responses + the requests still in flight when wrk
              stopped (at most one per connection; wrk counts no response for those).
  2. Figures  1,000,000 reports for one site (the demo street: 7 categories, ~50 grids, its
              department and partner units as handlers), spread over the last 12 months with
              realistic statuses, deadlines from each category's SLA, overdue marks, ratings and
              merged duplicates, bulk-loaded with one ``INSERT ... SELECT generate_series`` into the
              real ``reports_report`` table in order of arrival (ids and heap order follow
              ``created_at``, as in a live table), then VACUUM ANALYZE. For the default period of the figures page
              (the last 30 days) and for the whole year, each figure ``reports/figures.py`` computes
              is timed through our code (the Django query it is part of) against a hand-written SQL
              query for the same number (psycopg, server-side prepared), interleaved, ``--reps``
              times each; the numbers must be equal (checked). Also ``figures()`` as a whole and
              ``GET /reports/figures/`` over HTTP (a street admin's session) for p95.

It works only in its own databases: ``jiceng_bench_reports`` (intake; dropped and rebuilt every run)
and ``jiceng_bench_reports_1m`` (figures; built once and reused while it holds the 1,000,000 bench
rows, ``--reload`` rebuilds it).

    .venv/bin/python bench/report_intake.py                       # 20 s per wrk run, 1,000,000 reports
    .venv/bin/python bench/report_intake.py --seconds 5 --reps 5  # a quick run
    .venv/bin/python bench/report_intake.py --part figures --reload
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg

from _common import bench_environment, ensure_wrk, serve, stop, wrk_output

INTAKE_DB = "jiceng_bench_reports"
FIGURES_DB = "jiceng_bench_reports_1m"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
ROOT = Path(__file__).resolve().parent.parent
TOKEN_PREFIX = "bench1m-"
# Look at a figure when it is > 3x its raw SQL (and more than a few ms of fixed ORM overhead behind) or > 500 ms.
SLOW_RATIO, SLOW_GAP_MS, SLOW_MS = 3.0, 5.0, 500.0

bench_environment()  # each part points DATABASE_URL at its own database (use_db)


def log(*a):
    print(*a, flush=True)


def dsn(db: str) -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={db}"


def db_url(db: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{db}"


def recreate_db(name: str) -> None:
    assert name.startswith("jiceng_bench_")
    with psycopg.connect(dsn("postgres"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')


def use_db(name: str) -> None:
    """Point Django at ``name`` and set it up (once per process: each part runs in its own)."""
    import django

    os.environ["DATABASE_URL"] = db_url(name)
    django.setup()


def build_site(households: int):
    """Migrate, then the demo street with its modules (categories, routing, the Open311 key)."""
    from django.core.management import call_command

    from jiceng.core.demo import demo_build

    call_command("migrate", interactive=False, verbosity=0)
    return demo_build(households=households).built["people"]


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


# ----------------------------------------------------------------------------- wrk and the server

RESULT_LUA = r"""
function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + (t:get("ok2xx") or 0)
    bad = bad + (t:get("non2xx") or 0)
  end
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    ok, bad))
end
"""

# Every script numbers its threads (each keeps its own counters and id file).
THREADS_LUA = r"""
threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
"""

GET_LUA = THREADS_LUA + r"""
ok2xx, non2xx = 0, 0
function response(status, headers, body)
  if status >= 200 and status < 300 then ok2xx = ok2xx + 1 else non2xx = non2xx + 1 end
end
""" + RESULT_LUA

# Each thread writes the ids of the reports it was told were created to its own file.
POST_LUA = THREADS_LUA + r"""
local descriptions = {%(descriptions)s}
local addresses = {%(addresses)s}
local codes = {%(codes)s}
local names = {%(names)s}
local counter = 0
local ids
ok2xx, non2xx = 0, 0
function init(args)
  math.randomseed(tid * 7919 + %(seed)d)
  ids = io.open("%(idfile)s" .. tid, "w")
end
function request()
  counter = counter + 1
  local code = codes[math.random(#codes)]
  local parts = {"api_key=%(key)s", "service_code=" .. code,
                 "description=" .. descriptions[math.random(#descriptions)] .. "%%EF%%BC%%88" .. counter .. "%%EF%%BC%%89",
                 "device_id=%(marker)s-" .. tid .. "-" .. counter}
  if math.random() < 0.7 then
    table.insert(parts, string.format("lat=%%.6f", 25.11 + math.random() * 0.23))
    table.insert(parts, string.format("long=%%.6f", 102.36 + math.random() * 0.28))
  else
    table.insert(parts, "address_string=" .. addresses[math.random(#addresses)])
  end
  if math.random() < 0.5 then
    table.insert(parts, "last_name=" .. names[math.random(#names)])
    table.insert(parts, "phone=139" .. math.random(10000000, 99999999))
  end
  if code == "AQ02" then
    table.insert(parts, "attribute%%5Burgency%%5D=" .. (math.random() < 0.3 and "high" or "normal"))
  end
  if code == "WY01" and math.random() < 0.5 then
    table.insert(parts, "attribute%%5Bfloor%%5D=" .. math.random(1, 30))
  end
  local headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", "/open311/v2/requests.json", headers, table.concat(parts, "&"))
end
function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
    local id = string.match(body, '"service_request_id": "(%%d+)"')
    ids:write((id or "?") .. "\n")
    ids:flush()
  else
    non2xx = non2xx + 1
  end
end
"""


def run_wrk(url: str, script: str, seconds: float, connections: int = 16) -> dict:
    out = wrk_output(url, script, seconds, connections)
    m = re.search(r"RESULT (\d+) (\d+) ([0-9.]+) ([0-9.]+) ([0-9.]+) (\d+) (\d+) (\d+) (\d+)", out)
    if m is None:
        raise RuntimeError("wrk said:\n" + out)
    n, dur_us, p50, p95, p99, bad_status, socket_errors, ok, non2xx = m.groups()
    return {"rps": int(n) / (int(dur_us) / 1e6), "requests": int(n), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "bad_status": int(bad_status), "socket_errors": int(socket_errors),
            "ok": int(ok), "non2xx": int(non2xx)}


# ----------------------------------------------------------------------------- part 1: intake

def settled(model) -> int:
    """The row count once it has stopped growing for a second (the server finishing requests wrk left)."""
    n = model.objects.count()
    while True:
        time.sleep(1)
        m = model.objects.count()
        if m == n:
            return n
        n = m


def part_intake(args) -> bool:
    log(f"Setting up {INTAKE_DB} (migrate, demo street with {args.households} households, its categories and "
        "Open311 key) ...")
    recreate_db(INTAKE_DB)
    use_db(INTAKE_DB)
    b = build_site(args.households)
    from jiceng.orgs.models import OrgUnit, OrgUnitKind
    from jiceng.reports.demo import CATEGORIES, DEMO_OPEN311_KEY, DESK_NAMES
    from jiceng.reports.models import Report

    q = urllib.parse.quote
    buildings = list(OrgUnit.objects.filter(path__startswith=b.street.path, kind=OrgUnitKind.GRID)
                     .values_list("name", flat=True)[:40]) or ["一网格"]
    descriptions, codes = [], []
    for code, _name, _level, _sla, _kw, texts in CATEGORIES:
        codes.append(code)
        for t in texts:
            for bld in buildings[:6]:
                descriptions.append(t.format(b=bld))
    addresses = [f"{bld}{n}号旁" for bld in buildings for n in (3, 12, 27)]
    lua_list = lambda xs: ",".join(f'"{q(x)}"' for x in xs)  # noqa: E731

    def script(marker: str, idfile: str, seed: int) -> str:
        return RESULT_LUA + POST_LUA % {"descriptions": lua_list(descriptions), "addresses": lua_list(addresses),
                           "codes": lua_list(codes), "names": lua_list(DESK_NAMES), "key": q(DEMO_OPEN311_KEY),
                           "marker": marker, "idfile": idfile, "seed": seed}

    ensure_wrk()
    run_id = uuid.uuid4().hex[:8]
    tmp = tempfile.mkdtemp(prefix="bench-reports-")
    base = f"http://127.0.0.1:{args.port}"
    proc = serve(args.port, args.workers, db_url(INTAKE_DB))
    try:
        # Warm every worker (imports, jieba's dictionary) before the clock starts; not counted below.
        run_wrk(base, script(f"warm{run_id}", f"{tmp}/warm-", 1), 6, connections=args.workers * 2)
        before = settled(Report)  # the warm-up's last requests written before the count
        post = run_wrk(base, script(f"wrk{run_id}", f"{tmp}/ids-", 2), args.seconds, connections=args.connections)
        settled(Report)  # and what was in flight when wrk stopped
        health = run_wrk(f"{base}/healthz", GET_LUA, args.seconds, connections=args.connections)
    finally:
        stop(proc)

    log(f"\n1. Open311 intake under wrk ({args.connections} connections, {args.workers} gunicorn workers, "
        f"{args.seconds:.0f} s each), beside GET /healthz on the same server in the same run")
    log(f"{'':>34} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'2xx':>8} {'non-2xx':>8} {'sock err':>8}")
    for label, r in (("POST /open311/v2/requests.json", post), ("GET /healthz (baseline)", health)):
        log(f"{label:>34} {r['rps']:>9.1f} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['p99']:>8.2f} {r['ok']:>8} "
            f"{r['non2xx']:>8} {r['socket_errors']:>8}")
    log(f"{'POST / healthz':>34} {post['rps'] / health['rps']:>8.1%} {post['p50'] / health['p50']:>7.1f}x "
        f"{post['p95'] / health['p95']:>7.1f}x {post['p99'] / health['p99']:>7.1f}x")

    # The writes: acknowledged ids all present, no duplicates, nothing beyond what was in flight.
    acked = []
    for f in Path(tmp).glob("ids-*"):
        acked += [line.strip() for line in f.read_text().splitlines() if line.strip()]
    shutil.rmtree(tmp, ignore_errors=True)
    written = Report.objects.filter(attributes__device_id__startswith=f"wrk{run_id}-")
    n_written = written.count()
    from django.db.models import Count

    dup_markers = (written.values("attributes__device_id").annotate(n=Count("id")).filter(n__gt=1).count())
    bad_ids = [i for i in acked if not i.isdigit()]
    acked_ids = {int(i) for i in acked if i.isdigit()}
    present = set(Report.objects.filter(pk__in=acked_ids).values_list("pk", flat=True))
    missing = acked_ids - present
    in_flight = n_written - len(acked_ids)
    after = Report.objects.count()
    ok = (not missing and not bad_ids and dup_markers == 0 and len(acked_ids) == len(acked) == post["ok"]
          and 0 <= in_flight <= args.connections and after - before == n_written and post["non2xx"] == 0)
    log(f"\nReports written during the run: {n_written:,} (table grew by {after - before:,}); 2xx responses: "
        f"{post['ok']:,} with {len(acked_ids):,} distinct ids, all present: {'yes' if not missing else f'NO, {len(missing)} missing'}; "
        f"duplicated requests (same device_id twice): {dup_markers}; written but unanswered when wrk stopped "
        f"(in flight, <= {args.connections}): {in_flight}; non-2xx: {post['non2xx']}; socket errors: "
        f"{post['socket_errors']}  -> {'OK' if ok else 'FAILED'}")
    return ok


# ----------------------------------------------------------------------------- part 2: figures at 1M

LOAD_SQL = r"""
WITH cats AS (
  SELECT array_agg(id ORDER BY "order", id) AS id, array_agg(sla_hours ORDER BY "order", id) AS sla,
         array_agg(handler_level ORDER BY "order", id) AS lvl, array_agg(name ORDER BY "order", id) AS name
  FROM reports_reportcategory WHERE site_id = %(site)s
), grids AS (
  SELECT array_agg(g.id ORDER BY g.path) AS id, array_agg(g.path ORDER BY g.path) AS path,
         array_agg(g.parent_id ORDER BY g.path) AS comm, array_agg(g.name ORDER BY g.path) AS name
  FROM orgs_orgunit g WHERE g.path LIKE %(path_like)s AND g.kind = 'grid'
), partners AS (
  SELECT array_agg(id ORDER BY id) AS id FROM people_partnerunit
), raw AS (
  SELECT i, random() AS r_cat, random() AS r_grid, random() AS r_state, random() AS r_acc, random() AS r_res,
         random() AS r_rate, random() AS r_chan, random() AS r_hand,
         %(now)s::timestamptz - (random() * interval '365 days') AS created_at
  FROM generate_series(1, %(n)s) AS i
), picked AS (
  SELECT raw.*,
         -- category weights: environment and facilities most, disputes least
         (CASE WHEN r_cat < 0.26 THEN 1 WHEN r_cat < 0.38 THEN 2 WHEN r_cat < 0.53 THEN 3 WHEN r_cat < 0.68 THEN 4
               WHEN r_cat < 0.86 THEN 5 WHEN r_cat < 0.93 THEN 6 ELSE 7 END) AS c,
         1 + floor(r_grid * (SELECT cardinality(id) FROM grids))::int AS g,
         created_at + (0.5 + r_acc * 5.5) * interval '1 hour' AS accepted_at
  FROM raw
), shaped AS (
  SELECT p.*, cats.id[c] AS category_id, cats.sla[c] AS sla, cats.lvl[c] AS lvl, cats.name[c] AS cat_name,
         grids.id[g] AS org_unit_id, grids.path[g] AS org_path, grids.comm[g] AS comm_id, grids.name[g] AS grid_name,
         -- what became of it, by age: 6 %% rejected; the rest accepted, handled within ~1.3x the SLA
         CASE WHEN r_state < 0.06 THEN 'rejected'
              WHEN p.created_at > %(now)s::timestamptz - interval '6 hours' AND r_state < 0.5 THEN 'submitted'
              WHEN p.accepted_at + (r_res * cats.sla[c] * 1.3) * interval '1 hour' > %(now)s::timestamptz
                   OR r_state > 0.97 THEN (CASE WHEN r_state < 0.5 THEN 'assigned' ELSE 'in_progress' END)
              WHEN r_state < 0.25 AND p.created_at > %(now)s::timestamptz - interval '10 days' THEN 'resolved'
              ELSE 'closed' END AS status
  FROM picked p, cats, grids
)
INSERT INTO reports_report (
  site_id, category_id, suggested_category_id, description, org_unit_id, org_path, address, lat, long, channel,
  reporter_name, reporter_phone, anonymous, attributes, status, reject_reason, handler_level, handler_unit_id,
  handler_partner_id, deadline, reminded_at, overdue_at, escalation_level, reopened, result, rating, rating_note,
  token, created_at, updated_at, accepted_at, resolved_at, closed_at)
SELECT %(site)s, category_id, category_id, grid_name || cat_name || '问题（基准数据 ' || i || '）', org_unit_id, org_path,
       '', NULL, NULL,
       (ARRAY['resident', 'woodpecker', 'grid', 'desk', 'open311'])[1 + floor(r_chan * 5)::int],
       CASE WHEN r_chan >= 0.4 THEN '王阿姨' ELSE '' END, '', r_chan < 0.4, '{}'::jsonb, status,
       CASE WHEN status = 'rejected' THEN '经核实不属实或已自行解决' ELSE '' END,
       CASE WHEN status IN ('submitted', 'rejected') THEN '' ELSE lvl END,
       CASE WHEN status IN ('submitted', 'rejected') OR lvl = 'partner' THEN NULL
            WHEN lvl = 'grid' THEN org_unit_id WHEN lvl = 'community' THEN comm_id ELSE %(department)s END,
       CASE WHEN status NOT IN ('submitted', 'rejected') AND lvl = 'partner'
            THEN (SELECT id FROM partners)[1 + floor(r_hand * cardinality((SELECT id FROM partners)))::int] END,
       CASE WHEN status IN ('submitted', 'rejected') THEN NULL ELSE accepted_at + sla * interval '1 hour' END,
       NULL,
       CASE WHEN status IN ('submitted', 'rejected') THEN NULL
            WHEN status IN ('resolved', 'closed') AND r_res * 1.3 <= 1 THEN NULL
            WHEN status IN ('assigned', 'in_progress') AND accepted_at + sla * interval '1 hour' > %(now)s::timestamptz THEN NULL
            ELSE accepted_at + sla * interval '1 hour' END,
       0, false,
       CASE WHEN status IN ('resolved', 'closed') THEN '已现场处理完毕' ELSE '' END,
       CASE WHEN status <> 'closed' OR r_rate >= 0.92 THEN ''
            WHEN r_rate < 0.74 THEN 'satisfied' WHEN r_rate < 0.87 THEN 'basic' ELSE 'unsatisfied' END,
       '', %(token)s || i,
       created_at,
       CASE WHEN status = 'closed' THEN accepted_at + (r_res * sla * 1.3) * interval '1 hour' + interval '1 day'
            WHEN status = 'resolved' THEN accepted_at + (r_res * sla * 1.3) * interval '1 hour'
            WHEN status = 'submitted' THEN created_at ELSE accepted_at END,
       CASE WHEN status IN ('submitted', 'rejected') THEN NULL ELSE accepted_at END,
       CASE WHEN status IN ('resolved', 'closed') THEN accepted_at + (r_res * sla * 1.3) * interval '1 hour' END,
       CASE WHEN status = 'closed' THEN accepted_at + (r_res * sla * 1.3) * interval '1 hour' + interval '1 day' END
FROM shaped
ORDER BY created_at  -- rows arrive in time order, so the heap is as a live table's: recent reports together
"""

# About 1 in 100 reports was a duplicate merged into an earlier report of the same category and grid.
MERGE_SQL = r"""
UPDATE reports_report r SET merged_into_id = m.target, status = 'closed', rating = '',
       closed_at = r.created_at + interval '2 hours', resolved_at = NULL, overdue_at = NULL
FROM (SELECT id, lag(id) OVER (PARTITION BY category_id, org_unit_id ORDER BY created_at, id) AS target
      FROM reports_report WHERE token LIKE %(like)s) m
WHERE r.id = m.id AND m.target IS NOT NULL AND r.id %% 100 = 7
"""


def loaded(n: int) -> bool:
    try:
        with psycopg.connect(dsn(FIGURES_DB)) as c:
            got = c.execute("SELECT count(*) FROM reports_report WHERE token LIKE %s", [TOKEN_PREFIX + "%"]).fetchone()[0]
            return got == n
    except psycopg.Error:
        return False


def load_figures_db(args):
    """Rebuild ``jiceng_bench_reports_1m`` with ``--reports`` bench reports (plus the demo's own)."""
    log(f"Building {FIGURES_DB}: migrate, demo street ({args.households} households) ...")
    recreate_db(FIGURES_DB)
    use_db(FIGURES_DB)
    b = build_site(args.households)
    from django.db import connection
    from django.utils import timezone

    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET work_mem = '256MB'")
        cur.execute(LOAD_SQL, {"site": b.street.pk, "path_like": b.street.path + "%", "department": b.department.pk,
                               "n": args.reports, "now": timezone.now(), "token": TOKEN_PREFIX})
        log(f"  {cur.rowcount:,} reports inserted in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        cur.execute(MERGE_SQL, {"like": TOKEN_PREFIX + "%"})
        log(f"  {cur.rowcount:,} marked as merged duplicates in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    with psycopg.connect(dsn(FIGURES_DB), autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
    log(f"  VACUUM ANALYZE in {time.perf_counter() - t:.0f} s")


RAW_WHERE = "FROM reports_report r WHERE r.org_path LIKE %(like)s AND r.created_at >= %(start)s AND r.created_at < %(end)s AND r.merged_into_id IS NULL"
RAW_COUNTS = {
    "received": "count(*)",
    "accepted": "count(*) FILTER (WHERE r.accepted_at IS NOT NULL)",
    "rejected": "count(*) FILTER (WHERE r.status = 'rejected')",
    "done": "count(*) FILTER (WHERE r.status IN ('resolved', 'closed'))",
    "on_time": "count(*) FILTER (WHERE r.status IN ('resolved', 'closed') AND r.resolved_at <= r.deadline)",
    "overdue": "count(*) FILTER (WHERE r.overdue_at IS NOT NULL)",
    "rated": "count(*) FILTER (WHERE r.rating <> '')",
    "satisfied": "count(*) FILTER (WHERE r.rating IN ('satisfied', 'basic'))",
}
# One figure alone, as hand-written SQL would ask for it (a plain WHERE, not an aggregate FILTER).
RAW_ONE = {
    "received": "", "accepted": "AND r.accepted_at IS NOT NULL", "rejected": "AND r.status = 'rejected'",
    "done": "AND r.status IN ('resolved', 'closed')",
    "on_time": "AND r.status IN ('resolved', 'closed') AND r.resolved_at <= r.deadline",
    "overdue": "AND r.overdue_at IS NOT NULL", "rated": "AND r.rating <> ''",
    "satisfied": "AND r.rating IN ('satisfied', 'basic')",
}
RAW_TOTALS = "SELECT " + ", ".join(f"{v} AS {k}" for k, v in RAW_COUNTS.items()) + " " + RAW_WHERE
RAW_MEDIAN = ("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r.resolved_at - r.created_at)) / 3600 "
              + RAW_WHERE + " AND r.resolved_at IS NOT NULL AND r.status IN ('resolved', 'closed')")
RAW_GROUPED = ("SELECT {keys}, " + ", ".join(f"{v} AS {k}" for k, v in RAW_COUNTS.items()) + " " + RAW_WHERE
               + " {extra} GROUP BY {keys}")
# Grouped by id, names joined to the ~30 groups afterwards.
RAW_BY_CATEGORY = ("SELECT g.category_id, c.name, " + ", ".join(f"g.{k}" for k in RAW_COUNTS) + " FROM ("
                   + RAW_GROUPED.format(keys="r.category_id", extra="")
                   + ") g JOIN reports_reportcategory c ON c.id = g.category_id ORDER BY g.received DESC, g.category_id")
RAW_BY_HANDLER = ("SELECT g.handler_unit_id, u.name, g.handler_partner_id, p.name, " + ", ".join(f"g.{k}" for k in RAW_COUNTS)
                  + " FROM (" + RAW_GROUPED.format(keys="r.handler_unit_id, r.handler_partner_id",
                                                   extra="AND (r.handler_unit_id IS NOT NULL OR r.handler_partner_id IS NOT NULL)")
                  + ") g LEFT JOIN orgs_orgunit u ON u.id = g.handler_unit_id"
                  " LEFT JOIN people_partnerunit p ON p.id = g.handler_partner_id"
                  " ORDER BY g.received DESC, g.handler_unit_id, g.handler_partner_id")
COUNT_KEYS = list(RAW_COUNTS)


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return (time.perf_counter() - t) * 1000, value


def measure_pair(ours, raw, reps: int):
    """Warm both once, then ``reps`` interleaved timings of each; returns (ours ms, raw ms, ours value, raw value)."""
    ov, rv = ours(), raw()
    o_ms, r_ms = [], []
    for _ in range(reps):
        ms, ov = timed(ours)
        o_ms.append(ms)
        ms, rv = timed(raw)
        r_ms.append(ms)
    return o_ms, r_ms, ov, rv


def part_figures(args) -> bool:
    if args.reload or not loaded(args.reports):
        load_figures_db(args)
    else:
        log(f"{FIGURES_DB} already holds the {args.reports:,} bench reports (--reload rebuilds it)")
        use_db(FIGURES_DB)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)  # indexes added since the load
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from jiceng.accounts.models import User
    from jiceng.orgs.models import OrgUnit
    from jiceng.reports import figures as F
    from jiceng.reports.models import Report

    site = OrgUnit.objects.filter(parent__isnull=True, report_categories__isnull=False).distinct().get()
    total = Report.objects.filter(site=site).count()
    log(f"\n2. Figures for the site {site.name} ({total:,} reports, {args.reps} timed repetitions per row, "
        "ours and raw SQL interleaved, both warm)")
    connection.ensure_connection()
    raw = psycopg.connect(dsn(FIGURES_DB), autocommit=True, prepare_threshold=None)
    ok = True
    slow = []
    today = timezone.localdate()
    for days in args.periods:
        d_from = today - dt.timedelta(days=days - 1)
        start = timezone.make_aware(dt.datetime.combine(d_from, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
        prm = {"like": site.path + "%", "start": start, "end": end}
        prev = {"like": site.path + "%", "start": start - (end - start), "end": start}
        path = site.path
        n_period = F._base(path, start, end).count()
        log(f"\n  Period: the last {days} days ({d_from} .. {today}), {n_period:,} reports in it "
            f"(and the previous {days} days beside it)")
        log(f"  {'figure':<34} {'ours p50':>9} {'ours p95':>9} {'raw p50':>9} {'raw p95':>9} {'p95 ratio':>9}  value (= raw?)")

        def row(label, o_ms, r_ms, shown, same):
            nonlocal ok
            ratio = pct(o_ms, 95) / pct(r_ms, 95)
            flag = ""
            if (ratio > SLOW_RATIO and pct(o_ms, 95) - pct(r_ms, 95) > SLOW_GAP_MS) or pct(o_ms, 95) > SLOW_MS:
                flag = "  SLOW"
                slow.append((days, label))
            ok &= same
            log(f"  {label:<34} {pct(o_ms, 50):>9.1f} {pct(o_ms, 95):>9.1f} {pct(r_ms, 50):>9.1f} {pct(r_ms, 95):>9.1f} "
                f"{ratio:>8.2f}x  {shown} ({'equal' if same else 'DIFFERENT'}){flag}")

        # Each count alone: through the ORM as figures.py defines it, and as a plain SQL count.
        for key in COUNT_KEYS:
            o_ms, r_ms, ov, rv = measure_pair(
                lambda key=key: F._base(path, start, end).aggregate(v=F.AGGREGATES[key])["v"],
                lambda key=key: raw.execute(f"SELECT count(*) {RAW_WHERE} {RAW_ONE[key]}", prm).fetchone()[0],
                args.reps)
            row(f"{key} (alone)", o_ms, r_ms, f"{ov:,}", ov == rv)

        # What figures() actually runs: all eight counts in one query, now and for the previous period.
        for label, p, s, e in (("all 8 counts + rates (now)", prm, start, end),
                               ("all 8 counts + rates (prev)", prev, prev["start"], prev["end"])):
            o_ms, r_ms, ov, rv = measure_pair(
                lambda s=s, e=e: F._rates(F._base(path, s, e).aggregate(**F.AGGREGATES)),
                lambda p=p: F._rates(dict(zip(COUNT_KEYS, raw.execute(RAW_TOTALS, p).fetchone()))), args.reps)
            same = ov == rv
            rates = ", ".join(f"{k} {ov[k]:.1%}" if ov[k] is not None else f"{k} -"
                              for k in ("closure_rate", "on_time_rate", "satisfaction_rate"))
            row(label, o_ms, r_ms, f"received {ov['received']:,}; {rates}", same)

        o_ms, r_ms, ov, rv = measure_pair(lambda: F.median_hours(path, start, end),
                                          lambda: raw.execute(RAW_MEDIAN, prm).fetchone()[0], args.reps)
        row("median hours to close (now)", o_ms, r_ms, f"{ov:.2f} h" if ov is not None else "-",
            (ov is None and rv is None) or abs(ov - float(rv)) < 1e-6)

        def raw_rows(sql, keys):
            return [F._rates(dict(zip(keys + COUNT_KEYS, r))) for r in raw.execute(sql, prm).fetchall()]

        def same_rows(a, b):
            norm = lambda rows: sorted(tuple(sorted((k, v) for k, v in r.items())) for r in rows)  # noqa: E731
            return norm(a) == norm(b)

        ckeys = ["category_id", "category__name"]
        hkeys = ["handler_unit_id", "handler_unit__name", "handler_partner_id", "handler_partner__name"]
        for label, ours, sql, keys, before in (
                ("by category (8 counts each)", F.by_category, RAW_BY_CATEGORY, ckeys, ckeys),
                ("by handler (8 counts each)", F.by_handler, RAW_BY_HANDLER, hkeys, hkeys)):
            o_ms, r_ms, ov, rv = measure_pair(lambda ours=ours: ours(path, start, end),
                                              lambda sql=sql, keys=keys: raw_rows(sql, keys), args.reps)
            row(label, o_ms, r_ms, f"{len(ov)} rows", same_rows(ov, rv))
            if args.before:
                # figures.py before this benchmark: the joined names in the GROUP BY.
                def old(before=before):
                    qs = F._base(path, start, end)
                    if before is hkeys:
                        qs = qs.filter(Q(handler_unit__isnull=False) | Q(handler_partner__isnull=False))
                    return [F._rates(r) for r in qs.values(*before).annotate(**F.AGGREGATES).order_by("-received")]

                o_ms, r_ms, ov, rv = measure_pair(old, lambda sql=sql, keys=keys: raw_rows(sql, keys), args.reps)
                row("  before: names in the GROUP BY", o_ms, r_ms, f"{len(ov)} rows", same_rows(ov, rv))

        # The whole of figures() against the sum of the raw queries it needs (run back to back).
        def raw_all():
            return (raw.execute(RAW_TOTALS, prm).fetchone(), raw.execute(RAW_TOTALS, prev).fetchone(),
                    raw.execute(RAW_MEDIAN, prm).fetchone(), raw.execute(RAW_MEDIAN, prev).fetchone(),
                    raw.execute(RAW_BY_CATEGORY, prm).fetchall(), raw.execute(RAW_BY_HANDLER, prm).fetchall())

        o_ms, r_ms, ov, rv = measure_pair(lambda: F.figures(path, start, end), raw_all, args.reps)
        same = (ov["now"]["received"] == rv[0][0] and ov["prev"]["received"] == rv[1][0]
                and len(ov["by_category"]) == len(rv[4]) and len(ov["by_handler"]) == len(rv[5]))
        row("figures() whole", o_ms, r_ms, "now/prev/median/by category/by handler", same)

    # The page over HTTP: a street admin's session, the default period, then the year.
    user = User.objects.get(username="demo-street")
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    proc = serve(args.port, args.workers, db_url(FIGURES_DB))
    pages = []
    warm = args.workers + 1  # every worker has served the page once before the clock starts
    try:
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", f"{settings.SESSION_COOKIE_NAME}={s.session_key}")]
        for days in args.periods:
            d_from = today - dt.timedelta(days=days - 1)
            url = (f"http://127.0.0.1:{args.port}/reports/figures/?org={site.pk}&from={d_from.isoformat()}"
                   f"&to={today.isoformat()}")
            times = []
            for i in range(args.reps + warm):
                t = time.perf_counter()
                with opener.open(url, timeout=60) as resp:
                    body = resp.read()
                    status = resp.status
                if status != 200 or b"received" not in body and "办结率".encode() not in body:
                    raise RuntimeError(f"figures page answered {status}: {body[:300]!r}")
                if i >= warm:
                    times.append((time.perf_counter() - t) * 1000)
            pages.append((days, times))
        health = []
        for i in range(args.reps + warm):
            t = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=10).read()
            if i >= warm:
                health.append((time.perf_counter() - t) * 1000)
    finally:
        stop(proc)
    log(f"\n  GET /reports/figures/ over HTTP (gunicorn, one client, {args.reps} requests each, after {warm} warm-ups)")
    log(f"  {'':<34} {'p50 ms':>9} {'p95 ms':>9}")
    log(f"  {'GET /healthz (baseline)':<34} {pct(health, 50):>9.1f} {pct(health, 95):>9.1f}")
    for days, times in pages:
        flag = "  SLOW" if pct(times, 95) > SLOW_MS else ""
        log(f"  {f'figures page, last {days} days':<34} {pct(times, 50):>9.1f} {pct(times, 95):>9.1f}{flag}")
    raw.close()
    if slow:
        log(f"\n  Slower than {SLOW_RATIO:.0f}x its raw SQL or over {SLOW_MS:.0f} ms at p95: "
            + "; ".join(f"{label} ({days} d)" for days, label in slow))
    log(f"\n  All figures equal to their raw SQL: {'yes' if ok else 'NO'}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["all", "intake", "figures"], default="all")
    ap.add_argument("--seconds", type=float, default=20, help="per wrk run")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--port", type=int, default=8094)
    ap.add_argument("--households", type=int, default=300, help="demo households (the site's tree and people)")
    ap.add_argument("--reports", type=int, default=1_000_000, help="bench reports in the figures database")
    ap.add_argument("--reload", action="store_true", help="rebuild the figures database even if it is loaded")
    ap.add_argument("--reps", type=int, default=10, help="timed repetitions per figure")
    ap.add_argument("--no-before", dest="before", action="store_false",
                    help="skip the rows timing figures.py's grouped queries as they were before this benchmark")
    ap.add_argument("--periods", default="30,365", help="figure periods in days, ending today")
    args = ap.parse_args()
    if args.part == "all":
        # Each part in its own process: Django is set up once per process, on that part's database.
        rc = 0
        for part in ("intake", "figures"):
            argv = ["--part", part, "--seconds", str(args.seconds), "--workers", str(args.workers),
                    "--connections", str(args.connections), "--port", str(args.port), "--households",
                    str(args.households), "--reports", str(args.reports), "--reps", str(args.reps),
                    "--periods", args.periods, *(["--reload"] if args.reload else []),
                    *([] if args.before else ["--no-before"])]
            rc |= subprocess.run([sys.executable, __file__, *argv]).returncode
        sys.exit(rc)
    args.periods = [int(p) for p in args.periods.split(",")]
    ok = part_intake(args) if args.part == "intake" else part_figures(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
