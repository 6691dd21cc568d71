"""The platform's settings plus one module that no other file names (tests/test_registry_sample.py)."""
from jiceng.settings import *  # noqa: F401,F403
from jiceng.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS[:-1], "tests.registry_sample", INSTALLED_APPS[-1]]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
