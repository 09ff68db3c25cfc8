"""WSGI entry point for gunicorn: `gunicorn agenplan.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenplan.settings.production")
application = get_wsgi_application()
