"""A short-lived cache of the dashboard's figures, one namespace per cycle.

Every cached value's key carries two version numbers: the cycle's (bumped when a plan,
review, assignment or decision of that cycle changes, see `reports.apps`) and a global
one (bumped when agents, agencies or reference lists change, which every cycle shows).
Bumping a version makes the old entries unreachable; they expire on their own after
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
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from agencies.models import Agency
from agents.models import Agent
from assessment.models import Criterion, Decision, Review, ReviewAssignment
from assessment.signals import participants_imported, reviewers_assigned
from monitoring.signals import realisation_changed
from plans.models import ActionPlan, ChangeArea, CoreValue, Cycle
from plans.signals import plan_state_changed

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


# --- Invalidation: signal receivers, connected by reports.apps.ReportsConfig.ready() ------
#
# A change to a plan, its alignment, a review, an assignment or a decision bumps its
# cycle's version; a change to agents, agencies or reference lists bumps the global one.
#
# The bump happens twice: at once, so that the process that made the change never reads
# its own old figures, and again when the transaction commits, so that figures another
# request computed from the data before the commit are dropped too. When the cycle of a
# row is not already loaded on the instance, it is looked up only at commit (one small
# query after the work, never inside the service's transaction).

UID = "reports.dashboard_cache"


def _bump_now_and_on_commit(cycle_id) -> None:
    bump_cycle(cycle_id)
    transaction.on_commit(lambda: bump_cycle(cycle_id))


def _cached_related(instance, field: str):
    """The related object if already loaded on the instance, else None (no query)."""
    descriptor = getattr(type(instance), field)
    return getattr(instance, field) if descriptor.field.is_cached(instance) else None


def plan_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """A plan's row saved: its content. A change of state is heard from the domain signal
    (`plans_moved`), which bulk transitions send too."""
    if update_fields is not None and "state" in update_fields:
        return
    _bump_now_and_on_commit(instance.cycle_id)


def plans_moved(sender, plans, **kwargs) -> None:
    """`plan_state_changed`: the plans of one or many transitions changed state."""
    for cycle_id in {plan.cycle_id for plan in plans}:
        _bump_now_and_on_commit(cycle_id)


def assignments_made(sender, cycle_id, **kwargs) -> None:
    """`reviewers_assigned`: automatic assignment wrote a batch of assignments; also
    `realisation_changed`: a report accepted rewrote verified realisations."""
    _bump_now_and_on_commit(cycle_id)


def plan_alignment_changed(sender, instance, action, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, ActionPlan):
        _bump_now_and_on_commit(instance.cycle_id)
    else:  # a change area or value edited from its side: any cycle may show it
        bump_all()


def _plan_cycle_later(plan_id) -> None:
    def bump() -> None:
        cycle_id = ActionPlan.objects.filter(pk=plan_id).values_list("cycle_id", flat=True).first()
        bump_cycle(cycle_id)

    transaction.on_commit(bump)


def _plan_of_assignment_later(assignment_id) -> None:
    def bump() -> None:
        cycle_id = (
            ActionPlan.objects.filter(assignments__pk=assignment_id)
            .values_list("cycle_id", flat=True)
            .first()
        )
        bump_cycle(cycle_id)

    transaction.on_commit(bump)


def _plan_fk_changed(instance) -> None:
    plan = _cached_related(instance, "plan")
    if plan is not None:
        _bump_now_and_on_commit(plan.cycle_id)
    else:
        _plan_cycle_later(instance.plan_id)


def decision_changed(sender, instance, **kwargs) -> None:
    _plan_fk_changed(instance)


def assignment_changed(sender, instance, **kwargs) -> None:
    _plan_fk_changed(instance)


def review_changed(sender, instance, **kwargs) -> None:
    assignment = _cached_related(instance, "assignment")
    plan = _cached_related(assignment, "plan") if assignment is not None else None
    if plan is not None:
        _bump_now_and_on_commit(plan.cycle_id)
    else:
        _plan_of_assignment_later(instance.assignment_id)


def cycle_changed(sender, instance, **kwargs) -> None:
    _bump_now_and_on_commit(instance.pk)


def everything_changed(sender, **kwargs) -> None:
    bump_all()
    transaction.on_commit(bump_all)


def connect_signals() -> None:
    request_started.connect(_request_began, dispatch_uid=f"{UID}.request_started")
    request_finished.connect(_request_ended, dispatch_uid=f"{UID}.request_finished")

    for signal in (post_save, post_delete):
        signal.connect(plan_changed, sender=ActionPlan, dispatch_uid=f"{UID}.plan")
        signal.connect(review_changed, sender=Review, dispatch_uid=f"{UID}.review")
        signal.connect(decision_changed, sender=Decision, dispatch_uid=f"{UID}.decision")
        signal.connect(
            assignment_changed, sender=ReviewAssignment, dispatch_uid=f"{UID}.assignment"
        )
        signal.connect(cycle_changed, sender=Cycle, dispatch_uid=f"{UID}.cycle")
        for model in (Agent, Agency, ChangeArea, CoreValue, Criterion):
            signal.connect(
                everything_changed, sender=model, dispatch_uid=f"{UID}.{model._meta.label}"
            )
    plan_state_changed.connect(plans_moved, dispatch_uid=f"{UID}.plan_state")
    reviewers_assigned.connect(assignments_made, dispatch_uid=f"{UID}.reviewers_assigned")
    realisation_changed.connect(assignments_made, dispatch_uid=f"{UID}.realisation_changed")
    participants_imported.connect(everything_changed, dispatch_uid=f"{UID}.participants_imported")
    for field in (ActionPlan.change_areas, ActionPlan.core_values):
        m2m_changed.connect(
            plan_alignment_changed,
            sender=field.through,
            dispatch_uid=f"{UID}.{field.through._meta.label}",
        )
