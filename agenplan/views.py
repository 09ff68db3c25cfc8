"""Infrastructure views: the health check, the refused form (CSRF), the favicon's old
address."""

import logging

from django.db import connections
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_status() -> tuple[bool, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 — any failure means "down"
        return False, exc.__class__.__name__
    return True, "ok"


def _broker_status() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    return True, "ok"


@never_cache
@require_GET
def healthz(request):
    db_ok, db_detail = _database_status()
    broker_ok, broker_detail = _broker_status()
    healthy = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
        },
        status=200 if healthy else 503,
    )


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a refused form in the site's layout, saying how to go on (the
    reason is for the log, not for the visitor)."""
    logger.warning("CSRF failure on %s %s: %s", request.method, request.path, reason)
    return render(request, "403_csrf.html", status=403)


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for by themselves: the static file (its hashed
    name in production, hence a temporary redirect, looked up at request time)."""
    return HttpResponseRedirect(static("favicon.ico"))
