"""gunicorn's own settings, read from the working directory (the image's /app) without
any command-line option (an option given on the command line still wins).

- `bind`: BIND (127.0.0.1; the image sets 0.0.0.0, and docker-compose.yml publishes the
  container's port on 127.0.0.1 of the host) and PORT (8000).
- `workers`, `threads` (with the worker class), `timeout`: WEB_CONCURRENCY, WEB_THREADS
  and GUNICORN_TIMEOUT, their defaults and the figures behind them in agenplan/serving.py.
  The production settings refuse to start with several workers and no shared cache
  (CACHE_URL).

The `Server` header names the product only: gunicorn would name itself, which tells an
attacker which server's flaws to try.
"""

import importlib.util
import os
from pathlib import Path

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "AgenPlan"

# agenplan/serving.py by its path: importing the `agenplan` package here would load the
# Celery app, which defaults DJANGO_SETTINGS_MODULE to the local settings for every worker
# (agenplan/wsgi.py defaults to the production settings).
_spec = importlib.util.spec_from_file_location(
    "agenplan_serving", Path(__file__).resolve().parent / "agenplan" / "serving.py"
)
serving = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(serving)

bind = [f"{os.environ.get('BIND', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
workers = serving.web_workers()
threads = serving.web_threads()
worker_class = serving.web_worker_class()
timeout = serving.web_timeout()
# A worker that finishes its request after a SIGTERM: as long as one request may run.
graceful_timeout = timeout
# Behind the proxy, idle keep-alive connections are cheap; the proxy reuses them.
keepalive = 5
# One access line per request on standard output (docker compose logs web).
accesslog = "-"


def on_starting(server):
    """Tell the workers' settings how many workers there really are, whether they were
    set by WEB_CONCURRENCY, the default above or `--workers` on the command line: the
    production settings refuse several without a shared cache (CACHE_URL)."""
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)
