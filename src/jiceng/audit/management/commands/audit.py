"""jiceng audit verify: recompute the audit trail's hash chain; exit 1 on any problem."""
from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from jiceng.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools: verify"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **opts):
        result = audit_verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：已校验 {result.checked} 条记录，哈希链无断裂。"))
            return
        for problem in result.problems[:200]:
            self.stderr.write(problem)
        if len(result.problems) > 200:
            self.stderr.write(f"……另有 {len(result.problems) - 200} 处问题")
        self.stderr.write(self.style.ERROR(f"审计日志校验失败：{len(result.problems)} 处问题（已校验 {result.checked} 条）"))
        sys.exit(1)
