"""In-app notifications and their e-mail: `notify()` is idempotent through a dedupe key.

A service calls `notify(...)` inside its transaction; the row is written at most once per
(recipient, dedupe_key). The caller enqueues the e-mail with `transaction.on_commit` (see
`assessment.services.notifying`), so a rolled-back action sends nothing; the mail task
calls `deliver_mail`, which marks the row as mailed under a row lock, so a retried or
duplicated task mails once.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

from agenplan.outbox import publish
from agenplan.site import absolute_url

from .models import Notification, User

logger = logging.getLogger(__name__)

# The mail task, by name: `agents.tasks` imports this module (see agenplan/outbox.py).
MAIL_TASK = "agents.tasks.send_notification_mail"


# The e-mail setting of the profile (a User field) that decides each kind's e-mail; a
# kind not named here is always mailed.
EMAIL_SETTING = {
    "assignment": "email_assignment",
    "revision": "email_assignment",
    "review_reopened": "email_assignment",
    "reviews_complete": "email_assignment",
    "due_soon": "email_deadline",
    "overdue": "email_deadline",
    "decision": "email_decision",
    "thread_reply": "email_mentoring",
}
NOW, DIGEST, NONE = "now", "digest", "none"


class Text:
    """A notification's text, written in the recipient's language when it is sent: a
    translatable message (gettext_lazy) and its values. Dates print as that language
    writes them ("7 Januari 2027"), numbers with its separators, lazy labels (a choice's)
    translated. `send` and `send_many` render it; a plain string stays as it is."""

    def __init__(self, message, **values):
        self.message = message
        self.values = values

    def __str__(self) -> str:
        if not self.values:
            return str(self.message)
        return str(self.message) % {name: _shown(value) for name, value in self.values.items()}


def _shown(value):
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value) if value is not None else ""


def in_language_of(recipient: User, text) -> str:
    """`text` (a Text, a lazy or a plain string) in the recipient's language."""
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        return str(text)


def delivery_for(recipient: User, kind: str) -> str:
    """How the recipient wants a notification of this kind by e-mail: NOW (its own
    mail), DIGEST (in the daily digest) or NONE (the bell only)."""
    if not recipient.email:
        return NONE
    setting = EMAIL_SETTING.get(kind)
    if setting is not None and not getattr(recipient, setting):
        return NONE
    return DIGEST if recipient.email_digest else NOW


def notify(
    recipient: User,
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str,
) -> Notification | None:
    """Write one notification unless the same (recipient, dedupe_key) exists; returns the
    new row, or None when it was already sent (then nothing is to be mailed)."""
    if recipient is None or not recipient.is_active:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=str(title)[:255],
                body=str(body),
                url=url[:500],
                dedupe_key=dedupe_key[:200],
                delivery=delivery_for(recipient, kind),
            )
    except IntegrityError:
        return None
    return notification


def send(recipient: User, *, kind: str, title, body="", url: str = "", dedupe_key: str) -> None:
    """Notify in the app now and by e-mail after the surrounding transaction commits, as
    the recipient's e-mail settings say (its own mail, the daily digest, or none).

    Idempotent: the same (recipient, dedupe_key) is written and mailed once.
    """
    notification = notify(
        recipient,
        kind=kind,
        title=in_language_of(recipient, title),
        body=in_language_of(recipient, body),
        url=url,
        dedupe_key=dedupe_key,
    )
    if notification is None or notification.delivery != NOW:
        return
    pk = notification.pk
    transaction.on_commit(lambda: publish_mail(pk))


def publish_mail(notification_id: int) -> bool:
    """Publish the notification's mail task and remember when the broker took it; False
    when the broker is down (the sweep publishes it again; the request goes on)."""
    if not publish(MAIL_TASK, notification_id=notification_id):
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


def send_message(message: Message) -> None:
    """`send` of one Message."""
    send(
        message.recipient,
        kind=message.kind,
        title=message.title,
        body=message.body,
        url=message.url,
        dedupe_key=message.dedupe_key,
    )


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
                title=in_language_of(m.recipient, m.title)[:255],
                body=in_language_of(m.recipient, m.body),
                url=m.url[:500],
                dedupe_key=m.dedupe_key[:200],
                delivery=delivery_for(m.recipient, m.kind),
            )
            for m in messages
        ],
        ignore_conflicts=True,
    )
    mailable = {
        (m.recipient.pk, m.dedupe_key[:200])
        for m in messages
        if delivery_for(m.recipient, m.kind) == NOW
    }
    if not mailable:
        return
    unsent = Notification.objects.filter(
        recipient_id__in={r for r, _k in mailable},
        dedupe_key__in={k for _r, k in mailable},
        emailed_at__isnull=True,
        delivery=NOW,
    ).values_list("pk", "recipient_id", "dedupe_key")
    for pk, recipient_id, key in unsent:
        if (recipient_id, key) in mailable:
            transaction.on_commit(lambda pk=pk: publish_mail(pk))


