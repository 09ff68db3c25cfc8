"""AgenPlan project package: settings, URLs, the Celery app. Nothing domain-specific."""

from .celery import app as celery_app

__all__ = ("celery_app",)
