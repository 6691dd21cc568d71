"""jiceng createadmin: create a system administrator (sees and manages everything)."""
from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from jiceng.accounts.services import user_create
from jiceng.core.errors import JicengError


class Command(BaseCommand):
    help = "Create a system administrator"

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("JICENG_ADMIN_USERNAME", ""))
        parser.add_argument("--display-name", default="系统管理员")
        parser.add_argument("--password-env", default="JICENG_ADMIN_PASSWORD",
                            help="read the password from this environment variable instead of a prompt")

    def handle(self, *args, **opts):
        username = opts["username"] or input("用户名: ").strip()
        password = os.environ.get(opts["password_env"]) or ""
        if not password:
            password = getpass.getpass("密码: ")
            if password != getpass.getpass("再次输入密码: "):
                raise CommandError("两次输入的密码不一致")
        try:
            user = user_create(actor=None, username=username, password=password,
                               display_name=opts["display_name"], is_superuser=True)
        except JicengError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from None
        self.stdout.write(self.style.SUCCESS(f"已创建系统管理员 {user.username}"))
