"""The Celery application. Workers: `celery -A agenplan worker -Q default,reports,mail`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenplan.settings.local")

app = Celery("agenplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
