"""How many processes serve the web and how long one request may take.

Read by gunicorn.conf.py (the web server) and by the production settings (which refuse
to start with a per-process cache when more than one process serves). The figures behind
the defaults are in docs/performance.md ("Web server").
"""

import os

# gunicorn's sync workers (WEB_CONCURRENCY overrides).
DEFAULT_WEB_WORKERS = 3
# Seconds before gunicorn kills a request that is still running (GUNICORN_TIMEOUT).
DEFAULT_WEB_TIMEOUT = 60


def web_workers(environ=None) -> int:
    """WEB_CONCURRENCY (gunicorn's own variable) or the default above."""
    value = (environ if environ is not None else os.environ).get("WEB_CONCURRENCY", "")
    return int(value) if value.strip() else DEFAULT_WEB_WORKERS


def web_timeout(environ=None) -> int:
    """GUNICORN_TIMEOUT or the default above."""
    value = (environ if environ is not None else os.environ).get("GUNICORN_TIMEOUT", "")
    return int(value) if value.strip() else DEFAULT_WEB_TIMEOUT
