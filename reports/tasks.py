"""Thin Celery tasks: ids in, look the row up, call a service (STYLE.md rule 6)."""

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils.translation import gettext as _

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def render_report(self, *, job_id: int) -> None:
    try:
        services.run_job(job_id)
    except (OperationalError, ConnectionError):
        raise  # transient: Celery retries with backoff
    except Exception:
        logger.exception("report job %s failed", job_id)
        services.fail_job(job_id, _("Laporan gagal dibuat. Silakan coba lagi atau hubungi admin."))
