"""The `jiceng` console command, run as a user would run it (a real process)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


JICENG = str(Path(sys.executable).with_name("jiceng"))


def env_for(tmp_path, **extra):
    skip = {"DATABASE_URL", "JICENG_TEST_DB_NAME", "JICENG_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update({"JICENG_VAR_DIR": str(tmp_path), "JICENG_DEBUG": "1", "JICENG_TESTING": "0"}, **extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_audit_verify_and_createadmin(tmp_path):
    env = env_for(tmp_path)
    out = subprocess.run([JICENG, "demo", "--households", "30", "--seed", "4"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "demo-grid" in out.stdout and "jiceng-demo" in out.stdout
    again = subprocess.run([JICENG, "demo"], env=env, capture_output=True, text=True, timeout=120)
    assert "已存在" in again.stdout  # idempotent: a second run keeps the district
    ok = subprocess.run([JICENG, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "审计日志完整" in ok.stdout
    created = subprocess.run([JICENG, "createadmin", "--username", "chief"],
                             env={**env, "JICENG_ADMIN_PASSWORD": "a-long-admin-password-1"},
                             capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    import sqlite3
    db = sqlite3.connect(tmp_path / "jiceng.sqlite3")
    db.execute("UPDATE audit_auditentry SET action = 'forged' WHERE id = 1")
    db.commit()
    bad = subprocess.run([JICENG, "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "篡改" in bad.stderr


def test_production_mode_needs_a_secret_key(tmp_path):
    env = env_for(tmp_path)
    env.pop("JICENG_DEBUG")
    env.pop("SECRET_KEY", None)
    out = subprocess.run([JICENG, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "SECRET_KEY" in out.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = env_for(tmp_path, SECRET_KEY="x" * 60 + "-production-secret-key-for-deploy-check")
    env.pop("JICENG_DEBUG")
    env["JICENG_HSTS_SECONDS"] = "31536000"
    env["JICENG_SSL_REDIRECT"] = "1"
    env["JICENG_HSTS_INCLUDE_SUBDOMAINS"] = "1"
    env["JICENG_HSTS_PRELOAD"] = "1"
    out = subprocess.run([JICENG, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_serve_migrates_and_serves_with_gunicorn(tmp_path):
    port = free_port()
    env = env_for(tmp_path)
    proc = subprocess.Popen([JICENG, "serve", "--port", str(port), "--workers", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        assert body is not None, "server did not answer"
        assert "登录" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/web/jiceng.css", timeout=5) as r:
            assert r.status == 200
        # The task-queue consumer started beside the web server checks an uploaded import.
        enqueue = (
            "from jiceng.accounts.services import user_create;"
            "from jiceng.imports.services import import_job_create;"
            "u = user_create(actor=None, username='ops', password='ops-password-123', is_superuser=True);"
            "job = import_job_create(actor=u, kind='org_units', filename='u.csv',"
            " data='编码,上级编码,名称,类型\\nS-1,,x,街道\\n'.encode());"
            "print(job.pk)"
        )
        out = subprocess.run([JICENG, "shell", "-c", enqueue], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        job_id = out.stdout.strip().splitlines()[-1]
        status = ""
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and status in ("", "queued", "checking"):
            time.sleep(0.5)
            status = subprocess.run([JICENG, "shell", "-c",
                                     f"from jiceng.imports.models import ImportJob; print(ImportJob.objects.get(pk='{job_id}').status)"],
                                    env=env, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[-1]
        assert status == "rejected"  # checked by the consumer: the street row has no parent code
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert "gunicorn" in out.lower() or "Booting worker" in out
    assert "task-queue consumer started" in out
