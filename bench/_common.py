"""What the benchmark scripts share: which code was measured, PostgreSQL settings, and wrk.

Each script is run as ``.venv/bin/python bench/<name>.py``, so this directory is on ``sys.path``
and ``import _common`` finds this file.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
