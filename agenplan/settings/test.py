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
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
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
