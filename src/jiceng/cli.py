"""The ``jiceng`` console command.

    jiceng serve [--port N] [--host H] [--workers N]   migrate, collect static files, serve with gunicorn
    jiceng demo [--reset] [--households N] [--seed S]  build the demo district
    jiceng createadmin                                 create a system administrator
    jiceng audit verify                                check the audit trail's hash chain
    jiceng ledgers verify [--ledger app.Model]         check every ledger's chains and balances
    jiceng points verify                               the same as `jiceng ledgers verify`
    jiceng <any Django management command>
"""
from __future__ import annotations

import os
import sys


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jiceng", *argv])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    _django(argv)


if __name__ == "__main__":
    main()
