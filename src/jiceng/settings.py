"""Settings for jiceng. Everything that differs between machines comes from the environment.

DATABASE_URL       database (default: SQLite file under ./var/)
SECRET_KEY         required when JICENG_DEBUG is off
JICENG_DEBUG       "1" for development (the demo runs with it on)
JICENG_REDIS_URL   cache in production mode (default: local memory)
JICENG_VAR_DIR     where the SQLite file, static files and uploads go (default ./var)
JICENG_TRUSTED_PROXIES  our reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For is believed
"""
from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("JICENG_VAR_DIR", Path.cwd() / "var")).resolve()
PROJECT_DIR = BASE_DIR.parent.parent


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_flag("JICENG_DEBUG", False)
TESTING = _env_flag("JICENG_TESTING", "pytest" in sys.modules)
DEMO_PASSWORD = "jiceng-demo"
# Production mode: no debug, no tests. It refuses the demo password at login and will not build the demo.
PRODUCTION = not (DEBUG or TESTING)
JICENG_ALLOW_DEMO = _env_flag("JICENG_ALLOW_DEMO", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "jiceng-development-only-key-not-for-production-use-0123456789abcdef"
    else:
        raise RuntimeError("SECRET_KEY must be set when JICENG_DEBUG is off")

ALLOWED_HOSTS = [h for h in os.environ.get("JICENG_ALLOWED_HOSTS", "").split(",") if h] or (
    ["*"] if (DEBUG or TESTING) else ["127.0.0.1", "localhost"]
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JICENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "jiceng.core",
    "jiceng.audit",
    "jiceng.orgs",
    "jiceng.accounts",
    "jiceng.people",
    "jiceng.notices",
    "huey.contrib.djhuey",
    "jiceng.imports",
    "jiceng.points",
    "jiceng.reports",
    "jiceng.monitoring",
    "jiceng.cadre",
    "jiceng.duty",
    "jiceng.leadership",
    "jiceng.assets",
    "jiceng.web",
    "jiceng",  # the composition root: assembles what the modules above register (jiceng/composition.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jiceng.core.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jiceng.core.middleware.ErrorMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jiceng.web.context.navigation",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiceng.sqlite3'}"),
        conn_max_age=0 if TESTING else 60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets gunicorn workers read while one writes; IMMEDIATE avoids
            # "database is locked" upgrades inside write transactions.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own cursors bind parameters on the client and are never prepared. Django also turns
    # psycopg's statement preparation off unless it is set here; set, it lets the hot statements that
    # run on a server-side cursor with prepare=True (points posting) be planned once per connection.
    # Behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before
    # 1.21), set JICENG_PG_PREPARE=0: the same statements are then planned on every call.
    prepare = os.environ.get("JICENG_PG_PREPARE", "1") not in ("0", "false", "no")
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5 if prepare else None
if os.environ.get("JICENG_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["JICENG_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling: this many failures for one account within the window lock the account, whatever
# addresses they came from; the higher address limit locks one address trying many accounts.
LOGIN_FAILURE_LIMIT = int(os.environ.get("JICENG_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("JICENG_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("JICENG_LOGIN_FAILURE_WINDOW", "900"))
# Failure rows older than this are deleted (hourly job, and an account's own on each failure).
LOGIN_FAILURE_RETENTION_SECONDS = max(LOGIN_FAILURE_WINDOW_SECONDS,
                                      int(os.environ.get("JICENG_LOGIN_FAILURE_RETENTION", "86400")))
# POST /api/auth/token per client address ("number/period", period s, m, h or d); over it: 429.
API_TOKEN_RATE = os.environ.get("JICENG_API_TOKEN_RATE", "10/m")
# Our reverse proxies (addresses or CIDR networks, comma-separated): only a request whose immediate peer
# is one of them has its X-Forwarded-For believed (jiceng.accounts.network). Empty: REMOTE_ADDR as is.
TRUSTED_PROXIES = [str(ipaddress.ip_network(p.strip(), strict=False))
                   for p in os.environ.get("JICENG_TRUSTED_PROXIES", "").split(",") if p.strip()]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = PROJECT_DIR / "node_modules"
# The front-end packages come from npm (`npm ci` in `make install`); a missing one fails the system check
# (jiceng.core.checks) instead of leaving every page without its styles.
STATICFILES_DIRS = [("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Request size limits: an oversized body is refused with a clear error, not parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * 1024 * 1024
# Uploaded import files (a street's whole roll is ~200 MB of CSV) are streamed to this folder, not
# held in memory or in the database; the task that checks and applies the file reads it from here.
# Days an unapplied upload is kept (for the user to download it back with an error column).
IMPORT_RETENTION_DAYS = int(os.environ.get("JICENG_IMPORT_RETENTION_DAYS", "7"))
IMPORT_UPLOAD_DIR = (Path(__import__("tempfile").gettempdir()) / "jiceng-test-imports") if TESTING else (
    VAR_DIR / "imports")
IMPORT_MAX_UPLOAD = 512 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

REDIS_URL = os.environ.get("JICENG_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Shared by the web workers and the task consumer (import progress, cancel requests).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}

# Task queue (Huey): Redis in production, an embedded SQLite file otherwise; tests run tasks inline.
if REDIS_URL and not TESTING:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "jiceng", "url": REDIS_URL, "immediate": False,
            "consumer": {"workers": 2, "worker_type": "thread"}}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "name": "jiceng", "filename": str(VAR_DIR / "tasks.sqlite3"),
            "immediate": TESTING, "consumer": {"workers": 2, "worker_type": "thread"}}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not (DEBUG or TESTING):
    SESSION_COOKIE_SECURE = _env_flag("JICENG_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _env_flag("JICENG_SSL_REDIRECT", False)
    SECURE_HSTS_SECONDS = int(os.environ.get("JICENG_HSTS_SECONDS", "0"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("JICENG_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = _env_flag("JICENG_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"queue": {"format": "[%(asctime)s] %(levelname)s:%(name)s:%(threadName)s:%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler"},
                 "queue": {"class": "logging.StreamHandler", "formatter": "queue"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The task-queue consumer's lines, once each: its own handler, not also the root's.
    "loggers": {"huey": {"handlers": ["queue"], "level": "INFO", "propagate": False}},
}
