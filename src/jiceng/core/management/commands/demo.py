"""jiceng demo: build the demo district (deterministic for a seed)."""
from __future__ import annotations

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jiceng.core.demo import DEMO_LOGINS, DemoRefused, demo_build, demo_exists, demo_reset


class Command(BaseCommand):
    help = "Build the demo district: one street with communities, villages, a relocation site, people, logins"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="erase the database first")
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        if demo_exists() and not opts["reset"]:
            self.stdout.write("演示街道已存在（使用 --reset 重建）。")
            self._print_logins()
            return
        if opts["reset"]:
            demo_reset()

        def progress(done, total, residents):
            sys.stderr.write(f"\r住户 {done}/{total}  居民 {residents}")
            sys.stderr.flush()

        try:
            b = demo_build(households=opts["households"], seed=opts["seed"],
                           progress=progress if opts["households"] >= 5000 else None)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        if opts["households"] >= 5000:
            sys.stderr.write("\n")
        s = b.stats
        self.stdout.write(self.style.SUCCESS(
            f"演示街道已建成（{s['seconds']} 秒）：{s['org_units']} 个组织单元，{s['households']} 户，"
            f"{s['residents']} 名居民，{s['party_members']} 名党员（联系 {s['linked_households']} 户），"
            f"{s['cadres']} 名干部，{s['volunteers']} 名志愿者，{s['partner_units']} 个共建单位。"))
        if "points" in s:
            p = s["points"]
            self.stdout.write(
                f"积分制：{p['items']} 个积分项目，{p['declarations']} 条积分记录，{p['ledger_entries']} 条积分流水，"
                f"{p['cards']} 张积分卡，{p['shops']} 个积分超市（{p['redemptions']} 笔兑换），{p['rated_periods']} 个季度的星级评定。")
        if "reports" in s:
            r = s["reports"]
            self.stdout.write(
                f"问题诉求：{r['categories']} 个类别，{r['reports']} 条诉求（已关闭 {r['closed']}、待评价 {r['resolved']}、"
                f"办理中 {r['in_progress'] + r['assigned']}、待受理 {r['submitted']}、不予受理 {r['rejected']}、超期 {r['overdue']}），"
                f"{r['disputes']} 件矛盾纠纷调处，{r['errands']} 件红色代办。")
        if "monitoring" in s:
            m = s["monitoring"]
            st = m["by_status"]
            self.stdout.write(
                f"防返贫监测：{m['households']} 户建立经济档案，监测帮扶中 {st['monitored']} 户、识别中 {st['identifying']} 户、"
                f"风险消除审核中 {st['eliminating']} 户、已消除 {st['eliminated']} 户、未纳入 {st['dismissed']} 户，"
                f"待核实风险信号 {m['open_signals']} 条，走访逾期 {m['visits']['overdue']} 次。")
        self._print_logins()

    def _print_logins(self):
        self.stdout.write("\n演示账号（密码均为 jiceng-demo）：")
        for username, _role, label in DEMO_LOGINS:
            self.stdout.write(f"  {username:<16} {label}")
        from jiceng.reports.demo import DEMO_OPEN311_KEY

        self.stdout.write(f"\nOpen311 GeoReport v2：http://127.0.0.1:8000/open311/v2/services.json"
                          f"（提交诉求用 api_key={DEMO_OPEN311_KEY}）")
        self.stdout.write("")
