"""The site's public address, for links that leave the browser: e-mails, QR codes.

In production `AGENPLAN_SITE_URL` names it (the production settings refuse to start
without it). Elsewhere the address is the one the person is using: the scheme and host of
the request being served (`RequestOriginMiddleware` remembers it for the request's
duration), so that a link made on a developer's machine opens on whatever host and port
its browser reached. Outside a request (a Celery task) without `AGENPLAN_SITE_URL` there
is no address to give: `site_url()` returns "" and callers fall back to what they can
(a path alone in an e-mail). `scripts/run_dev.sh` gives the worker the address it serves.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import DisallowedHost

_current_request: ContextVar = ContextVar("agenplan_current_request", default=None)


def request_origin(request) -> str:
    """`scheme://host[:port]` of a request, or "" when its host is not one we serve."""
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return ""


def site_url(request=None) -> str:
    """The public address without a trailing slash, or "" when none is known."""
    configured = (getattr(settings, "AGENPLAN_SITE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    request = request if request is not None else _current_request.get()
    return request_origin(request) if request is not None else ""


def absolute_url(path: str, request=None) -> str:
    """`path` under the public address (the path alone when no address is known)."""
    return site_url(request) + path


class RequestOriginMiddleware:
    """Makes the request being served known to `site_url()` while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