def deliver_mail(notification_id: int) -> bool:
    """Send the notification's e-mail once; True when this call sent it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            logger.info("notification %s is gone; no mail", notification_id)
            return False
        if (
            notification.emailed_at is not None
            or notification.delivery != NOW
            or not notification.recipient.email
        ):
            return False
        link = ""
        if notification.url:
            link = f"\n\n{absolute_url(notification.url)}"
        # The mail is handed to the backend inside the lock: a retry after a crash
        # between sending and committing could mail twice, a retry after commit cannot.
        send_mail(
            subject=f"[AgenPlan] {notification.title}",
            message=f"{notification.body}{link}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


# --- The outbox: e-mails not delivered ------------------------------------------------------
# A notification with an e-mail address and no `emailed_at` is an outbox entry. Its mail task
# is published after the commit that wrote it; when the broker was down (or lost the
# message, or the mail server kept refusing until the task gave up), the sweep publishes it
# again, at most every AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS, for MAIL_GIVE_UP_AFTER.
# `deliver_mail` sends under a row lock and marks the row, so a second publication of a
# mail already sent does nothing.

MAIL_GIVE_UP_AFTER = dt.timedelta(days=3)
SWEEP_BATCH = 500


def unmailed(*, now: dt.datetime | None = None) -> list[int]:
    """The notifications whose e-mail is due to be published (again), oldest first."""
    now = now or timezone.now()
    again = now - dt.timedelta(seconds=settings.AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS)
    rows = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            delivery=NOW,
            recipient__is_active=True,
            created_at__gte=now - MAIL_GIVE_UP_AFTER,
            created_at__lt=now - dt.timedelta(seconds=5),
        )
        .exclude(recipient__email="")
        .filter(Q(mail_published_at__isnull=True) | Q(mail_published_at__lt=again))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(rows[:SWEEP_BATCH])


def mark_mail_published(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id).update(mail_published_at=timezone.now())


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def recent_for(user: User, limit: int = 50):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]


def mark_read(user: User, *, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) as read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


# --- The daily digest -----------------------------------------------------------------------
# A notification whose recipient chose the digest waits (delivery "digest", `emailed_at`
# empty) until the morning's run (Celery beat, agents.tasks.publish_daily_digests) mails all
# of a person's waiting notifications in one e-mail and marks them, under their row locks,
# so that a second run or a retried task lists none of them again.

DIGEST_MAX_AGE = dt.timedelta(days=7)


def _waiting_for_digest(now: dt.datetime):
    return Notification.objects.filter(
        delivery=DIGEST, emailed_at__isnull=True, created_at__gte=now - DIGEST_MAX_AGE
    )


def digest_recipients(*, now: dt.datetime | None = None) -> list[int]:
    """The people with notifications waiting for their digest."""
    now = now or timezone.now()
    return list(
        _waiting_for_digest(now)
        .filter(recipient__is_active=True)
        .exclude(recipient__email="")
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def deliver_digest(user_id: int, *, now: dt.datetime | None = None) -> int:
    """Mail the person's waiting notifications in one e-mail, once; how many it listed."""
    now = now or timezone.now()
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    with transaction.atomic():
        waiting = list(
            _waiting_for_digest(now)
            .select_for_update()
            .filter(recipient_id=user_id)
            .order_by("created_at", "pk")
        )
        if not waiting:
            return 0
        items = [
            {
                "title": n.title,
                "body": n.body,
                "link": absolute_url(n.url) if n.url else "",
                "at": n.created_at,
            }
            for n in waiting
        ]
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = ngettext(
                "[AgenPlan] Ringkasan harian: %(count)s pemberitahuan",
                "[AgenPlan] Ringkasan harian: %(count)s pemberitahuan",
                len(items),
            ) % {"count": len(items)}
            body = render_to_string("agents/mail/digest.txt", {"user": user, "items": items})
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(emailed_at=now)
    return len(items)
