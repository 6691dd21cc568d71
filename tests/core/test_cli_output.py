"""What `jiceng demo` and the task-queue consumer print: the address actually served, each log line once."""
from __future__ import annotations

import subprocess
import sys
import time

from tests.core.test_cli import JICENG, env_for


def test_demo_prints_the_open311_address_on_the_port_it_will_be_served_on(tmp_path):
    env = env_for(tmp_path)
    out = subprocess.run([JICENG, "demo", "--households", "30", "--seed", "4", "--port", "8765"], env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "http://127.0.0.1:8765/open311/v2/services.json" in out.stdout
    assert ":8000" not in out.stdout
    again = subprocess.run([JICENG, "demo"], env={**env, "PORT": "8124"}, capture_output=True, text=True, timeout=120)
    assert "http://127.0.0.1:8124/open311/v2/services.json" in again.stdout


def test_the_task_queue_consumer_prints_each_log_line_once(tmp_path):
    env = env_for(tmp_path)
    subprocess.run([JICENG, "migrate", "--verbosity", "0"], env=env, check=True, timeout=180)
    proc = subprocess.Popen([sys.executable, "-m", "jiceng.cli", "run_huey"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Periodic tasks are enabled" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    started = [line for line in lines if "Huey consumer started" in line]
    assert len(started) == 1, lines
    assert started[0].startswith("[") and "INFO:huey.consumer" in started[0]
