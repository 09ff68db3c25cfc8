"""Session limits: a session ends after AGENPLAN_SESSION_IDLE_MINUTES without activity and
AGENPLAN_SESSION_MAX_HOURS after sign-in, whatever happens in between.

Activity is any request the person makes; requests a page makes by itself (the bell's
count, a report's progress) say so with the `X-AgenPlan-Passive` header and do not keep
the session alive. An htmx request that arrives without a session is answered 401 with
`HX-Session-Expired: 1` instead of a redirect to the sign-in page, so that the page keeps
what it shows (and the editor keeps what was typed) and asks the person to sign in again.
"""

import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError, InterfaceError
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

STARTED = "agenplan_session_started"
SEEN = "agenplan_session_seen"
PASSIVE_HEADER = "X-AgenPlan-Passive"
EXPIRED_HEADER = "HX-Session-Expired"
# Activity is written to the session at most this often (one UPDATE), so the idle clock
# may start up to this many seconds early.
SEEN_RESOLUTION = 60


def idle_seconds() -> int:
    return settings.AGENPLAN_SESSION_IDLE_MINUTES * 60


def max_seconds() -> int:
    return settings.AGENPLAN_SESSION_MAX_HOURS * 3600


def remaining_seconds(session, now: float | None = None) -> int:
    """Seconds until the session ends if nothing more happens (idle or absolute limit)."""
    now = time.time() if now is None else now
    seen = session.get(SEEN, now)
    started = session.get(STARTED, now)
    return max(0, math.ceil(min(seen + idle_seconds(), started + max_seconds()) - now))


def mark_active(session, now: float | None = None) -> None:
    session[SEEN] = int(time.time() if now is None else now)


@receiver(user_logged_in, dispatch_uid="agents_session_started")
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[SEEN] = now


def session_expired_response() -> HttpResponse:
    """401 for a script: the session is gone, sign in again (nothing is swapped)."""
    response = HttpResponse(status=401)
    response[EXPIRED_HEADER] = "1"
    response["Cache-Control"] = "no-store"
    return response


def _is_login_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))


class SessionLimitsMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self._enforce(request)
        except (DatabaseError, InterfaceError):
            pass  # the view meets the same outage and answers it (a 503 page)
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and _is_login_redirect(response)
            and not request.user.is_authenticated
        ):
            return session_expired_response()
        return response

    def _enforce(self, request) -> None:
        if not request.user.is_authenticated:
            return
        session = request.session
        now = time.time()
        if STARTED not in session:  # a session from before these limits: start it now
            session[STARTED] = int(now)
            session[SEEN] = int(now)
            return
        idle = now - session.get(SEEN, now) > idle_seconds()
        if idle or now - session[STARTED] > max_seconds():
            logout(request)
            if request.headers.get("HX-Request") != "true":
                messages.info(
                    request,
                    _(
                        "Sesi Anda berakhir karena %(minutes)s menit tanpa aktivitas. "
                        "Silakan masuk lagi."
                    )
                    % {"minutes": settings.AGENPLAN_SESSION_IDLE_MINUTES}
                    if idle
                    else _("Sesi Anda berakhir setelah %(hours)s jam. Silakan masuk lagi.")
                    % {"hours": settings.AGENPLAN_SESSION_MAX_HOURS},
                )
            return
        passive = request.headers.get(PASSIVE_HEADER) == "1" or request.path_info == reverse(
            "session_status"
        )
        if not passive and now - session.get(SEEN, 0) >= SEEN_RESOLUTION:
            mark_active(session, now)
