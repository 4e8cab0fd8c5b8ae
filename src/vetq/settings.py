"""Settings for vetq. Everything that differs between machines comes from the environment."""

import hashlib
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("VETQ_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("VETQ_DEBUG", False)
SECRET_KEY = os.environ.get("VETQ_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("VETQ_ALLOW_DEV_KEY", True):
        raise RuntimeError("VETQ_SECRET_KEY must be set in production")
    SECRET_KEY = "vetq-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in os.environ.get("VETQ_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("VETQ_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "vetq.core",
    "vetq.audit",
    "vetq.programs",
    "vetq.institutions",
    "vetq.accounts",
    "vetq.notices",
    "vetq.applications",
    "vetq.funding",
    "vetq.reviews",
    "vetq.projects",
    "vetq.surveys",
    "vetq.reports",
    "vetq.portal",
    "vetq.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "vetq.urls"
WSGI_APPLICATION = "vetq.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vetq.accounts.context.roles",
                "csp.context_processors.nonce",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vetq.sqlite3'}"),
        conn_max_age=int(os.environ.get("VETQ_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"

# django-axes: lock an account and address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("VETQ_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("VETQ_AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Bootstrap, htmx and ECharts come from the npm registry at install time (package.json);
# they are served by the app itself, never from a CDN.
NODE_MODULES = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("VETQ_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
# The SQLite file and collected static files live here; create it so a fresh checkout runs.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"

EMAIL_BACKEND = os.environ.get(
    "VETQ_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# The address people open vetq at, for links in e-mails.
VETQ_BASE_URL = os.environ.get("VETQ_BASE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("VETQ_FROM_EMAIL", "vetq@localhost")

# Content Security Policy: scripts only from vetq itself (no CDN, no inline script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("VETQ_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# The policy the demo and `make run` load.
VETQ_DEFAULT_POLICY = PROJECT_DIR / "policies" / "wuxi-2016-77.toml"
# Excel uploads larger than this are refused before they are parsed.
VETQ_IMPORT_MAX_BYTES = int(os.environ.get("VETQ_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))

# Uploads (R25 plans, application attachments): per-file and per-application caps, and
# how far an Office file (a zip) may unpack before it is taken for a zip bomb.
VETQ_UPLOAD_MAX_BYTES = int(os.environ.get("VETQ_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
VETQ_APPLICATION_MAX_BYTES = int(
    os.environ.get("VETQ_APPLICATION_MAX_BYTES", str(100 * 1024 * 1024))
)
VETQ_UPLOAD_MAX_EXPANSION = 100
VETQ_UPLOAD_MAX_UNPACKED_BYTES = 500 * 1024 * 1024

# Graduates' identity numbers are kept only as HMAC-SHA-256 pseudonyms under this key
# (surveys/pseudonyms.py). Set it once, keep it secret and never change it: a new key gives
# every graduate a new pseudonym, so records of earlier years no longer link to later ones
# (docs/operations.md). Without it, a key is derived from SECRET_KEY.
VETQ_PSEUDONYM_KEY = os.environ.get("VETQ_PSEUDONYM_KEY", "") or hashlib.sha256(
    f"vetq-graduate-pseudonyms:{SECRET_KEY}".encode()
).hexdigest()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VETQ_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
APP_NAME = _("vetq")

# Background work (django-tasks): tasks are stored in the database and run by
# `python -m vetq db_worker`; `python -m vetq scheduler` enqueues the daily ones
# (core/schedule.py). VETQ_TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
# runs them in the request instead, for a machine without a worker.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("VETQ_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    },
}
# The hour (local time) at which the scheduler enqueues the daily tasks.
VETQ_DAILY_HOUR = int(os.environ.get("VETQ_DAILY_HOUR", "7"))
