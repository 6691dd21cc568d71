"""jiceng ledgers verify: check every ledger on the ledger primitive — each chain's sequence and
hashes, each head, each balance against the sum of its entries; exit 1 on any problem."""
from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from jiceng.core.ledger import ledger_models, verify


class Command(BaseCommand):
    help = "Ledger tools: verify [--ledger app_label.Model]"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--ledger", action="append", default=[],
                            help="check only this ledger (app_label.ModelName; repeatable)")

    def handle(self, *args, **opts):
        models = ledger_models()
        if opts["ledger"]:
            wanted = {name.lower() for name in opts["ledger"]}
            unknown = wanted - {m._meta.label_lower for m in models}
            if unknown:
                raise CommandError(f"没有这个账本：{', '.join(sorted(unknown))}（可选：" +
                                   ", ".join(m._meta.label for m in models) + "）")
            models = [m for m in models if m._meta.label_lower in wanted]
        problems = 0
        for model in models:
            result = verify(model)
            if result.ok:
                self.stdout.write(self.style.SUCCESS(
                    f"{result.ledger}：完整，{result.chains} 条链，{result.entries} 条流水，"
                    f"{result.accounts} 个账户余额与流水一致。"))
                continue
            problems += len(result.problems)
            for problem in result.problems[:200]:
                self.stderr.write(problem)
            if len(result.problems) > 200:
                self.stderr.write(f"……另有 {len(result.problems) - 200} 处问题")
            self.stderr.write(self.style.ERROR(f"{result.ledger}：校验失败，{len(result.problems)} 处问题"))
        if problems:
            self.stderr.write(self.style.ERROR(f"账本校验失败：共 {problems} 处问题"))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(f"全部 {len(models)} 个账本校验通过。"))
