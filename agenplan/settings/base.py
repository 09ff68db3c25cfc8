"""Settings shared by every environment.

Everything that differs between machines is read from the environment through
django-environ (cookiecutter-django style). Without configuration AgenPlan runs on
SQLite and kombu's filesystem transport, so a fresh machine needs no server.
"""

import datetime as dt
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("AGENPLAN_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")  # required in production.py
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A refused form (expired page, cookie refused) answers the site's own page.
CSRF_FAILURE_VIEW = "agenplan.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Django REST Framework is used without being an installed app: its catalogue of
    # Indonesian messages would otherwise replace Django's own form messages on every
    # page. The API's messages are the project's (agenplan/api.py).
    "drf_spectacular",
    "agencies",
    "agents",
    "plans",
    "assessment",
    "monitoring",
    "reference",
    "reports",
    "gallery",
    "demo",
]

MIDDLEWARE = [
    # First: every answer carries X-Request-ID (the caller's, or a new one), also in logs.
    "agenplan.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Absolute links made while a request is served use its host (agenplan.site) unless
    # AGENPLAN_SITE_URL names the public address.
    "agenplan.site.RequestOriginMiddleware",
    # A database outage raised by a view answers 503 (handler500 covers the middlewares).
    "agenplan.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CsrfViewMiddleware: refuses NUL in the URL and oversized bodies unread.
    "agenplan.request_guard.RequestGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "agents.sessions.SessionLimitsMiddleware",
    "agents.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "agenplan.headers.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After MessageMiddleware: says so when committed work could not be published yet.
    "agenplan.outbox.OutboxMiddleware",
    # Last: turns a login that django-axes refused into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "agenplan.urls"
WSGI_APPLICATION = "agenplan.wsgi.application"

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
                "agents.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL switches to PostgreSQL (postgres://user@host:5432/name). The embedded
# default is SQLite in WAL mode with IMMEDIATE transactions, so that the web server and
# the Celery worker can write to the same file without "database is locked" errors.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'agenplan.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles any query its planner thinks costly, which the national
    # cycle's pages cross: the compilation took about 100 ms of a 300 ms page and never
    # paid back on queries that run in tens of milliseconds. Off for the application's
    # connections (an `options` in DATABASE_URL's query string takes precedence).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Covering indexes (INCLUDE) serve the dashboard on PostgreSQL; SQLite, the embedded
# default, builds them without the extra columns, which is harmless.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "agents.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address pair before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's password backend, loading the user with their agency.
    "agents.backends.AgencyModelBackend",
    # Sessions signed in before the line above keep working until they end.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
# A session ends after this many minutes without activity, and this many hours after
# signing in whatever happens; pages warn AGENPLAN_SESSION_WARNING_SECONDS before the
# idle end and offer to stay signed in. Changing the password signs out every other
# session (Django's session hash).
AGENPLAN_SESSION_IDLE_MINUTES = env.int("AGENPLAN_SESSION_IDLE_MINUTES", default=30)
AGENPLAN_SESSION_MAX_HOURS = env.int("AGENPLAN_SESSION_MAX_HOURS", default=12)
AGENPLAN_SESSION_WARNING_SECONDS = env.int("AGENPLAN_SESSION_WARNING_SECONDS", default=120)
SESSION_COOKIE_AGE = AGENPLAN_SESSION_MAX_HOURS * 3600
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A "lupa kata sandi" link works for this many seconds, and once (it dies when the password
# changes); invitations' links work for 7 days (agents.invitations).
PASSWORD_RESET_TIMEOUT = env.int("AGENPLAN_PASSWORD_RESET_SECONDS", default=3 * 3600)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# --- Two-factor sign-in (django-otp: an authenticator app, plus recovery codes) --------
# Everyone may turn it on (Akun > Keamanan); whoever has it gives a code after the
# password. People holding one of these roles must have it before any page opens
# ("admin" also covers the Django admin's staff and superusers); production.py requires it
# for coordinators and admins unless the variable says otherwise.
AGENPLAN_REQUIRE_2FA_FOR = env.list("AGENPLAN_REQUIRE_2FA_FOR", default=[])
OTP_TOTP_ISSUER = "AgenPlan"
AGENPLAN_RECOVERY_CODES = 10

# --- Password guessing (django-axes) -------------------------------------------------
# Five failed sign-ins for one username from one address lock that pair, and only that
# pair, for the cool-off: a stranger elsewhere cannot lock a person out, and a guesser
# cannot try more names from one address beyond the login rate limit below. An admin
# unlocks early in the Django admin (access attempts); both are in the audit log.
AXES_FAILURE_LIMIT = env.int("AGENPLAN_LOGIN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AGENPLAN_LOGIN_COOLOFF_MINUTES", default=15))
# Failures during the lock do not extend it: the page can promise when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "agents.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "agenplan.ratelimit.client_ip"
# The failed attempts are listed by agents.admin (with an audited unlock).
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Proxies in front of the application that append to X-Forwarded-For (0: none, the
# address of the connection is the client's). The client is the address the nearest
# trusted proxy saw, never one the client wrote itself.
AGENPLAN_TRUSTED_PROXY_COUNT = env.int("AGENPLAN_TRUSTED_PROXY_COUNT", default=0)
# Requests per window and address ("N/s", "N/m", "N/h"), counted in the cache (shared by
# every worker when the cache is Redis): sign-in attempts, printed-code checks, and
# password-reset requests (counted per address and per e-mail address asked for).
AGENPLAN_RATE_LIMITS = {
    "login": env.str("AGENPLAN_RATE_LIMIT_LOGIN", default="30/m"),
    "password_reset": env.str("AGENPLAN_RATE_LIMIT_PASSWORD_RESET", default="5/h"),
    "verify": env.str("AGENPLAN_RATE_LIMIT_VERIFY", default="30/m"),
}

# --- The REST API (/api/v1/, docs/api.md): agenplan/settings/api.py -------------------
from .api import *  # noqa: E402, F403

# --- Browser security headers ----------------------------------------------------------
# Content-Security-Policy (django-csp 4): every script and stylesheet is a file under
# /static/; no inline script, no style attribute, no eval. Pages are framed by nobody.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features no page of AgenPlan uses, switched off for every page.
AGENPLAN_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"  # WITA
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["agenplan.formats"]

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded attachments and rendered reports are private: they are never served from a
# public path, only through views that check permissions.
MEDIA_ROOT = Path(env.str("AGENPLAN_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No URL pattern serves this prefix: files reach users only through views that check.
MEDIA_URL = "/private-media/"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/private-media/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Forms ----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ---------------------------------------------------------------------------
# Without CELERY_BROKER_URL the broker is kombu's filesystem transport under var/broker:
# a real broker that needs no server, shared by the web process and the worker.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600, "socket_connect_timeout": 2}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "reports.tasks.*": {"queue": "reports"},
    "*.tasks.send_*": {"queue": "mail"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request publishes its work after commit (agenplan.outbox) and must never hang on a dead
# broker: one retry, a 2-second connection timeout; what is not published stays in its row
# and the sweeps below publish it again.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.2,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

# --- The outbox sweep (agenplan.outbox) ------------------------------------------------
# Every AGENPLAN_OUTBOX_SWEEP_SECONDS (Celery beat) and whenever a worker starts, what was
# committed but not delivered is published again: notifications not e-mailed, report jobs
# and assignment runs never published or queued that long without a worker taking them
# (AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS), and report jobs or chunks still "running"
# AGENPLAN_REPORT_STUCK_AFTER_SECONDS after they started, whichever worker held them (the
# tasks' hard time limit is 660 s: by then no worker can still be rendering them), and
# assignment runs still "running" past their task's hard time limit and a minute.
AGENPLAN_OUTBOX_SWEEP_SECONDS = env.int("AGENPLAN_OUTBOX_SWEEP_SECONDS", default=60)
AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS = env.int(
    "AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS", default=600
)
AGENPLAN_REPORT_STUCK_AFTER_SECONDS = env.int("AGENPLAN_REPORT_STUCK_AFTER_SECONDS", default=720)

# --- Mail -----------------------------------------------------------------------------
# EMAIL_URL (django-environ's email_url): smtp+tls://user:password@smtp.example.go.id:587
# (STARTTLS), smtp+ssl://user:password@host:465 (TLS from the first byte), smtp://host:25
# (plain); the user and password percent-encoded. consolemail:// prints mails (the
# default on a developer's machine), memorymail:// keeps them in memory. production.py
# requires it. `manage.py sendtestemail ADDRESS` sends one mail from DEFAULT_FROM_EMAIL.
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
_email = env.email_url_config(EMAIL_URL)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_PORT = _email["EMAIL_PORT"] or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
# Seconds the SMTP connection may block a worker (connect, each command).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AgenPlan <agenplan@localhost>")
# Error reports to ADMINS (none configured by default) come from the same sender.
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- The organisation (letterhead); another province sets its own --------------------
AGENPLAN_GOVERNMENT_NAME = env.str(
    "AGENPLAN_GOVERNMENT_NAME", default="Pemerintah Provinsi Kalimantan Timur"
)
AGENPLAN_SECRETARIAT_NAME = env.str("AGENPLAN_SECRETARIAT_NAME", default="Sekretariat Daerah")
AGENPLAN_BUREAU_NAME = env.str("AGENPLAN_BUREAU_NAME", default="Biro Organisasi")
AGENPLAN_ADDRESS = env.str(
    "AGENPLAN_ADDRESS", default="Jalan Gajah Mada No. 2, Samarinda, Kalimantan Timur 75121"
)

# The region: its name where a total is printed for all its agencies, and the folder of
# its reference data (agencies, frameworks, default rubric) for `load_reference_data`.
AGENPLAN_REGION_NAME = env.str("AGENPLAN_REGION_NAME", default="Provinsi Kalimantan Timur")
AGENPLAN_REFERENCE_DATA_DIR = env.str(
    "AGENPLAN_REFERENCE_DATA_DIR", default=str(BASE_DIR / "reference" / "data" / "kaltim")
)

# The public address (https://agenplan.kaltimprov.go.id) of links in e-mails and of the
# QR codes of documents (agenplan.site). production.py requires it; empty elsewhere: the
# host of the request being served, else the address scripts/run_dev.sh serves.
AGENPLAN_SITE_URL = env.str("AGENPLAN_SITE_URL", default="")
# The place printed above the signatures of documents ("Samarinda, 21 Februari 2023").
AGENPLAN_DOCUMENT_PLACE = env.str("AGENPLAN_DOCUMENT_PLACE", default="Samarinda")

# --- Limits ---------------------------------------------------------------------------
# The largest attachment of a plan, in megabytes (checked on upload, printed in the form's
# help text and in the refusal).
AGENPLAN_ATTACHMENT_MAX_MB = env.int("AGENPLAN_ATTACHMENT_MAX_MB", default=10)
# The largest participants file (CSV or XLSX) a coordinator may import, in megabytes
# (checked on upload, by the reader and by `manage.py import_participants`).
AGENPLAN_PARTICIPANTS_MAX_MB = env.int("AGENPLAN_PARTICIPANTS_MAX_MB", default=5)
# Review packets rendered per chunk of a cycle's batch (more when a cycle would need more
# than reports.rendering.batch.MAX_CHUNKS chunks).
AGENPLAN_PACKETS_PER_CHUNK = env.int("AGENPLAN_PACKETS_PER_CHUNK", default=10)

# --- Retention (the nightly clean-up; `manage.py cleanup_files` runs it by hand) -------
# Days a finished report's file (PDF/XLSX/ZIP) is kept; the job row stays, its page offers
# to ask again. Hours an uploaded participants file is kept between its dry run and the
# confirmation. 0 keeps them for ever.
AGENPLAN_REPORT_RETENTION_DAYS = env.int("AGENPLAN_REPORT_RETENTION_DAYS", default=30)
AGENPLAN_IMPORT_RETENTION_HOURS = env.int("AGENPLAN_IMPORT_RETENTION_HOURS", default=24)
# Days an ended participants import keeps its rows (names, NIPs, e-mail addresses of the
# file, the refused rows); its counts stay. 0 or less: kept for ever.
AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS = env.int(
    "AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS", default=30
)

# --- Automatic reviewer assignment ------------------------------------------------------
# A cycle with more plans than this waiting for reviewers is assigned by a Celery task
# (assessment.tasks.run_auto_assign, a row the page polls) instead of inside the request.
AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT = env.int("AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT", default=500)

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "agenplan.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- Cache: the dashboard's short-lived per-cycle figures ------------------------------
# Without CACHE_URL/REDIS_URL each process keeps its own LocMemCache (figures may then lag by
# up to AGENPLAN_DASHBOARD_CACHE_SECONDS between web workers); with Redis every worker
# shares one cache and sees each invalidation at once.
_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env.str("DJANGO_CACHE_KEY_PREFIX", default="agenplan"),
            "TIMEOUT": 300,
        }
        if _cache_url
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "agenplan",
            "TIMEOUT": 300,
        }
    )
}
# Seconds a dashboard figure may be served from the cache (agenplan/cycle_cache.py).
AGENPLAN_DASHBOARD_CACHE_SECONDS = env.int("AGENPLAN_DASHBOARD_CACHE_SECONDS", default=120)
# The public gallery's pages (gallery/cache.py), also invalidated on every publication.
AGENPLAN_GALLERY_CACHE_SECONDS = env.int("AGENPLAN_GALLERY_CACHE_SECONDS", default=600)

# --- Celery beat: reminders and nightly clean-ups --------------------------------------
# Every morning at 07:00 WITA: reviews due in two days and overdue reviews are notified
# (in the app and by e-mail through the "mail" queue). Idempotent: one reminder per
# assignment, due date and kind. Run with `celery -A agenplan beat`.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "assessment-remind-due-reviews": {
        "task": "assessment.tasks.remind_due_reviews",
        "schedule": crontab(hour=7, minute=0),
    },
    # Just after midnight WITA: approved plans of a cycle whose implementation window has
    # opened enter implementation; at 07:15 the progress-report reminders.
    "monitoring-enter-implementation": {
        "task": "monitoring.tasks.enter_implementation",
        "schedule": crontab(hour=0, minute=15),
    },
    "monitoring-remind-progress": {
        "task": "monitoring.tasks.remind_progress",
        "schedule": crontab(hour=7, minute=15),
    },
    # Every morning at 06:30 WITA: the daily digest of those who chose it (agents).
    "agents-daily-digest": {
        "task": "agents.tasks.publish_daily_digests",
        "schedule": crontab(hour=6, minute=30),
    },
    # Every night, when nobody is asking for reports (times are WITA, CELERY_TIMEZONE).
    "reports-clean-up-report-files": {
        "task": "reports.tasks.clean_up_report_files",
        "schedule": crontab(hour=2, minute=30),
    },
    "assessment-clean-up-import-files": {
        "task": "assessment.tasks.clean_up_import_files",
        "schedule": crontab(hour=2, minute=45),
    },
    # The outbox sweeps (agenplan.outbox): what was committed but not delivered.
    "outbox-notification-mail": {
        "task": "agents.tasks.resend_unmailed_notifications",
        "schedule": AGENPLAN_OUTBOX_SWEEP_SECONDS,
    },
    "outbox-report-jobs": {
        "task": "reports.tasks.republish_report_jobs",
        "schedule": AGENPLAN_OUTBOX_SWEEP_SECONDS,
    },
    "outbox-assignment-runs": {
        "task": "assessment.tasks.republish_assignment_runs",
        "schedule": AGENPLAN_OUTBOX_SWEEP_SECONDS,
    },
    "outbox-decision-runs": {
        "task": "assessment.tasks.republish_decision_runs",
        "schedule": AGENPLAN_OUTBOX_SWEEP_SECONDS,
    },
    "outbox-participant-imports": {
        "task": "assessment.tasks.republish_participant_imports",
        "schedule": AGENPLAN_OUTBOX_SWEEP_SECONDS,
    },
}
