"""One settings module, driven by environment variables.

Development needs nothing set: DEBUG is on, SQLite lives next to manage.py.
Set DATABASE_URL for PostgreSQL (postgres://user:pass@host:5432/name).
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# PRODUCTION=true turns on everything that needs HTTPS in front of the app: secure
# cookies, HSTS, the redirect to HTTPS and trusting the proxy's X-Forwarded-Proto. It
# turns DEBUG off unless DEBUG is set, and refuses DEBUG=true.
PRODUCTION = env_bool("PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("PRODUCTION=true needs DEBUG=false.")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # must come before django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "careers",
    "assessments",
    "teams",
    "accounts",
    "plans",
    "notifications",
    "organisation",
    "peers",
    "django_celery_results",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here (no CDN: the CSP)
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise (static files come compressed already): every page, CSV and JSON
    # gzipped when the client accepts it, with Django's BREACH mitigations (masked CSRF
    # tokens, random bytes in the gzip header), at a faster level (config/compressed.py).
    # Kept pages arrive compressed already.
    "config.compressed.GZipMiddleware",
    "config.middleware.DropNulCookiesMiddleware",  # before the session reads its cookie
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.CookieLanguageMiddleware",
    "config.middleware.RejectNulMiddleware",  # after the language: its 400 page is translated
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "accounts.context_processors.sign_in",
            ],
            # |bdi and |isolate: person-written and catalogue text shown in its place.
            "builtins": ["careers.templatetags.text"],
            # {% jinja "name.jinja" %}: a Jinja2 template rendered in a Django one;
            # {% site_nav %}: the navigation bar, rendered once per its inputs.
            "libraries": {"jinja": "config.jinja2", "frame": "config.frame"},
        },
    },
    {
        # The `.jinja` templates (config/jinja2.py): the result page's content, bars, bands.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A reused connection is checked first: after a database restart the next
        # request reconnects instead of failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Autosaves arrive side by side; a deferred transaction that reads and then writes
    # would fail at once with "database is locked": take the write lock at BEGIN instead.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    if test_file := os.environ.get("SQLITE_TEST_FILE"):
        # Tests of concurrent writers need a database file: the in-memory test database
        # is shared through one cache, which refuses a second writer instead of waiting.
        DATABASES["default"]["TEST"] = {"NAME": test_file}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "accounts.backends.UserBackend",  # ModelBackend, the user read by a prepared statement
    "accounts.oidc.OIDCBackend",  # single sign-on; answers only the provider's callback
    "django.contrib.auth.backends.ModelBackend",  # sessions made before it keep working
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:list"
LOGOUT_REDIRECT_URL = "home"

# French first; the interface and the catalogue are also in English.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr", "en")
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: confirmation and password reset links, team invitations. Printed on the
# console unless a mail server is named; EMAIL_BACKEND overrides either.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the start, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
# A mail server that stops answering must not hold a request (a worker) for ever.
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Cap Compétences <noreply@localhost>")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
# Single sign-on with OpenID Connect (accounts/oidc.py, README "Single sign-on"): on when
# an issuer and a client id are set. The endpoints come from the issuer's discovery
# document. LOCAL_ACCOUNTS=false leaves sign-in to the provider alone: no password
# log-in, sign-up or password reset.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "").strip() or "SSO"
OIDC_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "10"))
LOCAL_ACCOUNTS = env_bool("LOCAL_ACCOUNTS", True)
# mozilla-django-oidc's own settings (its endpoints are the discovered ones).
OIDC_RP_SCOPES = "openid email"
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the log-out's id_token_hint

# Background work (notifications/tasks.py, teams/tasks.py; README "Background work"):
# Celery on the broker CELERY_BROKER_URL names (redis://127.0.0.1:6379/0, or
# amqp://guest:guest@127.0.0.1:5672//). Unset, tasks run inline once the transaction
# commits, so `make run` needs no other service. Results, failures included, are kept
# in the database (django-celery-results), where the admin shows them.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_STORE_EAGER_RESULT = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it on the queue
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "send-reminders": {
        "task": "notifications.tasks.send_reminders",
        "schedule": float(os.environ.get("REMINDERS_EVERY_SECONDS", "3600")),
    },
    "prune-exports": {"task": "teams.tasks.prune_exports", "schedule": 6 * 3600.0},
}
# A cycle's file (report PDF, matrix) that fails to be made is tried again
# EXPORT_MAX_RETRIES times, waiting EXPORT_RETRY_SECONDS, then twice as long each time
# (at most 10 minutes); inline, EXPORT_INLINE_RETRIES times (the page waits). Files are
# deleted once superseded, and after EXPORT_KEEP_DAYS whatever their key.
EXPORT_MAX_RETRIES = int(os.environ.get("EXPORT_MAX_RETRIES", "3"))
EXPORT_RETRY_SECONDS = float(os.environ.get("EXPORT_RETRY_SECONDS", "10"))
EXPORT_INLINE_RETRIES = int(os.environ.get("EXPORT_INLINE_RETRIES", "0"))
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "7"))
# A message the mail server refuses is tried again MAIL_MAX_RETRIES times, waiting
# MAIL_RETRY_SECONDS, then twice as long each time (at most an hour).
MAIL_MAX_RETRIES = int(os.environ.get("MAIL_MAX_RETRIES", "5"))
MAIL_RETRY_SECONDS = float(os.environ.get("MAIL_RETRY_SECONDS", "30"))
# Without a broker a retry would run at once, holding the page: none by default.
MAIL_INLINE_RETRIES = int(os.environ.get("MAIL_INLINE_RETRIES", "0"))
# The address the reminders' links start with (they are sent with no request at hand).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# A password reset link works once, for 3 days (the pages and e-mails say so).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600


# The apps' own code: what a cached rendering can depend on (not tests, bench, scripts).
APP_PACKAGES = (
    "accounts",
    "api",
    "assessments",
    "careers",
    "config",
    "notifications",
    "organisation",
    "peers",
    "plans",
    "scoring",
    "teams",
)


def code_release(base: Path = BASE_DIR) -> str:
    """A digest of the apps' code, templates, translations and static files.

    Only a fallback for `RELEASE`, which a deployment sets (a git SHA, say): it prefixes
    every cache key, so code that changes never serves what the previous code made.
    """
    digest = hashlib.sha1()
    patterns = [f"{package}/**/*.py" for package in APP_PACKAGES]
    patterns += ["templates/**/*", "locale/**/*.mo", "static/css/*", "static/js/*"]
    for pattern in patterns:
        for path in sorted(base.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


RELEASE = os.environ.get("RELEASE") or code_release()

# Shared state lives in the database, never in a process: several app servers can run
# side by side behind a load balancer. Sessions and login throttling are always in the
# database, so nothing a person did depends on the cache (a session kept in Redis could
# outlive a log-out made while Redis was away, and come back with it).
#
# The cache ("default") holds only what the code computes (renderings, catalogue
# readings): Redis when REDIS_URL is set, else the database. Its keys start with the
# release, so a deployment starts afresh. Redis is an accelerator, not a single point of
# failure: django-redis ignores a Redis that does not answer (a read finds nothing, a
# write is dropped, each within the short timeouts below, and logged), so pages are
# computed from the database until Redis answers again, with no restart. A cache that
# fails slows the app down; it never serves something stale. The list of what is cached
# and why it cannot go stale is in the README ("Caches").
# Kept pages print one setting, whether local accounts exist (the "Sign up" links): a
# change of it starts them afresh, as a new release does.
CACHE_KEY_PREFIX = RELEASE if LOCAL_ACCOUNTS else f"{RELEASE}-no-local-accounts"
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT_SECONDS = float(os.environ.get("REDIS_TIMEOUT_SECONDS", "0.25"))
DATABASE_CACHE: dict[str, Any] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "cache_entries",
    "KEY_PREFIX": CACHE_KEY_PREFIX,
    # Django's default, 300, would cull a team's boards and people's results within
    # minutes; a few thousand rows of a few kB each is nothing to a database.
    "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
}
REDIS_CACHE: dict[str, Any] = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": CACHE_KEY_PREFIX,
    "OPTIONS": {
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_SECONDS,
        "SOCKET_TIMEOUT": REDIS_TIMEOUT_SECONDS,
    },
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
CACHES = {"default": REDIS_CACHE if REDIS_URL else DATABASE_CACHE}
SESSION_ENGINE = "accounts.sessions"  # database sessions, read by plain SQL
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Login throttling: 5 failures for one username from one address lock that pair out.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The address of a pair is the client's as the proxies in front saw it (config/proxies.py).
# The app must be reachable only through them: a direct caller could name any address.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1" if PRODUCTION else "0"))
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_address"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The load balancer's probes reach the app server over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content security policy (django-csp 4). Scripts: our own files only, plus inline
# ones carrying the request's nonce (there are none today). Styles also allow inline
# style attributes, which Django's admin relies on.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The log-out form's redirect to the provider's end-session page (single sign-on).
        "form-action": [SELF, *([origin(OIDC_ISSUER)] if OIDC_ISSUER else [])],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The REST API (api/, README "REST API"): personal access tokens only, no session (so no
# CSRF to hold), JSON only. Rates per token (per client address without one), in the cache.
API_READ_RATE = os.environ.get("API_READ_RATE", "600/min")
API_WRITE_RATE = os.environ.get("API_WRITE_RATE", "60/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.ReadThrottle", "api.throttles.WriteThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api-read": API_READ_RATE, "api-write": API_WRITE_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Skills self-assessment API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.common_responses",
    ],
}
