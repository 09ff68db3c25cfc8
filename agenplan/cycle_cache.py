"""A short-lived cache of figures computed over a cycle (the leadership dashboard's, the
coordinator's board), one namespace per cycle.

Every cached value's key carries two version numbers: the cycle's (bumped when a plan,
review, assignment or decision of that cycle changes: the receivers in `reports/cache.py`)
and a global one (bumped when agents, agencies or reference lists change, which every
cycle shows). Bumping a version makes the old entries unreachable; they expire on their own after
`AGENPLAN_DASHBOARD_CACHE_SECONDS` (120 s by default), which also bounds how stale a
figure can be when the cache is a per-process LocMemCache (several web workers without
Redis do not see each other's bumps).

Versions start from the clock, not from 1: a version key that expired and was created
again never meets an older entry with the same number.
"""

import time
from collections.abc import Callable
from typing import TypeVar

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started

T = TypeVar("T")

PREFIX = "agenplan:dash"
GLOBAL = "global"
DEFAULT_SECONDS = 120
# Version keys outlive the entries they guard, so that a bump is never forgotten while
# entries of the old version may still be read.
VERSION_SECONDS = 24 * 60 * 60


def timeout() -> int:
    return int(getattr(settings, "AGENPLAN_DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS))


def _version_key(scope: str | int) -> str:
    return f"{PREFIX}:v:{scope}"


def _fresh_version() -> int:
    return time.time_ns()


def versions(cycle_id: int) -> tuple[int, int]:
    """The global version and the cycle's, created when missing (one cache round trip)."""
    keys = [_version_key(GLOBAL), _version_key(cycle_id)]
    found = cache.get_many(keys)
    missing = {key: _fresh_version() for key in keys if key not in found}
    if missing:
        for key, value in missing.items():
            # add() keeps a version another process created in the meantime.
            if not cache.add(key, value, VERSION_SECONDS):
                value = cache.get(key, value)
            found[key] = value
    return found[keys[0]], found[keys[1]]


def _bump(scope: str | int) -> None:
    key = _version_key(scope)
    try:
        cache.incr(key)
    except ValueError:  # no version yet (or it expired): any fresh one differs
        cache.set(key, _fresh_version(), VERSION_SECONDS)
    else:
        cache.touch(key, VERSION_SECONDS)


def bump_cycle(cycle_id: int | None) -> None:
    """Forget the cached figures of one cycle."""
    if cycle_id is not None:
        _bump(cycle_id)


def bump_all() -> None:
    """Forget the cached figures of every cycle (agents, agencies, reference lists)."""
    _bump(GLOBAL)


def fragment_version(cycle_id: int) -> str:
    """The versions as one string, for template fragments cached with `{% cache %}`."""
    global_version, cycle_version = versions(cycle_id)
    return f"{global_version}-{cycle_version}"


# The values a request has already read or built, by their full key (versions included):
# a page reads the same figures from several places (the overview, the agency table, the
# lagging lists), and unpickling a national cycle's 2,000 agency figures again for each
# cost more than any of its queries. Kept for the request only, so never across a bump
# made by another process; absent outside requests (workers, commands).
_request = Local()


def _request_began(**kwargs) -> None:
    _request.values = {}


def _request_ended(**kwargs) -> None:
    _request.values = None


def keep_per_request() -> None:
    """Keep what each request reads (connected once, when the apps are ready)."""
    request_started.connect(_request_began, dispatch_uid="agenplan.cycle_cache.request_started")
    request_finished.connect(_request_ended, dispatch_uid="agenplan.cycle_cache.request_finished")


def cached(cycle_id: int, name: str, build: Callable[[], T], *parts, refresh: bool = False) -> T:
    """The value of `build()` for this cycle, name and parts, from the cache when fresh
    (and, within a request, from what that request already read).

    `refresh=True` always builds (and stores the new value): for official documents,
    which must not print what another process's cache still holds."""
    global_version, cycle_version = versions(cycle_id)
    suffix = ":".join(str(part) for part in parts)
    key = f"{PREFIX}:{global_version}:{cycle_id}:{cycle_version}:{name}:{suffix}"
    seen = getattr(_request, "values", None)
    if not refresh and seen is not None and key in seen:
        return seen[key]
    value = None if refresh else cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout())
    if seen is not None:
        seen[key] = value
    return value
