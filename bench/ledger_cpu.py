"""Client CPU of one ledger posting, this checkout beside another (an older commit), in one run.

``bench/points_ledger.py`` measures postings per second against pgbench; on a 2-core machine where
anything else runs, its ratios move by more than the few percent a change in the posting code
makes. This script measures what the posting code itself costs the client, which load disturbs far
less: single-process, in the process that posts.

For each side (``--other`` is the root of another checkout with its own ``.venv``, e.g. a clone at
an older commit), a child process of that side's Python, importing that side's ``src/``:

  1. builds its own database ``jiceng_bench_ledgercpu_<side>`` (street, community, grid, 200
     households, a points programme, every account opened by an opening grant);
  2. posts ``--warmup`` grants (statement prepared, caches warm), then ``--postings`` grants
     through ``points.services.ledger_post`` (1–10 points to a random household, a fresh
     idempotency key, a memo), timing process CPU (``time.process_time``) and wall time;
  3. posts 200 more under ``cProfile`` and counts Python function calls per posting (a
     deterministic figure: it does not move with load).

Sides alternate A B A B for ``--pairs`` pairs; printed: per side the median CPU ms per posting and
wall ms per posting, calls per posting, and the ratio this/other.

    .venv/bin/python bench/ledger_cpu.py --other /path/to/old-checkout
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
HOUSEHOLDS = 200


def worker(side: str, warmup: int, postings: int, build: bool) -> dict:
    db = f"jiceng_bench_ledgercpu_{side}"
    os.environ.update({"DATABASE_URL": f"{PG}/{db}", "JICENG_DEBUG": "0", "JICENG_ALLOW_DEMO": "1",
                       "DJANGO_SETTINGS_MODULE": "jiceng.settings",
                       "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"})
    os.environ.pop("JICENG_TESTING", None)
    import cProfile
    import pstats
    import random
    import time
    import uuid

    import psycopg

    if build:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{db}"')
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from jiceng.accounts.services import user_create
    from jiceng.orgs.models import OrgUnit, OrgUnitKind
    from jiceng.people.models import Household
    from jiceng.points import services
    from jiceng.points.models import EntryKind, PointsProgramme
    from jiceng.points.services import ledger_post

    if build:
        call_command("migrate", interactive=False, verbosity=0)
        admin = user_create(actor=None, username="bench-admin", password="bench-ledger-Passw0rd-2026",
                            is_superuser=True)
        with transaction.atomic():
            street = OrgUnit.objects.create(path="00001.", depth=0, kind=OrgUnitKind.STREET, name="基准街道",
                                            code="530124009000", next_child=2)
            comm = OrgUnit.objects.create(parent=street, path="00001.00001.", depth=1, kind=OrgUnitKind.COMMUNITY,
                                          name="基准社区", code="530124009001", next_child=2)
            grid = OrgUnit.objects.create(parent=comm, path="00001.00001.00001.", depth=2, kind=OrgUnitKind.GRID,
                                          name="第1网格", code="530124009001-G01")
            Household.objects.bulk_create([Household(number=f"B{i:07d}", org_unit=grid, org_path=grid.path,
                                                     address=f"基准社区{i}号") for i in range(HOUSEHOLDS)])
        programme = services.programme_create(actor=admin, org_unit=street, name="基准积分制")
        for hh in Household.objects.only("pk", "org_path"):
            ledger_post(household=hh, kind=EntryKind.GRANT, amount=100_000, idempotency_key=f"topup:{hh.pk}",
                        programme=programme)
    programme = PointsProgramme.objects.get()
    households = list(Household.objects.only("pk", "org_path"))
    rng = random.Random(7)

    def one():
        ledger_post(household=rng.choice(households), kind=EntryKind.GRANT, amount=rng.randint(1, 10),
                    idempotency_key=uuid.uuid4().hex, programme=programme, memo="基准加分")

    for _ in range(warmup):
        one()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(postings):
        one()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    profiled = 200
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(profiled):
        one()
    prof.disable()
    calls = pstats.Stats(prof).total_calls
    if os.environ.get("LEDGER_CPU_PROFILE"):  # where to write the profile, for pstats
        prof.dump_stats(os.environ["LEDGER_CPU_PROFILE"])
    return {"cpu_ms": cpu * 1000 / postings, "wall_ms": wall * 1000 / postings, "calls": calls / profiled}


def run_side(root: Path, side: str, args, build: bool) -> dict:
    cmd = [str(root / ".venv/bin/python"), str(Path(__file__).resolve()), "--worker", side,
           "--warmup", str(args.warmup), "--postings", str(args.postings)] + (["--build"] if build else [])
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["PYTHONPATH"] = str(root / "src")
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root)
    if res.returncode:
        sys.exit(f"{side} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def commit_of(root: Path) -> str:
    return subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--other", help="root of the other checkout (with its own .venv)")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--postings", type=int, default=3000)
    ap.add_argument("--worker")
    ap.add_argument("--build", action="store_true")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.warmup, args.postings, args.build)))
        return
    if not args.other:
        ap.error("--other is required")
    other = Path(args.other).resolve()
    sides = {"this": ROOT, "other": other}
    print(f"this  = {ROOT} @ {commit_of(ROOT)}\nother = {other} @ {commit_of(other)}", flush=True)
    results: dict[str, list[dict]] = {"this": [], "other": []}
    for i in range(args.pairs):
        order = ("other", "this") if i % 2 == 0 else ("this", "other")
        for side in order:
            r = run_side(sides[side], side, args, build=(i == 0))
            results[side].append(r)
            print(f"  pair {i + 1} {side:5}: cpu {r['cpu_ms']:.3f} ms  wall {r['wall_ms']:.3f} ms  "
                  f"calls {r['calls']:.1f} per posting", flush=True)
    med = {s: {k: statistics.median(r[k] for r in results[s]) for k in ("cpu_ms", "wall_ms", "calls")}
           for s in results}
    print("\nmedian per posting        other      this   this/other")
    for key, label in (("cpu_ms", "client CPU (ms)"), ("wall_ms", "wall (ms)"), ("calls", "Python calls")):
        print(f"  {label:20} {med['other'][key]:9.3f} {med['this'][key]:9.3f}   {med['this'][key] / med['other'][key]:.3f}")


if __name__ == "__main__":
    main()
