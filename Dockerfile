# AgenPlan production image: one image for the web server (gunicorn), the Celery worker,
# Celery beat and the one-shot `migrate` service (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=agenplan.settings.production \
    AGENPLAN_VAR_DIR=/app/var \
    AGENPLAN_MEDIA_ROOT=/app/var/media

# WeasyPrint's libraries (Pango, HarfBuzz with its subsetter), a font for the PDFs, gettext for compilemessages:
# the same list `make run` installs on a developer's machine.
COPY scripts/install_system_deps.sh /tmp/install_system_deps.sh
RUN /tmp/install_system_deps.sh runtime \
    && rm -rf /var/lib/apt/lists/* /tmp/install_system_deps.sh

RUN groupadd --system --gid 1000 agenplan \
    && useradd --system --uid 1000 --gid agenplan --home-dir /app --shell /usr/sbin/nologin agenplan

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# collectstatic and compilemessages import the production settings, which refuse to start
# without a secret key, hosts and a database: these values exist for this build step only
# and are not kept in the image.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-not-a-secret-3fJ8qL1zX6wP0vN5mR2tY7kC \
    DJANGO_ALLOWED_HOSTS=localhost \
    AGENPLAN_SITE_URL=https://localhost \
    EMAIL_URL=consolemail:// \
    DEFAULT_FROM_EMAIL=build@localhost \
    WEB_CONCURRENCY=1 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CELERY_BROKER_URL=memory:// \
    sh -c 'python manage.py collectstatic --noinput \
        && python manage.py compilemessages --ignore=var' \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/var/media \
    && chown -R agenplan:agenplan /app/var

USER agenplan
# gunicorn.conf.py reads these (and WEB_CONCURRENCY, WEB_THREADS, GUNICORN_TIMEOUT, whose
# measured defaults are in agenplan/serving.py and docs/performance.md): inside the
# container it listens on every interface; docker-compose.yml publishes it to 127.0.0.1.
ENV BIND=0.0.0.0 \
    PORT=8000
EXPOSE 8000
CMD ["gunicorn", "agenplan.wsgi:application"]
