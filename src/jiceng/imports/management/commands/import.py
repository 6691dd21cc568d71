"""jiceng import <kind> FILE [--org CODE] [--dry-run] [--user USERNAME]: all rows or none."""
from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.models import User
from jiceng.core.errors import JicengError
from jiceng.core.modules import registry, resolve
from jiceng.orgs.models import OrgUnit


class Command(BaseCommand):
    help = "Import org units, households, residents, party members, cadres or partner units from .xlsx, .xls, .ods or .csv (UTF-8 or GBK): all rows or none"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(registry.import_kinds()))
        parser.add_argument("file")
        parser.add_argument("--org", default="", help="only rows under this unit code are accepted")
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument("--user", default="", help="act as this user (default: the first administrator)")
        parser.add_argument("--simplify", action="store_true", help="convert Traditional characters to Simplified")
        parser.add_argument("--errors-xlsx", default="", help="write the file back with an error column here (.xlsx)")
        parser.add_argument("--errors-csv", default="", help="the same as .csv (for files longer than a worksheet)")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(f"用户不存在：{opts['user']}")
        else:
            actor = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
            if actor is None:
                raise CommandError("没有系统管理员：先运行 jiceng createadmin，或用 --user 指定用户")
        root = None
        if opts["org"]:
            root = OrgUnit.objects.filter(code=opts["org"]).first()
            if root is None:
                raise CommandError(f"单元编码不存在：{opts['org']}")
        data = path.read_bytes()
        tty = sys.stderr.isatty()

        def progress(done, total):
            if total:
                width = 30
                filled = int(width * done / total)
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                if not tty:
                    sys.stderr.write("\n")
                sys.stderr.flush()

        try:
            import_file = resolve(registry.import_kinds()[opts["kind"]].importer)
            result = import_file(actor=actor, kind=opts["kind"], filename=path.name, data=data, root=root,
                                 dry_run=opts["dry_run"], simplify=opts["simplify"], progress=progress)
        except JicengError as exc:
            raise CommandError(exc.message) from None
        if tty:
            sys.stderr.write("\n")
        if result.ignored_headers:
            self.stdout.write(f"提醒：以下表头没有识别，这些列不会导入：{'、'.join(result.ignored_headers)}")
        if result.errors:
            for e in result.errors[:500]:
                self.stderr.write(f"第{e.row}行 [{e.column}] {e.value!s:.40} — {e.reason}")
            if len(result.errors) > 500:
                self.stderr.write(f"……另有 {len(result.errors) - 500} 处错误")
            if opts["errors_xlsx"] or opts["errors_csv"]:
                from jiceng.imports.readers import read_sheet
                from jiceng.imports.workbooks import error_csv_lines, write_error_workbook

                sheet = read_sheet(path.name, data)
                if opts["errors_xlsx"]:
                    try:
                        write_error_workbook(sheet, result, opts["errors_xlsx"])
                    except JicengError as exc:
                        self.stderr.write(exc.message)
                    else:
                        self.stderr.write(f"已写出带错误说明的文件：{opts['errors_xlsx']}")
                if opts["errors_csv"]:
                    with open(opts["errors_csv"], "w", encoding="utf-8", newline="") as f:
                        f.writelines(error_csv_lines(sheet, result))
                    self.stderr.write(f"已写出带错误说明的文件：{opts['errors_csv']}")
            self.stderr.write(self.style.ERROR(f"文件被拒绝：{len(result.errors)} 处错误，未写入任何数据。"))
            sys.exit(1)
        for w in result.warnings[:50]:
            self.stdout.write(f"提醒：第{w.row}行 [{w.column}] {w.reason}")
        verb = "将" if result.dry_run else "已"
        self.stdout.write(self.style.SUCCESS(
            f"{'试导入（未写入）' if result.dry_run else '导入完成'}：共 {result.total} 行，{verb}新增 {result.created}，"
            f"{verb}更新 {result.updated}，无变化 {result.unchanged}。"))
