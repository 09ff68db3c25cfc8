"""How many processes serve the web and how long one request may take.

Read by gunicorn.conf.py (the web server) and by the production settings (which refuse
to start with a per-process cache when more than one process serves). The figures behind
the defaults are in docs/performance.md ("Web server", benchmarks/bench_web.py).
"""

import os

# gunicorn's sync workers (WEB_CONCURRENCY overrides). Measured on 2 cores with 8
# concurrent clients: 3 workers served the most requests (8.7/s against 8.4 with 2 and 6.8
# with 5), each holding 80-88 MB; on more cores, start from cores + 1.
DEFAULT_WEB_WORKERS = 3
# Threads per worker process (WEB_THREADS overrides); more than one makes gunicorn's
# workers gthread workers, whose threads wait for the database side by side. Under the
# load test's mix on 2 cores (docs/performance.md, "Capacity") threads added nothing:
# 7.1 req/s with 2 x 4 threads and 6.2 with 3 x 4 against 7.2 with 3 sync workers.
DEFAULT_WEB_THREADS = 1
# Seconds before gunicorn kills a request that is still running (GUNICORN_TIMEOUT). The
# slowest page measured took 1.1 s alone and 3.7 s under overload: past 60 s a request is
# stuck, and its worker is freed. Long work runs in Celery, never in a request.
DEFAULT_WEB_TIMEOUT = 60


def web_workers(environ=None) -> int:
    """WEB_CONCURRENCY (gunicorn's own variable) or the default above."""
    value = (environ if environ is not None else os.environ).get("WEB_CONCURRENCY", "")
    return int(value) if value.strip() else DEFAULT_WEB_WORKERS


def web_threads(environ=None) -> int:
    """WEB_THREADS or the default above."""
    value = (environ if environ is not None else os.environ).get("WEB_THREADS", "")
    return int(value) if value.strip() else DEFAULT_WEB_THREADS


def web_worker_class(environ=None) -> str:
    """gunicorn's worker class: sync for one thread per process, gthread for several."""
    return "gthread" if web_threads(environ) > 1 else "sync"


def web_timeout(environ=None) -> int:
    """GUNICORN_TIMEOUT or the default above."""
    value = (environ if environ is not None else os.environ).get("GUNICORN_TIMEOUT", "")
    return int(value) if value.strip() else DEFAULT_WEB_TIMEOUT
