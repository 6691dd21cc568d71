"""jiceng points verify: check every programme's ledger chain and every balance; exit 1 on any problem.
jiceng points post-due: post declarations whose publicity period has ended (the scheduler does this)."""
from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from jiceng.points.services import points_verify, publicity_post_due


class Command(BaseCommand):
    help = "Points tools: verify | post-due"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "post-due"])

    def handle(self, *args, **opts):
        if opts["action"] == "post-due":
            n = publicity_post_due()
            self.stdout.write(f"公示期满入账：{n} 条")
            return
        result = points_verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"积分流水完整：{result.programmes} 个积分制度，{result.entries} 条流水，{result.accounts} 个账户余额与流水一致。"))
            return
        for problem in result.problems[:200]:
            self.stderr.write(problem)
        self.stderr.write(self.style.ERROR(f"积分流水校验失败：{len(result.problems)} 处问题"))
        sys.exit(1)
