"""jiceng demo: build the demo district (deterministic for a seed), every installed module in turn."""
from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jiceng.core.demo import DemoRefused, demo_build, demo_exists, demo_logins, demo_notes, demo_reset, demo_summary


class Command(BaseCommand):
    help = "Build the demo district: one street with communities, villages, a relocation site, people, logins"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="erase the database first")
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                            help="the port `jiceng serve` will use, for the addresses printed")
        parser.add_argument("--host", default=os.environ.get("JICENG_HOST", "127.0.0.1"))

    def handle(self, *args, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        if demo_exists() and not opts["reset"]:
            self.stdout.write("演示街道已存在（使用 --reset 重建）。")
            self._print_logins(opts)
            return
        if opts["reset"]:
            demo_reset()

        def progress(done, total, residents):
            sys.stderr.write(f"\r住户 {done}/{total}  居民 {residents}")
            sys.stderr.flush()

        try:
            run = demo_build(households=opts["households"], seed=opts["seed"],
                             progress=progress if opts["households"] >= 5000 else None)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        if opts["households"] >= 5000:
            sys.stderr.write("\n")
        self.stdout.write(self.style.SUCCESS(f"演示街道已建成（{run.stats['seconds']} 秒）。"))
        for line in demo_summary(run):
            self.stdout.write(line)
        self._print_logins(opts)

    def _print_logins(self, opts):
        self.stdout.write("\n演示账号（密码均为 jiceng-demo）：")
        for username, _role, label, _where in demo_logins():
            self.stdout.write(f"  {username:<16} {label}")
        for line in demo_notes(f"http://{opts['host']}:{opts['port']}"):
            self.stdout.write(f"\n{line}")
        self.stdout.write("")
