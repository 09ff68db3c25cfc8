"""Celery tasks of the implementation phase: ids in, call a service."""

import logging

from celery import shared_task

from .services import enter_due_implementations
from .services.reminders import send_progress_reminders

logger = logging.getLogger(__name__)


@shared_task(name="monitoring.tasks.enter_implementation")
def enter_implementation() -> int:
    moved = enter_due_implementations()
    logger.info("plans entering implementation: %s", moved)
    return moved


@shared_task(name="monitoring.tasks.remind_progress")
def remind_progress() -> int:
    return send_progress_reminders()
