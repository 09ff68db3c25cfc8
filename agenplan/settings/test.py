"""Settings for the test suite: fast hashing, eager Celery unless a test runs a worker."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-key-not-for-production-use-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = env.str(
    "AGENPLAN_TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
# The fault tests' worker process writes its e-mails here (filebased backend) for the test.
EMAIL_FILE_PATH = env.str("AGENPLAN_TEST_EMAIL_DIR", default=str(VAR_DIR / "test-mail"))  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
LANGUAGE_CODE = "id"

# The integration tests start a real Celery worker in another process: it must see the
# same test database (a file, not SQLite's in-memory default) and its own broker folder,
# so that a worker of `make run` on the same machine never takes the tests' tasks.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-agenplan.sqlite3")}  # noqa: F405
if CELERY_BROKER_URL.startswith("filesystem"):  # noqa: F405
    TEST_BROKER_DIR = VAR_DIR / "test-broker"  # noqa: F405
    for _folder in ("queue", "processed", "control"):
        (TEST_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(TEST_BROKER_DIR / "queue"),
        "data_folder_out": str(TEST_BROKER_DIR / "queue"),
        "processed_folder": str(TEST_BROKER_DIR / "processed"),
        "control_folder": str(TEST_BROKER_DIR / "control"),
        "store_processed": False,
    }
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/private-media/"},
    },
}

# --- Reports: knobs for the integration tests' real worker -----------------------------
# Seconds a render sleeps before it starts, so that a test can see a job "running" and kill
# its worker mid-render (read by reports.services at call time; 0 = no delay).
AGENPLAN_REPORT_TEST_DELAY = env.float("AGENPLAN_REPORT_TEST_DELAY", default=0.0)
# With Redis, a killed worker's unacknowledged message comes back after the visibility
# timeout (an hour in base.py); a test shortens it, and the restore sweep, to seconds.
_test_visibility = env.int("AGENPLAN_TEST_VISIBILITY_TIMEOUT", default=0)
if _test_visibility and not CELERY_BROKER_URL.startswith("filesystem"):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _test_visibility,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
# Rendered reports of an integration test go to the test's own folder (shared by the test
# process and its worker), never to another test run's files in var/test-media.
_test_media = env.str("AGENPLAN_TEST_MEDIA_ROOT", default="")
if _test_media:
    MEDIA_ROOT = _test_media
    STORAGES["default"]["OPTIONS"]["location"] = _test_media

# Tests never share a cache with each other or with a running server.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "agenplan-tests",
    }
}

# A fault test runs Celery beat for real: every periodic task then runs every so many
# seconds instead of at its hour (0: the production schedule).
_beat_seconds = env.float("AGENPLAN_TEST_BEAT_SECONDS", default=0)
if _beat_seconds:
    CELERY_BEAT_SCHEDULE = {  # noqa: F405
        name: {**entry, "schedule": _beat_seconds}
        for name, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
    }

# Request rate limits would make unrelated tests (and fuzzing) depend on how many requests
# ran before them in the same minute; the tests of the limiter set their own small limits.
AGENPLAN_RATE_LIMITS = {scope: "100000/m" for scope in AGENPLAN_RATE_LIMITS}  # noqa: F405
