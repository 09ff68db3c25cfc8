"""What every assessment service shares: the domain error, row locks, notifications."""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from agenplan.outbox import publish
from agents.enums import Role
from agents.models import Notification, User
from agents.notifications import mark_mail_published, notify
from plans.services import PlanError, _locked, _require, transition

__all__ = [
    "Message",
    "PlanError",
    "_locked",
    "_require",
    "coordinators",
    "send",
    "send_many",
    "transition",
]


def coordinators():
    """Every active coordinator: who hears that a plan's reviews are all in."""
    return User.objects.filter(is_active=True, role_grants__role=Role.COORDINATOR).distinct()


def send(recipient: User, *, kind: str, title, body="", url: str = "", dedupe_key: str) -> None:
    """Notify in the app now and by e-mail after the surrounding transaction commits.

    Idempotent: the same (recipient, dedupe_key) is written and mailed once.
    """
    notification = notify(
        recipient, kind=kind, title=str(title), body=str(body), url=url, dedupe_key=dedupe_key
    )
    if notification is None or not recipient.email:
        return
    pk = notification.pk
    transaction.on_commit(lambda: publish_mail(pk))


def publish_mail(notification_id: int) -> bool:
    """Publish the notification's mail task and remember when the broker took it; False
    when the broker is down (the sweep publishes it again; the request goes on)."""
    from assessment.tasks import send_notification_mail

    if not publish(send_notification_mail, notification_id=notification_id):
        return False
    mark_mail_published(notification_id)
    return True


@dataclass(frozen=True)
class Message:
    """One notification for `send_many`: the arguments of `send`."""

    recipient: User
    kind: str
    title: object
    body: object = ""
    url: str = ""
    dedupe_key: str = ""


def send_many(messages: list[Message]) -> None:
    """`send` for many recipients at once, in a fixed number of queries: the rows in one
    INSERT that skips every (recipient, dedupe_key) already there, their e-mails after
    the surrounding transaction commits.

    Idempotent like `send`: a row is written once. The mail is enqueued for each of the
    rows not yet mailed, so a retried run also mails what its first attempt wrote but
    never handed to the broker; `deliver_mail` marks a row as mailed under a row lock,
    so none is mailed twice.
    """
    messages = [m for m in messages if m.recipient is not None and m.recipient.is_active]
    if not messages:
        return
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=m.recipient,
                kind=m.kind,
                title=str(m.title)[:255],
                body=str(m.body),
                url=m.url[:500],
                dedupe_key=m.dedupe_key[:200],
            )
            for m in messages
        ],
        ignore_conflicts=True,
    )
    mailable = {(m.recipient.pk, m.dedupe_key[:200]) for m in messages if m.recipient.email}
    if not mailable:
        return
    unsent = Notification.objects.filter(
        recipient_id__in={r for r, _k in mailable},
        dedupe_key__in={k for _r, k in mailable},
        emailed_at__isnull=True,
    ).values_list("pk", "recipient_id", "dedupe_key")
    for pk, recipient_id, key in unsent:
        if (recipient_id, key) in mailable:
            transaction.on_commit(lambda pk=pk: publish_mail(pk))


def url(name: str, *args) -> str:
    return reverse(name, args=args)
