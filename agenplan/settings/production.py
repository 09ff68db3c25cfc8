"""Production settings: no default secret, HTTPS everywhere, PostgreSQL and Redis."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: production refuses to start without
# Rotating the key: the previous key(s) here, comma-separated, keep sessions and password
# reset links signed with them valid until they expire (docs/operations.md).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

AGENPLAN_REQUIRE_2FA_FOR = env.list("AGENPLAN_REQUIRE_2FA_FOR", default=["coordinator", "admin"])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": env.str(
            "AGENPLAN_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json(
            "AGENPLAN_FILE_STORAGE_OPTIONS",
            default={"location": str(MEDIA_ROOT), "base_url": "/private-media/"},  # noqa: F405
        ),
    },
}
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS]  # noqa: F405
if not SECURE_SSL_REDIRECT:  # TLS ends at the proxy, which redirects
    SILENCED_SYSTEM_CHECKS.append("security.W008")
if not SECURE_HSTS_PRELOAD:
    # Preloading is a one-way commitment of the whole domain to HTTPS, which the
    # government's domain owner must make; the operator opts in with the variable.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
