"""A module defined only in test settings (tests/registry_sample/) appears in the API, the web URLs, the menu,
the household page, the notice board, the demo and the scheduler, without any other file naming it."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_module_in_installed_apps_alone_is_wired_everywhere():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(JICENG_TESTING="1", DJANGO_SETTINGS_MODULE="tests.registry_sample.settings")
    out = subprocess.run([sys.executable, "-m", "tests.registry_sample.probe"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert "/api/sample/ping" in seen["api_paths"]
    assert seen["api_ping"] == {"pong": "demo-street"}
    assert seen["page"] == "样例"
    assert seen["menu"] is True
    assert seen["panel"] is True
    assert seen["notice_board"] is True
    order = seen["demo_order"]
    assert order.index("people") < order.index("registry_sample")
    assert seen["demo_stats"] == {"households_seen": 12}
    assert "样例模块：样例看到 12 户" in seen["demo_summary"]
    assert "registry_sample.tick" in seen["jobs"] and seen["tick"] == "tick"


def test_the_sample_module_is_not_installed_in_the_platform(client, db):
    """The same module is absent from the platform's own settings: nothing else names it."""
    from jiceng.core.modules import registry

    assert registry.get("registry_sample") is None
    assert "/api/sample/ping" not in client.get("/api/openapi.json").json()["paths"]
    assert client.get("/sample/").status_code == 404
