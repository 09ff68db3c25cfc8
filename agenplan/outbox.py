"""Publishing committed work to the broker without ever failing the request.

The row is the outbox (docs/architecture.md): a notification to mail, a report job, an
assignment run is first a row committed with the change that asked for it. Publishing its
task afterwards is a courtesy that makes the work start at once: when the broker is down,
`publish` logs, returns False and the request still answers success; the row stays
undelivered (`emailed_at` empty, a job's `published_at` empty), and each app's periodic
sweep (Celery beat, and every worker when it starts) publishes it again. Every task is
idempotent, so a second publication of work already done changes nothing.

Publishing fails fast: one retry after 0.2 s and a 2 s connection timeout
(CELERY_TASK_PUBLISH_RETRY_POLICY, CELERY_BROKER_CONNECTION_TIMEOUT), so a request never
hangs on a dead broker.

Services name the task they publish (`publish("assessment.tasks.run_auto_assign",
run_id=…)`) instead of importing it: the task module imports its services at the top, so
the services must not import it back. Each app registers its tasks when Django starts
(its AppConfig.ready imports its `tasks` module), so a name always finds its task, in the
web process as in the worker.

`held_back()` tells the request what could not be published, so that its answer can say
so ("e-mail akan dikirim"): OutboxMiddleware adds that message to a successful answer.
"""

import contextvars
import logging

from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .celery import app as celery_app

logger = logging.getLogger(__name__)

# Tasks whose name starts with this send e-mail (routed to the "mail" queue).
MAIL_TASK_PREFIX = "send_"

_held_back: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "agenplan_outbox_held_back", default=None
)


def task_named(name: str):
    """The registered task of that dotted name (KeyError for a name no app registers)."""
    return celery_app.tasks[name]


def publish(task, /, **kwargs) -> bool:
    """Send `task(**kwargs)` to the broker now; False (logged) when the broker cannot take
    it. `task` is a task or its dotted name. Eager Celery (tests) runs the task here and
    lets its errors through."""
    if isinstance(task, str):
        task = task_named(task)
    if task.app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs)
        return True
    try:
        task.apply_async(kwargs=kwargs)
    except Exception as exc:  # noqa: BLE001 — any broker failure leaves the row in the outbox
        logger.warning("outbox: %s%s not published (%r); the sweep will", task.name, kwargs, exc)
        held = _held_back.get()
        if held is not None:
            held.append(task.name)
        return False
    return True


def publish_unannounced(task, /, **kwargs) -> bool:
    """`publish`, without telling the user when the broker cannot take it: for an e-mail
    whose very existence is private (a password reset tells nobody whether the address
    has an account). The sweep still publishes it again."""
    token = _held_back.set(None)
    try:
        return publish(task, **kwargs)
    finally:
        _held_back.reset(token)


def publish_on_commit(task, /, **kwargs) -> None:
    """`publish` once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: publish(task, **kwargs))


def held_back() -> list[str]:
    """The names of the tasks this request could not publish, in order."""
    return list(_held_back.get() or [])


MAIL_PENDING_MESSAGE = _(
    "Tersimpan. Layanan antrean sedang gangguan: e-mail akan dikirim otomatis begitu layanan pulih."
)
WORK_PENDING_MESSAGE = _(
    "Tersimpan. Layanan antrean sedang gangguan: pekerjaan latar belakang akan dimulai "
    "otomatis begitu layanan pulih."
)


class OutboxMiddleware:
    """Collects what a request could not publish; when the request succeeded (a redirect
    after a POST, as every form here answers), tells the user that the e-mail or the
    background work will follow. Listed after MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _held_back.set([])
        try:
            response = self.get_response(request)
            held = held_back()
        finally:
            _held_back.reset(token)
        if held and 300 <= response.status_code < 400 and hasattr(request, "_messages"):
            mail = any(name.rsplit(".", 1)[-1].startswith(MAIL_TASK_PREFIX) for name in held)
            messages.info(request, MAIL_PENDING_MESSAGE if mail else WORK_PENDING_MESSAGE)
        return response
