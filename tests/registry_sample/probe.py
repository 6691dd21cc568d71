"""Run with DJANGO_SETTINGS_MODULE=tests.registry_sample.settings: prints, as JSON, where the sample module shows."""
import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.registry_sample.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from jiceng.composition import scheduled_jobs  # noqa: E402
from jiceng.core.demo import demo_build, demo_order, demo_summary  # noqa: E402

call_command("migrate", interactive=False, verbosity=0)
run = demo_build(households=12, seed=3)
client = Client()
client.login(username="demo-street", password="jiceng-demo")
from jiceng.people.models import Household  # noqa: E402

household = Household.objects.order_by("id").first()
token = client.post("/api/auth/token", {"username": "demo-street", "password": "jiceng-demo"},
                    content_type="application/json").json()["token"]
print(json.dumps({
    "api_paths": sorted(client.get("/api/openapi.json").json()["paths"]),
    "api_ping": client.get("/api/sample/ping", HTTP_AUTHORIZATION=f"Bearer {token}").json(),
    "page": client.get("/sample/").content.decode(),
    "menu": "样例菜单" in client.get("/people/households/").content.decode(),
    "panel": "样例面板" in client.get(f"/people/households/{household.pk}/").content.decode(),
    "demo_order": [m.label for m in demo_order()],
    "demo_stats": run.stats.get("registry_sample"),
    "demo_summary": demo_summary(run),
    "jobs": sorted(scheduled_jobs()),
    "tick": scheduled_jobs()["registry_sample.tick"].call_local(),
    "notice_board": "样例公开" in client.get(f"/public/{run.built['people'].communities[0].code}/").content.decode(),
}, ensure_ascii=False))
