"""Shared helpers for the benchmarks: Django setup, the database in use, percentiles."""

import os
import resource
import statistics
import threading
import time
from contextlib import contextmanager


def setup_django(settings_module: str = "agenplan.settings.local") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()


SMOKE_FLAG = "--smoke"


def smoke_mode(argv: list[str]) -> bool:
    """`--smoke`: the benchmark's smallest size, for CI (it must finish and print figures;
    its times are not worth recording)."""
    return SMOKE_FLAG in argv


def database_label() -> str:
    from django.db import connection

    vendor = connection.vendor
    if vendor == "postgresql":
        return f"PostgreSQL {connection.cursor().connection.server_version} ({connection.settings_dict['NAME']})"  # noqa: E501
    return f"{vendor} ({connection.settings_dict['NAME']})"


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    if not ordered:
        return {}
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 1),
        "p95": round(q[94] if len(ordered) > 1 else ordered[0], 1),
        "max": round(ordered[-1], 1),
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def stopwatch():
    box = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = round(time.perf_counter() - start, 2)


def run_in_threads(target, count: int) -> float:
    """Run `target(index)` in `count` threads at once; the seconds until all finished."""
    began = time.perf_counter()
    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began
