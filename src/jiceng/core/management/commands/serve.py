"""jiceng serve: apply migrations, collect static files, and serve with gunicorn (WSGI), with the
task-queue consumer (Huey: imports, scheduled jobs) running beside it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def _static_stale() -> bool:
    """Whether collectstatic must run: no manifest yet, or a source file newer than it (compressing
    every file takes about a minute, so an unchanged deployment skips it)."""
    from pathlib import Path

    from django.contrib.staticfiles.finders import get_finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for finder in get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > built:
                return True
    return False


class Command(BaseCommand):
    help = "Apply migrations and serve jiceng with gunicorn"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("JICENG_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("JICENG_WORKERS", "3")))
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument("--no-worker", action="store_true", help="do not start the task-queue consumer")

    def handle(self, *args, **opts):
        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG and not getattr(settings, "TESTING", False) and _static_stale():
            self.stdout.write("collecting and compressing static files (once per change) ...")
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{opts['host']}:{opts['port']}"
        self.stdout.write(f"jiceng serving on http://{bind}/ (gunicorn, {opts['workers']} workers)")
        from jiceng.core.demo import demo_exists, demo_notes

        if demo_exists():
            for line in demo_notes(f"http://{bind}"):
                self.stdout.write(line)
        sys.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "jiceng.wsgi:application", "--bind", bind,
            "--workers", str(opts["workers"]), "--threads", "2", "--timeout", "120", "--access-logfile", "-",
        ]
        children = []
        if not opts["no_worker"]:
            children.append(subprocess.Popen([sys.executable, "-m", "jiceng.cli", "run_huey"]))
            self.stdout.write("task-queue consumer started (Huey)")
        web = subprocess.Popen(argv)
        children.append(web)

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        code = web.wait()
        stop(None, None)
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(code)
