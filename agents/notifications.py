"""In-app notifications and their e-mail: `notify()` is idempotent through a dedupe key.

A service calls `notify(...)` inside its transaction; the row is written at most once per
(recipient, dedupe_key). The caller enqueues the e-mail with `transaction.on_commit` (see
`assessment.services.notifying`), so a rolled-back action sends nothing; the mail task
calls `deliver_mail`, which marks the row as mailed under a row lock, so a retried or
duplicated task mails once.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notification, User

logger = logging.getLogger(__name__)


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
            )
    except IntegrityError:
        return None
    return notification


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
        if notification.emailed_at is not None or not notification.recipient.email:
            return False
        link = ""
        if notification.url:
            base = getattr(settings, "AGENPLAN_SITE_URL", "").rstrip("/")
            link = f"\n\n{base}{notification.url}"
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
