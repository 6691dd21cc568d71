"""System checks of the installation (``manage.py check``, run before every command and test)."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.staticfiles)
def check_front_end_packages(app_configs=None, **kwargs):
    """Every front-end package the pages load is installed (``npm ci``): without it every page would fail
    under the manifest storage, so it is an error, named, with the command that mends it."""
    errors = []
    for prefix, folder in settings.STATICFILES_DIRS:
        if not Path(folder).is_dir():
            errors.append(checks.Error(
                f"前端依赖缺失：{folder} 不存在（{prefix}）",
                hint="在项目目录运行 make install（npm ci 按 package-lock.json 安装）",
                id="jiceng.E001"))
    return errors
