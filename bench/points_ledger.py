"""Points ledger throughput: grants through the service layer against pgbench, and redemptions
through the HTTP API under wrk.

What it measures, in one run on PostgreSQL
------------------------------------------
  a. ours     ``points.services.ledger_post`` (the posting service every grant, deduction and
              redemption goes through; on PostgreSQL one statement: lock the household's account,
              check the idempotency key and the balance, lock the programme's chain head, hash-chain
              and insert the entry, move both balances) called in a loop by C client *processes*
              (C = 4, 16), each its own Django process and connection, for ``--seconds`` seconds;
              every call a grant of 1–10 points to a random household of 10,000 with a fresh
              idempotency key. Each household's account is opened in the set-up (an opening grant),
              as ``pgbench -i`` creates its accounts before it measures. Reported: committed
              postings per second.
  b. pgbench  ``pgbench -b tpcb-like -c C -j 2 -T seconds -n`` at the same C on a pgbench database of
              scale 1 (one ``pgbench_branches`` row, which every transaction updates — the same one
              hot row our chain head is), in the same run. The shape is the same: lock/update a row,
              insert a history row, update balances. Target: ours >= 50% of pgbench's TPS. Since
              our posting runs as a prepared statement, ``pgbench -M prepared`` is run and printed too
              (the like-for-like protocol; the target is stated against the command as named).
  c. HTTP     ``POST /api/points/shops/{id}/redemptions`` (one product, a random household, a unique
              Idempotency-Key per request, bearer token) under ``wrk`` (Debian's package, installed
              with apt-get when missing) with 16 connections for ``--seconds`` against ``jiceng serve``
              (gunicorn, ``--workers`` processes); requests/s and p50/p95/p99 latency, printed beside
              the same server's ``GET /healthz`` (no database) under the same load.

Afterwards ``points_verify`` re-checks the whole chain and every balance.

It works only in its own databases ``jiceng_bench_points`` and ``jiceng_bench_pgbench`` (created
when missing, emptied at the start).

    .venv/bin/python bench/points_ledger.py                 # 20 s per measurement
    .venv/bin/python bench/points_ledger.py --seconds 5     # a quick run
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import re
import subprocess
import sys
import time
import urllib.request
import uuid

import psycopg

from _common import bench_environment, ensure_wrk, serve, stop, wrk_output

DB_NAME = "jiceng_bench_points"
PGB_DB = "jiceng_bench_pgbench"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"
HOUSEHOLDS = 10_000
CLERK = "bench-clerk"
PASSWORD = "bench-points-Passw0rd-2026"
TARGET_SHARE = 0.5

bench_environment(DATABASE_URL)


def log(*a):
    print(*a, flush=True)


def ensure_db(name: str) -> None:
    with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import django

    django.setup()


def build(households: int):
    """Migrate, then a street with one community, 50 grids, the households, a programme, a shop."""
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", interactive=False, verbosity=0)
    from jiceng.points.roles import SHOP_CLERK
    from jiceng.accounts.services import user_create
    from jiceng.orgs.models import OrgUnit, OrgUnitKind
    from jiceng.people.models import Household
    from jiceng.points import services
    from jiceng.points.models import StockKind

    admin = user_create(actor=None, username="bench-admin", password=PASSWORD, is_superuser=True)
    with transaction.atomic():
        street = OrgUnit.objects.create(path="00001.", depth=0, kind=OrgUnitKind.STREET, name="基准街道",
                                        code="530124009000", next_child=2)
        comm = OrgUnit.objects.create(parent=street, path="00001.00001.", depth=1, kind=OrgUnitKind.COMMUNITY,
                                      name="基准社区", code="530124009001", next_child=51)
        grids = [OrgUnit(parent=comm, path=f"00001.00001.{i:05d}.", depth=2, kind=OrgUnitKind.GRID,
                         name=f"第{i}网格", code=f"530124009001-G{i:02d}") for i in range(1, 51)]
        OrgUnit.objects.bulk_create(grids)
        rows = [Household(number=f"B{i:07d}", org_unit=grids[i % 50], org_path=grids[i % 50].path,
                          address=f"基准社区{i}号") for i in range(households)]
        Household.objects.bulk_create(rows, batch_size=5000)
    programme = services.programme_create(actor=admin, org_unit=street, name="基准积分制")
    shop = services.shop_create(actor=admin, org_unit=comm, name="基准积分超市")
    product = services.product_create(actor=admin, shop=shop, name="香皂", price_points=1)
    services.stock_move(actor=admin, product=product, kind=StockKind.RECEIPT, quantity=10_000_000)
    user_create(actor=None, username=CLERK, password=PASSWORD, roles=[(SHOP_CLERK, comm)])
    # Every household holds an account with an opening balance before anything is timed, as
    # ``pgbench -i`` creates its accounts before pgbench measures: both sides run in steady state
    # (no timed posting opens an account, and plans are made on tables of their real size). The
    # balance also covers the HTTP redemptions.
    from jiceng.points.models import EntryKind
    from jiceng.points.services import ledger_post

    for hh in Household.objects.only("pk", "org_path"):
        ledger_post(household=hh, kind=EntryKind.GRANT, amount=100_000, idempotency_key=f"topup:{hh.pk}",
                    programme=programme)
    with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={DB_NAME}", autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
    return programme.pk, shop.pk, product.pk


# ----------------------------------------------------------------------------- a. our grants

def _grant_worker(seconds: float, barrier, seed: int, programme_id: int, out):
    setup_django()
    from django.db import connection

    from jiceng.people.models import Household
    from jiceng.points.models import EntryKind, PointsProgramme
    from jiceng.points.services import ledger_post

    programme = PointsProgramme.objects.get(pk=programme_id)
    households = list(Household.objects.only("pk", "org_path"))
    rng = random.Random(seed)
    connection.ensure_connection()
    barrier.wait()  # every process set up and connected before any clock starts
    done = 0
    end = time.time() + seconds
    while time.time() < end:
        ledger_post(household=rng.choice(households), kind=EntryKind.GRANT, amount=rng.randint(1, 10),
                    idempotency_key=uuid.uuid4().hex, programme=programme, memo="基准加分")
        done += 1
    out.put(done)


def run_grants(clients: int, seconds: float, programme_id: int) -> float:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    barrier = ctx.Barrier(clients)
    procs = [ctx.Process(target=_grant_worker, args=(seconds, barrier, i, programme_id, out)) for i in range(clients)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


# ----------------------------------------------------------------------------- b. pgbench

def run_pgbench(clients: int, seconds: float, protocol: str = "simple") -> float:
    cmd = ["pgbench", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-b", "tpcb-like", "-n", "-M", protocol,
           "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(int(seconds)), PGB_DB]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", res.stdout)
    return float(m.group(1))


# ----------------------------------------------------------------------------- c. HTTP under wrk

WRK_SCRIPT = r"""
local counter = 0
local threads = {}
local households = {%s}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(tid * 7919)
end
function request()
  counter = counter + 1
  local hh = households[math.random(#households)]
  local body = '{"household_id": ' .. hh .. ', "lines": [{"product_id": %d, "quantity": 1}]}'
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer %s"
  headers["Idempotency-Key"] = "wrk-" .. tid .. "-" .. counter .. "-%s"
  return wrk.format("POST", "%s", headers, body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f %%.3f %%d %%d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

GET_SCRIPT = r"""
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %d %d\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def run_wrk(url: str, script: str, seconds: float, connections: int = 16) -> dict:
    out = wrk_output(url, script, seconds, connections)
    m = re.search(r"RESULT (\d+) (\d+) ([0-9.]+) ([0-9.]+) ([0-9.]+) (\d+) (\d+)", out)
    n, dur_us, p50, p95, p99, bad_status, socket_errors = m.groups()
    return {"rps": int(n) / (int(dur_us) / 1e6), "requests": int(n), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "bad_status": int(bad_status), "socket_errors": int(socket_errors)}


def token(port: int) -> str:
    import json

    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/token", method="POST",
                                 data=json.dumps({"username": CLERK, "password": PASSWORD}).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())["token"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", default="4,16")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn worker processes for the HTTP run")
    ap.add_argument("--port", type=int, default=8093)
    args = ap.parse_args()
    clients = [int(c) for c in args.clients.split(",")]

    log(f"Setting up {DB_NAME} ({HOUSEHOLDS:,} households) and {PGB_DB} (pgbench scale 1) ...")
    ensure_db(DB_NAME)
    ensure_db(PGB_DB)
    subprocess.run(["pgbench", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-i", "-s", "1", "-q", PGB_DB],
                   check=True, capture_output=True)
    setup_django()
    programme_id, shop_id, product_id = build(HOUSEHOLDS)

    log(f"\nGrants through the service layer vs pgbench tpcb-like ({args.seconds:.0f} s each, same run)")
    log(f"{'clients':>8} {'ours tx/s':>12} {'pgbench tps':>12} {'ratio':>8}  target >= {TARGET_SHARE:.0%}"
        f" | {'pgbench -M prepared':>20} {'ratio':>8}")
    ok = True
    for c in clients:
        pg = run_pgbench(c, args.seconds)
        ours = run_grants(c, args.seconds, programme_id)
        pg_prepared = run_pgbench(c, args.seconds, "prepared")
        ratio = ours / pg
        ok &= ratio >= TARGET_SHARE
        log(f"{c:>8} {ours:>12.0f} {pg:>12.0f} {ratio:>7.0%}  {'PASS' if ratio >= TARGET_SHARE else 'FAIL':<13}"
            f" | {pg_prepared:>20.0f} {ours / pg_prepared:>7.0%}")
    log("(the target is against pgbench -b tpcb-like as the issue names it, simple protocol; our posting is a"
        " prepared statement, so pgbench with prepared statements is printed too)")

    from jiceng.people.models import Household

    ids = list(Household.objects.values_list("pk", flat=True))

    ensure_wrk()
    log(f"\nRedemptions through the HTTP API under wrk (16 connections, {args.workers} gunicorn workers, "
        f"{args.seconds:.0f} s), beside GET /healthz on the same server")
    proc = serve(args.port, args.workers)
    try:
        tok = token(args.port)
        base = f"http://127.0.0.1:{args.port}"
        health = run_wrk(f"{base}/healthz", GET_SCRIPT, args.seconds)
        script = WRK_SCRIPT % (",".join(str(i) for i in ids[:2000]), product_id, tok, uuid.uuid4().hex[:8],
                               f"/api/points/shops/{shop_id}/redemptions")
        red = run_wrk(base, script, args.seconds)
    finally:
        stop(proc)
    log(f"{'':>22} {'req/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    log(f"{'GET /healthz':>22} {health['rps']:>10.0f} {health['p50']:>8.2f} {health['p95']:>8.2f} {health['p99']:>8.2f} "
        f"{health['bad_status']:>8}")
    log(f"{'POST redemptions':>22} {red['rps']:>10.0f} {red['p50']:>8.2f} {red['p95']:>8.2f} {red['p99']:>8.2f} "
        f"{red['bad_status']:>8}")
    log(f"redemptions/s as a share of the trivial endpoint's req/s: {red['rps'] / health['rps']:.0%}")

    from jiceng.points.models import Redemption
    from jiceng.points.services import points_verify

    n = Redemption.objects.count()
    check = points_verify()
    log(f"\nRedemptions written: {n:,} (wrk counted {red['requests']:,} requests, {red['bad_status']} non-2xx); "
        f"points verify: {'OK' if check.ok else 'FAILED'} ({check.entries:,} entries, {check.accounts:,} accounts)")
    if not check.ok:
        for p in check.problems[:20]:
            log("  ", p)
    sys.exit(0 if ok and check.ok else 1)


if __name__ == "__main__":
    main()
