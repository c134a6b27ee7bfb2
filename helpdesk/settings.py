"""Sada settings. Every difference between deployments is an environment variable.

See README.md ("Configuration") for the full list.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read a setting; `NAME_FILE` (a path, e.g. a mounted secret) wins over `NAME`."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: str = "0") -> bool:
    return env(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(env(name, str(default)))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "axes",
    "cases",
    "social_ingest",
    "helpdesk.apps.HelpdeskConfig",  # connection hooks (helpdesk/db.py)
]

MIDDLEWARE = [
    # First: every log line of a request about a case names the case (helpdesk.logging).
    "helpdesk.logging.LogContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: counts failed sign-ins and answers a locked-out one with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# The embedded default is a SQLite file, for the quickstart only; production and
# CI use PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'sada.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# No server-side prepared statements (psycopg's prepare_threshold): measured on 2
# cores, the API under 32 clients serves the same 308 req/s with or without them.
# With PostgreSQL's generic plans they lost partial indexes (idle SLA sweep 0.26 ->
# 174 ms); forcing custom plans for the whole session also re-planned every
# foreign-key check (an SPI plan), and the intake of 10,000 mentions fell from
# ~1,700 to ~1,240/s.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web + qcluster) share the file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    (BASE_DIR / "var").mkdir(exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cases.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Time: stored and computed in UTC; shown in DISPLAY_TIME_ZONE.
USE_TZ = True
TIME_ZONE = "UTC"
DISPLAY_TIME_ZONE = env("DISPLAY_TIME_ZONE", "Asia/Riyadh")
USE_I18N = True
LANGUAGE_CODE = env("LANGUAGE_CODE", "ar")
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "sada@localhost")

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A bearer API key first (so an anonymous call is a 401 with its challenge),
    # then the browser's session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cases.api.auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cases.api.auth.ScopedAccess"],
    "DEFAULT_PARSER_CLASSES": ["cases.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "cases.api.exceptions.api_exception_handler",
    # Not a security boundary: counters live in the (per-process by default) cache.
    "DEFAULT_THROTTLE_CLASSES": [
        "cases.api.throttling.ApiKeyRateThrottle",
        "cases.api.throttling.ApiUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env("SADA_API_RATE_PER_KEY", "1200/min"),
        "api_user": env("SADA_API_RATE_PER_USER", "600/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sada API",
    "DESCRIPTION": "Cases from social media, answered on time.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc are served by the app itself: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Case.Status",
        "CasePriorityEnum": "cases.models.Case.Priority",
    },
    "TAGS": [
        {"name": "cases", "description": "Cases, their messages, events and actions."},
        {"name": "customers", "description": "Who wrote to us."},
        {"name": "queues", "description": "Teams' queues."},
        {"name": "auth", "description": "Who is calling."},
    ],
}

# --- Task queue (django-q2) -------------------------------------------------
# ORM broker by default: a task is a row written in the same transaction as the
# data, so a committed change always has its task and delivery is at least once.
# Redis (REDIS_URL) is faster but delivers at most once: a task in flight when a
# worker dies is lost; periodic schedules re-create the work that matters.
REDIS_URL = env("REDIS_URL")
Q_CLUSTER = {
    "name": env("Q_CLUSTER_NAME", "sada"),
    "workers": envint("Q_WORKERS", 2),
    "timeout": envint("Q_TIMEOUT", 120),
    # retry must exceed timeout, or a slow task is handed out twice while it runs.
    "retry": envint("Q_RETRY", 180),
    "max_attempts": envint("Q_MAX_ATTEMPTS", 5),
    "catch_up": False,
    "ack_failures": True,
    "save_limit": envint("Q_SAVE_LIMIT", 1000),
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = float(env("Q_ORM_POLL", "0.5"))

# --- Sada ---------------------------------------------------------------------
# A new message on a case resolved less than this many days ago reopens it; later
# it opens a new case.
SADA_REOPEN_DAYS = envint("SADA_REOPEN_DAYS", 7)
# Routing-rule edits reach every process within this many seconds.
SADA_RULES_TTL_SECONDS = float(env("SADA_RULES_TTL_SECONDS", "5"))
# Many reports of one thing: this many customers, same queue and key phrase,
# within this many minutes, are linked under one incident.
SADA_INCIDENT_MIN_REPORTS = envint("SADA_INCIDENT_MIN_REPORTS", 3)
SADA_INCIDENT_WINDOW_MINUTES = envint("SADA_INCIDENT_WINDOW_MINUTES", 120)
# Public pages (issue 11): links in replies to citizens start with this base URL
# (blank: SADA_BASE_URL). A case status link stops working this many days after its
# case was resolved or closed; a citizen adds at most this many follow-ups per case
# and hour through it. A rating link works this many days.
SADA_PUBLIC_BASE_URL = env("SADA_PUBLIC_BASE_URL")
SADA_STATUS_LINK_DAYS_AFTER_CLOSE = envint("SADA_STATUS_LINK_DAYS_AFTER_CLOSE", 30)
SADA_PUBLIC_FOLLOWUPS_PER_HOUR = envint("SADA_PUBLIC_FOLLOWUPS_PER_HOUR", 5)
SADA_RATING_LINK_DAYS = envint("SADA_RATING_LINK_DAYS", 30)
# Resolving a case also sends the customer a rating link (needs a post to reply to).
SADA_RATING_ON_RESOLVE = envbool("SADA_RATING_ON_RESOLVE")
# Transparency pages: figures are computed once per account and language, then served
# from the cache (CACHES) for this many seconds; a category with fewer cases than
# SADA_PUBLIC_MIN_COUNT in a period is shown as "fewer than N", never as its count.
SADA_PUBLIC_CACHE_SECONDS = envint("SADA_PUBLIC_CACHE_SECONDS", 600)
SADA_PUBLIC_MIN_COUNT = envint("SADA_PUBLIC_MIN_COUNT", 5)

# Every line carries the case and the account it concerns (helpdesk.logging); secrets
# are scrubbed from every line. LOG_FORMAT=json for one JSON object per line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "helpdesk.logging.ContextFilter"}},
    "formatters": {
        "plain": {"()": "helpdesk.logging.KeyValueFormatter"},
        "json": {"()": "helpdesk.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env("LOG_FORMAT", "plain") == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # OAuth signing logs the tokens it signs with at DEBUG: never below WARNING.
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
    },
}

# --- X connector (social_ingest) -----------------------------------------------
# Credentials of the organisation account (user context: mentions and replies).
X_BEARER_TOKEN = env("X_BEARER_TOKEN")
X_CONSUMER_KEY = env("X_CONSUMER_KEY")
X_CONSUMER_SECRET = env("X_CONSUMER_SECRET")  # also verifies the X webhook
X_ACCESS_TOKEN = env("X_ACCESS_TOKEN")
X_ACCESS_TOKEN_SECRET = env("X_ACCESS_TOKEN_SECRET")
# Every X call goes here; point it at a local fake X server for demos and fault tests.
X_API_BASE_URL = env("X_API_BASE_URL", "https://api.x.com")
X_HTTP_TIMEOUT = float(env("X_HTTP_TIMEOUT", "10"))
# Webhook and inbound-channel bodies larger than this are refused (413).
SADA_MAX_WEBHOOK_BYTES = envint("SADA_MAX_WEBHOOK_BYTES", 1_000_000)
# Polling: each poll re-reads the mentions of the last X_POLL_OVERLAP_SECONDS (X lists
# some late); reading about X_MENTIONS_GAP_THRESHOLD mentions without reaching the
# previous watermark records a gap (X lists only the ~800 most recent mentions).
X_POLL_OVERLAP_SECONDS = envint("X_POLL_OVERLAP_SECONDS", 300)
X_MENTIONS_GAP_THRESHOLD = envint("X_MENTIONS_GAP_THRESHOLD", 750)
X_POLL_MAX_PAGES = envint("X_POLL_MAX_PAGES", 20)
# One poller per account: a lease renewed after every page, taken over once expired.
X_POLL_LEASE_SECONDS = envint("X_POLL_LEASE_SECONDS", 120)
# Back-off after 5xx/timeouts (doubling from the base up to the max), after a 401/403,
# and after X's monthly usage cap (checked again after this long; "resume" in the admin
# clears any pause).
X_BACKOFF_BASE_SECONDS = envint("X_BACKOFF_BASE_SECONDS", 15)
X_BACKOFF_MAX_SECONDS = envint("X_BACKOFF_MAX_SECONDS", 900)
X_UNAUTHORIZED_PAUSE_SECONDS = envint("X_UNAUTHORIZED_PAUSE_SECONDS", 900)
X_USAGE_CAP_PAUSE_SECONDS = envint("X_USAGE_CAP_PAUSE_SECONDS", 3600)
# Replies: attempts before a reply is marked failed, and how long an attempt without
# an outcome is left alone before another worker treats its worker as dead.
X_DELIVERY_MAX_ATTEMPTS = envint("X_DELIVERY_MAX_ATTEMPTS", 8)
X_DELIVERY_STALE_SECONDS = envint("X_DELIVERY_STALE_SECONDS", 300)

# --- UI -------------------------------------------------------------------------
# The agents' web UI (issue 6): language per person after authentication, display
# time zone per request, Arabic number formats, sign-in pages.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "cases.middleware.UserLanguageMiddleware",
)
FORMAT_MODULE_PATH = ["cases.formats"]
LANGUAGE_COOKIE_NAME = "sada_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = env("SESSION_COOKIE_SAMESITE", "Lax")
CSRF_COOKIE_SAMESITE = env("CSRF_COOKIE_SAMESITE", "Lax")
# HTMX reads the token from the page (data-csrf), never from the cookie.
CSRF_COOKIE_HTTPONLY = envbool("CSRF_COOKIE_HTTPONLY", "1")
# HTTPS: on by default when DEBUG is off; the demo on http://127.0.0.1 runs with DEBUG=1.
# Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto (and make
# sure the proxy overwrites that header).
_HTTPS = "0" if DEBUG else "1"
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", _HTTPS)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "1" if SESSION_COOKIE_SECURE else "0")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", _HTTPS)
# /healthz and /readyz are probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
# Preloading commits the whole registered domain to HTTPS in browsers for months: the
# ministry decides it for its domain, so it is opt-in (and check --deploy's reminder
# about it is silenced until then).
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or DEBUG else ["security.W021"]
_proxy_header = env("SECURE_PROXY_SSL_HEADER")
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_header.upper().replace("-", "_"),
        env("SECURE_PROXY_SSL_VALUE", "https"),
    )
# A shift is the working day: sign in once, signed out after a day idle.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_SAVE_EVERY_REQUEST = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
LOGIN_REDIRECT_URL = "inbox"
# Seconds between live refreshes of the inbox, the case page and the dashboard.
SADA_UI_POLL_SECONDS = envint("SADA_UI_POLL_SECONDS", 15)

# --- API
# Request bodies larger than this are refused with 413 (JSON only; a note of
# 10,000 Arabic characters is about 60 KB escaped).
SADA_API_MAX_BODY_BYTES = envint("SADA_API_MAX_BODY_BYTES", 256 * 1024)
# Outbound webhooks: a subscriber URL resolving to a loopback, link-local or
# private address is refused unless this is on AND the subscriber allows it.
SADA_WEBHOOKS_ALLOW_PRIVATE = envbool("SADA_WEBHOOKS_ALLOW_PRIVATE")
SADA_WEBHOOK_TIMEOUT = float(env("SADA_WEBHOOK_TIMEOUT", "5"))
TEMPLATES[0]["OPTIONS"]["context_processors"].append("cases.views.ui_context")

# --- SLA ------------------------------------------------------------------------
# How often the django-q2 schedule "sla-sweep" runs (minutes; read by the data
# migration that creates it; later changes go through the admin's Schedules).
SADA_SWEEP_MINUTES = envint("SADA_SWEEP_MINUTES", 1)
# Cases locked and processed per transaction by the sweep.
SADA_SWEEP_BATCH = envint("SADA_SWEEP_BATCH", 500)
# A sweep stops taking new batches after this many seconds (the next one goes on).
SADA_SWEEP_MAX_SECONDS = float(env("SADA_SWEEP_MAX_SECONDS", "50"))
# A case the sweep failed on is looked at again after this many minutes.
SADA_SWEEP_RETRY_MINUTES = envint("SADA_SWEEP_RETRY_MINUTES", 5)
# Notifications are also e-mailed (EMAIL_BACKEND) to users with an address.
SADA_NOTIFY_EMAIL = envbool("SADA_NOTIFY_EMAIL", "1")
# Links in e-mails point here.
SADA_BASE_URL = env("SADA_BASE_URL", "http://127.0.0.1:8000")
# After a policy or calendar is edited, up to this many open cases have their due
# times recomputed at once; more are recomputed by a task.
SADA_SLA_RECOMPUTE_INLINE = envint("SADA_SLA_RECOMPUTE_INLINE", 500)

# --- Security -------------------------------------------------------------------
# Content-Security-Policy on every response (cases.security); scripts only from Sada
# itself (the API docs' one inline script carries a per-request nonce).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "cases.security.ContentSecurityPolicyMiddleware",
)
# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one
# username from one address, that pair is locked out for AXES_COOLOFF_HOURS; supervisors
# see (and staff with the permission clear) lockouts in the admin under "Axes".
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = envbool("AXES_ENABLED", "1")
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(hours=float(env("AXES_COOLOFF_HOURS", "1")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Never store what was typed in the password field.
AXES_SENSITIVE_PARAMETERS = ["password"]
# The address: REMOTE_ADDR, or behind SADA_TRUSTED_PROXIES proxies (each appending to
# X-Forwarded-For) the one the outermost proxy saw (see helpdesk/client_ip.py). Left at
# 0 behind a proxy, every sign-in comes from the proxy: a lockout then applies to the
# username for everyone.
SADA_TRUSTED_PROXIES = envint("SADA_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "helpdesk.client_ip.client_ip"
