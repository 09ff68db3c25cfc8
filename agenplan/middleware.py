"""What a visitor sees while the database is unreachable (restart, failover, network).

A database outage raises django.db.OperationalError or InterfaceError from wherever the
first query happens: the session, the user, the view. Instead of a bare 500 page the
visitor gets a 503 that says the service is disturbed and when to try again. The page is
rendered from a static template with an empty context, never through the context
processors, the session or the user, so that it needs no query. Nothing partial is
written: every write runs in a transaction, which the failed connection rolls back, and
Django drops the broken connection at the end of the request (CONN_HEALTH_CHECKS), so the
next request after the database is back succeeds without restarting the web server.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds a browser, a proxy or a monitoring probe should wait before asking again.
RETRY_AFTER_SECONDS = 30


def service_unavailable() -> HttpResponse:
    """The 503 page: no context processors, no session, no user, no query."""
    content = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database outage raised by a view into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning(
            "database unavailable during %s %s: %r", request.method, request.path, exception
        )
        return service_unavailable()


def server_error(request, template_name: str = defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: a database outage raised outside a view (by a middleware, e.g. the
    session saved after the response) gets the same 503 page; anything else is a 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        logger.warning("database unavailable during %s %s", request.method, request.path)
        return service_unavailable()
    return defaults.server_error(request, template_name)
