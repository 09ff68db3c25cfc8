"""Thin Celery tasks: ids in, call a service. Mail tasks are named send_* and routed to
the "mail" queue by CELERY_TASK_ROUTES.

The tasks import their services (`agents.notifications`, `agents.invitations`); those
publish a mail task by its name (`MAIL_TASK`, `INVITATION_TASK`, `RESET_TASK`), so no
service imports this module.
"""

import logging
import smtplib

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from agenplan.outbox import publish

from .invitations import deliver_invitation, deliver_password_reset, republish_unmailed
from .notifications import (
    deliver_digest,
    deliver_mail,
    digest_recipients,
    publish_mail,
    unmailed,
)

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)
# A mail task retries while the mail server refuses or cannot be reached.
MAIL_TASK_OPTIONS = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "max_retries": 5,
}


@shared_task(**MAIL_TASK_OPTIONS)
def send_notification_mail(*, notification_id: int) -> bool:
    """Mail one notification; a retry after it was sent does nothing (emailed_at)."""
    return deliver_mail(notification_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_invitation_mail(*, invitation_id: int) -> bool:
    """Mail one invitation with its single-use link; a retry after it was sent does nothing."""
    return deliver_invitation(invitation_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_password_reset_mail(*, reset_id: int) -> bool:
    """Mail one password-reset link; a retry after it was sent does nothing."""
    return deliver_password_reset(reset_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_digest_mail(*, user_id: int) -> int:
    """Mail one person's daily digest; a retry after it was sent lists nothing."""
    return deliver_digest(user_id)


@shared_task(bind=True, max_retries=3, soft_time_limit=300, time_limit=360)
def publish_daily_digests(self) -> int:
    """Every morning (Celery beat): one digest mail task per person with notifications
    waiting for it. What is not published now waits for the next morning."""
    try:
        ids = digest_recipients()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=60) from exc
    return sum(1 for pk in ids if publish(send_digest_mail, user_id=pk))


@shared_task(bind=True, max_retries=3, soft_time_limit=60, time_limit=90)
def resend_unmailed_notifications(self) -> int:
    """Every minute (Celery beat) and when a worker starts: publish again the e-mails of
    notifications, invitations and password resets that were never handed to the broker
    or never delivered."""
    try:
        ids = unmailed()
        account_mail = republish_unmailed()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=30) from exc
    published = sum(1 for pk in ids if publish_mail(pk))
    if ids:
        logger.warning("outbox: %s of %s unmailed notifications published", published, len(ids))
    if account_mail:
        logger.warning("outbox: %s invitation or reset e-mails published again", account_mail)
    return published + account_mail


@worker_ready.connect
def _sweep_on_worker_ready(sender=None, **kwargs) -> None:
    """A worker that starts publishes the e-mails left undelivered while none ran."""
    publish(resend_unmailed_notifications)
