"""Thin Celery tasks: ids in, call a service. Mail tasks are named send_* and routed to
the "mail" queue by CELERY_TASK_ROUTES."""

import logging
import smtplib

from celery import shared_task

from agents.notifications import deliver_mail

from .services import remind_reviewers
from .services.participants import remove_expired_import_files

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def send_notification_mail(*, notification_id: int) -> bool:
    """Mail one notification; a retry after it was sent does nothing (emailed_at)."""
    return deliver_mail(notification_id)


@shared_task
def remind_due_reviews() -> dict[str, int]:
    """Daily (Celery beat): reviews due in two days, and overdue reviews."""
    counts = remind_reviewers()
    logger.info("review reminders: %s", counts)
    return counts


@shared_task
def clean_up_import_files() -> int:
    """Nightly (Celery beat): remove the participant uploads whose dry run was not
    confirmed within AGENPLAN_IMPORT_RETENTION_HOURS."""
    removed = remove_expired_import_files()
    logger.info("import retention: %s uploads removed", len(removed))
    return len(removed)
