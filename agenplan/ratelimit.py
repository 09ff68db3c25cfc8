"""A small request rate limiter on the cache, and the client's address behind proxies.

`@rate_limited("verify")` counts a view's requests per client address in fixed windows
(`AGENPLAN_RATE_LIMITS["verify"] = "30/m"`) and answers 429 with Retry-After beyond the
limit. It is ours rather than django-ratelimit's because the need is this small (one
counter per scope and address, one page), and because django-ratelimit refuses to start
on a per-process cache while AgenPlan's default cache is exactly that (LocMemCache, for a
machine without Redis; each web process then counts on its own, which still bounds a
guesser). With Redis every worker shares the counters.
"""

import functools
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/m" -> (30, 60): requests allowed, window in seconds. "10/5m" is also read."""
    count, _, period = rate.partition("/")
    period = period.strip() or "m"
    unit = PERIODS.get(period[-1])
    multiple = period[:-1].strip() or "1"
    if unit is None or not count.strip().isdigit() or not multiple.isdigit():
        raise ValueError(f"Rate {rate!r} is not 'N/s', 'N/m', 'N/h' or 'N/d'")
    seconds = unit * int(multiple)
    return int(count), seconds


def client_ip(request) -> str:
    """The client's address: the connection's, or, behind AGENPLAN_TRUSTED_PROXY_COUNT
    proxies, the one the nearest trusted proxy appended to X-Forwarded-For. Addresses
    further left were written by the client and are never believed."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "AGENPLAN_TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def hit(scope: str, key: str, *, now: float | None = None) -> int:
    """Count one request of `key` in `scope`; return 0 when allowed, else the seconds
    until the window ends."""
    limit, window = parse_rate(settings.AGENPLAN_RATE_LIMITS[scope])
    moment = time.time() if now is None else now
    start = int(moment // window) * window
    cache_key = f"ratelimit:{scope}:{key}:{start}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, math.ceil(start + window - moment))


def too_many_requests(request, retry_after: int):
    response = render(
        request,
        "429.html",
        {"retry_minutes": max(1, math.ceil(retry_after / 60)), "retry_seconds": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str, *, methods: tuple[str, ...] = ("GET", "POST")):
    """Limit a view's `methods` to AGENPLAN_RATE_LIMITS[scope] per client address."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                retry_after = hit(scope, client_ip(request))
                if retry_after:
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
