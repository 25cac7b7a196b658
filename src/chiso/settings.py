"""Settings for the chiso service, read once from the environment.

Every value a deployment changes comes from an environment variable (see README.md,
"Configuration"); nothing secret is committed. Production (CHISO_DEBUG off, the default)
refuses to start without CHISO_SECRET_KEY.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent  # the checkout: manage.py, var/, README.md
VAR_DIR = Path(os.environ.get("CHISO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# pytest (≥ 8.2) sets PYTEST_VERSION for the whole run, xdist workers included.
TESTING = "PYTEST_VERSION" in os.environ


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("CHISO_DEBUG")

SECRET_KEY = os.environ.get("CHISO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "CHISO_SECRET_KEY is not set. Production mode (CHISO_DEBUG off) refuses to start "
            "without a secret key: set CHISO_SECRET_KEY to a long random string, or set "
            "CHISO_DEBUG=1 for a local demo."
        )
    # A local demo keeps one random key per checkout, outside git, so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = key_file.read_text().strip()
# Earlier keys, newest first, comma-separated: sessions, signed links and sealed answers made
# under them still open after a rotation (chiso.core.sealed).
SECRET_KEY_FALLBACKS = [k.strip() for k in os.environ.get("CHISO_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]

ALLOWED_HOSTS = env_list("CHISO_ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CHISO_CSRF_TRUSTED_ORIGINS")

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
    "axes",
    "django_tasks",
    "django_tasks_db",
    "chiso.core",
    "chiso.audit",
    "chiso.accounts",
    "chiso.units",
    "chiso.jobs",
    "chiso.frameworks",
    "chiso.indices",
    "chiso.surveys",
    "chiso.assessments",
    "chiso.results",
    "chiso.portal",
    "chiso.api",
    "chiso.feedback",
    "chiso.services_stats",
    "chiso.followup",
    "chiso.notices",
    "chiso.site",  # the shell: home, menus, period, demo (imports the apps above)
    "ninja",  # serves the API's documentation page from its own static files, not from a CDN
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "chiso.audit.context.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "chiso.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "chiso.site.middleware.CurrentPeriodMiddleware",
    "chiso.core.middleware.MethodNotAllowedPage",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chiso.urls"
WSGI_APPLICATION = "chiso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chiso.site.context_processors.layout",
            ],
        },
    },
]

# --- Databases: the embedded SQLite file under var/ unless DATABASE_URL names another ---
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'chiso.sqlite3'}",
        conn_max_age=int(os.environ.get("CHISO_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the task worker read while the other writes;
    # IMMEDIATE transactions avoid "database is locked" on concurrent upgrades to write locks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes). Locked by user name, not by address:
# a provincial office sits behind one NAT address, and one mistyped password must not lock it out.
AXES_FAILURE_LIMIT = int(os.environ.get("CHISO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CHISO_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# --- One cache shared by every process: request limits, cached pages and rankings ---
# CHISO_CACHE_URL: redis://host:6379/0 in production (every web process on every machine counts
# the same limits); file:///path (the embedded default, under var/cache/: shared by the processes
# of one machine) or db://table (Django's database cache; run `manage.py createcachetable` once).
# Tests use each process's memory unless CHISO_CACHE_URL is set.


def cache_from_url(url: str) -> dict:
    """A CACHES entry for redis://, rediss://, unix://, file://, db:// or locmem:// URLs."""
    scheme, _, rest = url.partition("://")
    if scheme in ("redis", "rediss", "unix"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "chiso",
            # a slow or lost cache server answers quickly with an error rather than hanging a page
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    if scheme == "file":
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": rest,
                "OPTIONS": {"MAX_ENTRIES": 20000}}
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest or "chiso_cache"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest or "chiso"}
    raise ImproperlyConfigured(f"CHISO_CACHE_URL {url!r}: use redis://, file://, db:// or locmem://.")


CACHE_URL = os.environ.get("CHISO_CACHE_URL", "") or ("locmem://chiso" if TESTING else f"file://{VAR_DIR / 'cache'}")
CACHES = {
    "default": cache_from_url(CACHE_URL),
    # Each process's own short-lived copies of lists read on every respondent's request (the
    # units of a period): nothing in it must agree across processes, and memory is fastest.
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chiso-local"},
}

