"""Production settings: no default secret, HTTPS everywhere, PostgreSQL and Redis."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from agenplan.serving import web_workers

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


# --- What production refuses to start without ------------------------------------------
def _required(name: str, why: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in production: {why} (see docs/operations.md)."
        )
    return value


AGENPLAN_SITE_URL = _required(
    "AGENPLAN_SITE_URL",
    "the public address (https://agenplan.example.go.id) of the links in e-mails and of "
    "the QR codes printed on documents",
).rstrip("/")
_site = urlsplit(AGENPLAN_SITE_URL)
if _site.scheme not in ("https", "http") or not _site.hostname or _site.path:
    raise ImproperlyConfigured(
        f"AGENPLAN_SITE_URL={AGENPLAN_SITE_URL!r} must be an address such as "
        "https://agenplan.example.go.id (scheme and host, no path)."
    )
EMAIL_URL = _required(
    "EMAIL_URL",
    "the mail server for invitations, password resets and notifications, e.g. "
    "smtp+tls://user:password@smtp.example.go.id:587",
)
DEFAULT_FROM_EMAIL = _required(
    "DEFAULT_FROM_EMAIL", "the sender of every mail, e.g. AgenPlan <agenplan@example.go.id>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Each gunicorn worker is a process: a per-process cache (no CACHE_URL) would let the
# workers show different dashboard figures and count rate limits and sign-in attempts
# separately. WEB_CONCURRENCY is the number of workers gunicorn.conf.py starts.
WEB_CONCURRENCY = web_workers()
if WEB_CONCURRENCY > 1 and CACHES["default"]["BACKEND"].endswith("LocMemCache"):  # noqa: F405
    raise ImproperlyConfigured(
        f"CACHE_URL must be set in production when more than one process serves "
        f"(WEB_CONCURRENCY={WEB_CONCURRENCY}): e.g. CACHE_URL=redis://127.0.0.1:6379/1, "
        "or WEB_CONCURRENCY=1 for a single worker."
    )
