"""The installation's system checks: a missing front-end package is an error that names it and the fix."""
from __future__ import annotations

from jiceng.core.checks import check_front_end_packages


def test_the_installed_packages_pass():
    assert check_front_end_packages() == []


def test_a_missing_package_is_an_error_naming_the_folder_and_the_fix(settings, tmp_path):
    settings.STATICFILES_DIRS = [("vendor/bootstrap", tmp_path / "node_modules" / "bootstrap" / "dist")]
    (error,) = check_front_end_packages()
    assert error.id == "jiceng.E001" and "bootstrap" in error.msg and "npm ci" in error.hint