# --- Request limits (chiso.core.ratelimit), counted in the shared cache ---
# The number of reverse proxies in front of the service that append to X-Forwarded-For (nginx:
# 1). With 0, the header is ignored and the connection's address counts.
CHISO_TRUSTED_PROXIES = int(os.environ.get("CHISO_TRUSTED_PROXIES", "0"))
CHISO_API_ANON_RATE = os.environ.get("CHISO_API_ANON_RATE", "120/m")  # per address, calls without a token
CHISO_API_USER_RATE = os.environ.get("CHISO_API_USER_RATE", "1200/m")  # per user, with a token or a session
# New drafts per address from a survey's open link (an office behind one address may answer many).
CHISO_SURVEY_OPEN_RATE = os.environ.get("CHISO_SURVEY_OPEN_RATE", "30/h")

SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SESSION_COOKIE_HTTPONLY = True

# --- Language, time, numbers: Vietnamese first ---
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["chiso.formats"]

# --- Static files: from installed packages, served by whitenoise; nothing from the internet ---
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("CHISO_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
MEDIA_ROOT = Path(os.environ.get("CHISO_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"  # never served directly: files go through views that check permissions
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Background work: django-tasks with the database backend and its db_worker ---
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "CHISO_TASK_BACKEND",
            # Tests run each task in-process as it is enqueued; the worker is tested on its own.
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
        ),
    }
}

# --- E-mail: console in the demo, SMTP in production ---
EMAIL_BACKEND = os.environ.get(
    "CHISO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_HOST = os.environ.get("CHISO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CHISO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CHISO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CHISO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CHISO_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("CHISO_EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("CHISO_DEFAULT_FROM_EMAIL", "chiso@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Behind a reverse proxy in production ---
if not DEBUG and not TESTING:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("CHISO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("CHISO_SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- HTTPS: HSTS and the redirect, on by default when the service is reached over https ---
# (CHISO_CSRF_TRUSTED_ORIGINS names https:// origins); each can be set on its own. HSTS covers
# the service's own host and the names under it, never the province's other sites.
_SERVED_OVER_HTTPS = not (DEBUG or TESTING) and any(o.startswith("https://") for o in CSRF_TRUSTED_ORIGINS)
SECURE_SSL_REDIRECT = env_bool("CHISO_HTTPS_REDIRECT", _SERVED_OVER_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("CHISO_HSTS_SECONDS", str(365 * 24 * 3600 if _SERVED_OVER_HTTPS else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CHISO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CHISO_HSTS_PRELOAD", False)  # a lasting promise: the province decides

# --- Content-Security-Policy (django-csp): scripts from chiso's own static files only ---
# No inline script and no on…= handler anywhere (templates ask nav.js for behaviour with data-
# attributes). Styles allow 'unsafe-inline': the charts are inline SVG from matplotlib, whose
# <style> element and style= attributes draw them, and a few templates set a bar's width or an
# indent with style=. Images also from data: URIs (Swagger UI's icons, the print charts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Uploads and imports, bounded before they are parsed (chiso.core.uploads names the kinds) ---
# One limit per kind of file, in bytes: CHISO_UPLOAD_MAX_BYTES_UNITS=10485760 raises the unit lists' to 10 MB.
_UPLOAD_DEFAULT_MB = {"units": 5, "frame": 20, "responses": 20, "service_stats": 10, "tasks": 5, "indicator_values": 10,
                      "indicator_rules": 5, "national_results": 10, "framework": 5, "xlsform": 5, "evidence": 20, "feedback": 5,
                      "survey_media": 10}
CHISO_UPLOAD_MAX_BYTES = {
    kind: int(os.environ.get(f"CHISO_UPLOAD_MAX_BYTES_{kind.upper()}") or mb * 1024 * 1024)
    for kind, mb in _UPLOAD_DEFAULT_MB.items()
}
CHISO_IMPORT_MAX_ROWS = int(os.environ.get("CHISO_IMPORT_MAX_ROWS") or 200_000)
CHISO_IMPORT_MAX_COLUMNS = int(os.environ.get("CHISO_IMPORT_MAX_COLUMNS") or 1_000)
# What an XLSX (a ZIP archive) may expand to, checked from its directory before it is opened.
CHISO_IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("CHISO_IMPORT_MAX_UNCOMPRESSED_BYTES") or 100 * 1024 * 1024)
CHISO_IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("CHISO_IMPORT_MAX_COMPRESSION_RATIO") or 100)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHISO_LOG_LEVEL", "WARNING")},
}

# The province this installation serves; the demo loader fills the Province row.
CHISO_PROVINCE_CODE = os.environ.get("CHISO_PROVINCE_CODE", "CB")

# Locking by user name alone is deliberate (see AXES_LOCKOUT_PARAMETERS above). HSTS preload
# (security.W021) is the province's decision to make, with CHISO_HSTS_PRELOAD (see above).
SILENCED_SYSTEM_CHECKS = ["axes.W006"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])
