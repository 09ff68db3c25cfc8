"""gunicorn's own settings, read from the working directory (the image's /app) without
any command-line option (an option given on the command line still wins).

- `bind`: BIND (0.0.0.0 in the image, where the container's port is published to
  127.0.0.1 by docker-compose.yml; use 127.0.0.1 on a host without Docker) and PORT (8000).
- `workers`, `timeout`: WEB_CONCURRENCY and GUNICORN_TIMEOUT, their defaults and the
  figures behind them in agenplan/serving.py. The production settings refuse to start
  with several workers and no shared cache (CACHE_URL).

The `Server` header names the product only: gunicorn would name itself, which tells an
attacker which server's flaws to try.
"""

import os

import gunicorn.http.wsgi

from agenplan.serving import web_timeout, web_workers

gunicorn.http.wsgi.SERVER = "AgenPlan"

bind = [f"{os.environ.get('BIND', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]  # noqa: S104
workers = web_workers()
timeout = web_timeout()
# A worker that finishes its request after a SIGTERM: as long as one request may run.
graceful_timeout = timeout
# Behind the proxy, idle keep-alive connections are cheap; the proxy reuses them.
keepalive = 5
# One access line per request on standard output (docker compose logs web).
accesslog = "-"
