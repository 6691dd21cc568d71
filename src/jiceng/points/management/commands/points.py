"""jiceng points verify: an alias of ``jiceng ledgers verify`` (every ledger; exit 1 on any problem).
jiceng points post-due: post declarations whose publicity period has ended (the scheduler does this)."""
from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiceng.points.services import publicity_post_due


class Command(BaseCommand):
    help = "Points tools: verify (= ledgers verify) | post-due"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "post-due"])

    def handle(self, *args, **opts):
        if opts["action"] == "post-due":
            n = publicity_post_due()
            self.stdout.write(f"公示期满入账：{n} 条")
            return
        call_command("ledgers", "verify", stdout=self.stdout._out, stderr=self.stderr._out)
