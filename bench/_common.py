"""What the benchmark scripts share: their Django environment, which code was measured,
PostgreSQL settings, the server under load, and wrk.

Each script is run as ``.venv/bin/python bench/<name>.py``, so this directory is on ``sys.path``
and ``import _common`` finds this file.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_version() -> str:
    """The commit measured, and whether src/ had uncommitted changes (src/ may change between runs)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"], capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in src/" if dirty else "")


def show_setting(cur, name: str) -> str:
    """A PostgreSQL setting's value (``SHOW name``) through a DB-API cursor."""
    cur.execute(f"SHOW {name}")
    return cur.fetchone()[0]


def ensure_wrk() -> None:
    """Debian's ``wrk`` load generator, installed with apt-get when missing."""
    if shutil.which("wrk"):
        return
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, capture_output=True)


def wrk_output(url: str, script: str, seconds: float, connections: int = 16) -> str:
    """Run wrk (2 threads) with a Lua ``script`` against ``url``; its standard output, where each
    script's ``done()`` writes its own RESULT line."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        res = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, int(seconds))}s",
                              "--timeout", "10s", "-s", path, url], capture_output=True, text=True, check=True)
    finally:
        os.unlink(path)
    return res.stdout


def bench_environment(database_url: str | None = None) -> None:
    """Django settings for a benchmark, set in the environment before Django is imported: production
    settings (with DEBUG on, Django records every query on every cursor, which a served page does not
    pay), the demo builder allowed, nothing of a test run left over, and ``src/`` importable. A
    spawned child re-imports its script, so it gets the same environment."""
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    os.environ["JICENG_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ["JICENG_ALLOW_DEMO"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ.pop("JICENG_TESTING", None)
    os.environ.pop("JICENG_TEST_DB_NAME", None)
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)


def serve(port: int, workers: int, database_url: str | None = None) -> subprocess.Popen:
    """``jiceng serve`` (gunicorn, production settings, no task worker) on ``port``, returned once
    ``/healthz`` answers; stop it with ``stop``."""
    env = {**os.environ, "JICENG_DEBUG": "0", "JICENG_SECURE_COOKIES": "0",
           "JICENG_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    proc = subprocess.Popen([str(ROOT / ".venv/bin/jiceng"), "serve", "--port", str(port), "--workers", str(workers),
                             "--no-worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("server did not start: " + proc.stderr.read().decode()[-2000:])


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
