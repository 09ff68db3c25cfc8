"""The gallery's cache: every public page's content is kept under the version of the
published set, one number that publishing, unpublishing, a consent given or withdrawn,
evidence marked public and a plan's verified realisation or state change all bump.
A bump makes every cached page unreachable at once; entries also expire on their own
after `AGENPLAN_GALLERY_CACHE_SECONDS`, which bounds what an edited agency name or
reference list may leave stale.

The bump happens at once and again when the transaction commits, as the dashboard's
(reports/cache.py): a page built from the rows before the commit is never kept.
"""

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from monitoring.signals import realisation_changed
from plans.enums import PlanState
from plans.signals import plan_state_changed

T = TypeVar("T")

PREFIX = "agenplan:gallery"
VERSION_KEY = f"{PREFIX}:v"
DEFAULT_SECONDS = 600
VERSION_SECONDS = 24 * 60 * 60


def timeout() -> int:
    return int(getattr(settings, "AGENPLAN_GALLERY_CACHE_SECONDS", DEFAULT_SECONDS))


def version() -> int:
    """The published set's version, created from the clock when missing (so that a
    version key that expired never meets an older entry with the same number)."""
    found = cache.get(VERSION_KEY)
    if found is None:
        fresh = time.time_ns()
        if not cache.add(VERSION_KEY, fresh, VERSION_SECONDS):
            return cache.get(VERSION_KEY, fresh)
        return fresh
    return found


def _bump_now() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or it expired): any fresh one differs
        cache.set(VERSION_KEY, time.time_ns(), VERSION_SECONDS)
    else:
        cache.touch(VERSION_KEY, VERSION_SECONDS)


def bump() -> None:
    """Forget every cached gallery page, now and again after the commit."""
    _bump_now()
    transaction.on_commit(_bump_now)


def cached(name: str, build: Callable[[], T], *parts) -> T:
    """`build()` for this page and these parts (the language, the normalised filters),
    from the cache when the published set has not changed since."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"{PREFIX}:{version()}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout())
    return value


def _state_changed(sender, *, plans, from_state=None, to_state=None, **kwargs) -> None:
    # A plan entering or leaving the publishable states may appear or disappear.
    if from_state in PlanState.APPROVED_ONCE or to_state in PlanState.APPROVED_ONCE:
        bump()


def _realisation_changed(sender, **kwargs) -> None:
    bump()


def connect_signals() -> None:
    plan_state_changed.connect(_state_changed, dispatch_uid="gallery_state_changed")
    realisation_changed.connect(_realisation_changed, dispatch_uid="gallery_realisation")
