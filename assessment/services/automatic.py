"""Automatic reviewer assignment (balanced, conflict-free) and the replacement of a
reviewer who drops out."""

import datetime as dt
import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.enums import Role
from agents.models import User
from agents.notifications import Message, send_many
from agents.services import activity_entry
from plans.enums import PlanState
from plans.message_templates import message
from plans.models import ActionPlan, Cycle, PlanVersion
from plans.services.common import PlanError
from plans.services.workflow import transition_many

from ..models import ReviewAssignment
from ..selectors.conflicts import excluded_pairs
from ..signals import reviewers_assigned
from .assignment import assign_reviewers, assignment_message, release_assignment
from .common import url


def replace_reviewer(
    assignment: ReviewAssignment,
    *,
    by: User,
    reason: str,
    replacement: User | None = None,
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> ReviewAssignment | None:
    """Release a reviewer who drops out and assign another: the one given, or the eligible
    reviewer with the lightest load in the cycle. Returns the new assignment (None when no
    reviewer is eligible; the release still stands and the plan waits on the board)."""
    now = now or timezone.now()
    with transaction.atomic():
        release_assignment(assignment, by=by, reason=reason)
        plan = assignment.plan
        if replacement is None:
            picks = auto_assign(plan.cycle, by=by, plans=[plan], now=now)
            return next(iter(picks.created), None)
        if replacement.pk == assignment.reviewer_id:
            raise PlanError(
                _("Pilih reviewer lain sebagai pengganti."), field="replacement", code="same"
            )
        created = assign_reviewers(
            plan, reviewers=[replacement], by=by, override_reason=override_reason, now=now
        )
        return created[0] if created else None


# --- Automatic assignment ----------------------------------------------------------------

# Plans written per transaction by `auto_assign` (each batch costs the same few queries).
AUTO_ASSIGN_BATCH = 500


@dataclass
class AutoAssignResult:
    created: list[ReviewAssignment] = field(default_factory=list)
    plans: int = 0
    # Plans that could not get all their reviewers: plan id → how many are missing.
    short: dict[int, int] = field(default_factory=dict)


def balance(
    slots: Sequence[tuple[int, frozenset[int], int]],
    load: Mapping[int, int],
) -> dict[int, list[int]]:
    """Choose reviewers for plans, balancing load. Pure: no database.

    `slots`: (plan key, eligible reviewer ids, how many are needed); `load`: each
    reviewer's current number of active assignments (every candidate must be a key).
    The plans with the fewest eligible reviewers go first; each takes the least loaded
    eligible reviewers (ties by id). Returns plan key → chosen reviewer ids.
    """
    load = dict(load)
    # Every reviewer once, least loaded first (ties by id): popping in this order and
    # keeping the eligible ones gives what sorting the plan's eligible reviewers would,
    # without sorting a thousand reviewers for each of 50,000 plans.
    queue = [(n, reviewer) for reviewer, n in load.items()]
    heapq.heapify(queue)
    chosen: dict[int, list[int]] = {}
    for key, eligible, needed in sorted(slots, key=lambda s: (len(s[1]), s[0])):
        picks, passed = [], []
        while queue and len(picks) < needed:
            entry = heapq.heappop(queue)
            (picks if entry[1] in eligible else passed).append(entry)
        for n, reviewer in picks:
            load[reviewer] = n + 1
            heapq.heappush(queue, (n + 1, reviewer))
        for entry in passed:
            heapq.heappush(queue, entry)
        chosen[key] = [reviewer for _n, reviewer in picks]
    return chosen


def eligible_reviewers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role_grants__role=Role.REVIEWER)
        .distinct()
        .order_by("pk")
    )


def _with_active_count(queryset):
    """Annotate plans with their number of active assignments (`active`)."""
    return queryset.annotate(
        active=Coalesce(
            Subquery(
                ReviewAssignment.objects.filter(plan=OuterRef("pk"), is_active=True)
                .order_by()
                .values("plan")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        )
    )


# What a batch reads of its plans: enough for the choice, the audit log and the notices.
_PLAN_FIELDS = ("id", "cycle", "agency", "owner", "state", "title")


def plans_to_assign(cycle: Cycle) -> int:
    """How many plans of the cycle `auto_assign` would handle: those short of reviewers,
    and those handed in again (a revision goes back to its reviewers). One query."""
    return (
        _with_active_count(
            ActionPlan.objects.filter(
                cycle=cycle, state__in=[PlanState.SUBMITTED, PlanState.IN_REVIEW]
            )
        )
        .filter(Q(active__lt=cycle.reviewers_per_plan) | Q(state=PlanState.SUBMITTED))
        .count()
    )


def _choose(
    cycle: Cycle, needing: Sequence[ActionPlan]
) -> tuple[dict[int, list[int]], dict[int, User]]:
    """The reviewers chosen for each plan (balance() over the whole cycle's load) and the
    eligible reviewers by id. Read without locks: each batch checks again under its lock.
    A fixed number of queries per AUTO_ASSIGN_BATCH plans."""
    reviewers = eligible_reviewers()
    by_id = {r.pk: r for r in reviewers}
    excluded: set[tuple[int, int]] = set()
    # Current reviewers, and those who dropped out of the plan: never chosen again.
    assigned: set[tuple[int, int]] = set()
    for start in range(0, len(needing), AUTO_ASSIGN_BATCH):
        chunk = needing[start : start + AUTO_ASSIGN_BATCH]
        excluded |= excluded_pairs(chunk, reviewers)
        assigned |= set(
            ReviewAssignment.objects.filter(plan_id__in=[p.pk for p in chunk]).values_list(
                "plan_id", "reviewer_id"
            )
        )
    load = dict.fromkeys(by_id, 0)
    for reviewer_id, n in (
        ReviewAssignment.objects.filter(plan__cycle=cycle, is_active=True)
        .values_list("reviewer_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if reviewer_id in load:
            load[reviewer_id] = n
    blocked: dict[int, set[int]] = {}
    for plan_id, reviewer_id in excluded | assigned:
        blocked.setdefault(plan_id, set()).add(reviewer_id)
    # Most plans may have every reviewer: they share one frozenset (a national cycle's
    # 50,000 plans × 1,000 reviewers would otherwise hold 50,000 sets of 1,000).
    everyone = frozenset(by_id)
    shared: dict[frozenset[int], frozenset[int]] = {}
    slots = []
    for plan in needing:
        mine = frozenset(blocked.get(plan.pk, ()))
        if mine not in shared:
            shared[mine] = everyone - mine
        slots.append((plan.pk, shared[mine], cycle.reviewers_per_plan - plan.active))
    return balance(slots, load), by_id


def _revision_messages(plans: Sequence[ActionPlan]) -> list[Message]:
    """What `_notify_revision` sends, for many plans in two queries: each plan's active
    reviewers hear that its latest version waits for them."""
    ids = [p.pk for p in plans]
    latest = dict(
        PlanVersion.objects.filter(plan_id__in=ids)
        .values("plan_id")
        .annotate(n=Max("number"))
        .values_list("plan_id", "n")
        .order_by()
    )
    by_id = {p.pk: p for p in plans}
    cycles = Cycle.objects.in_bulk({p.cycle_id for p in plans})
    messages = []
    for assignment in ReviewAssignment.objects.filter(
        plan_id__in=ids, is_active=True
    ).select_related("reviewer"):
        plan, version = by_id[assignment.plan_id], latest.get(assignment.plan_id)
        messages.append(
            message(
                "revision",
                assignment.reviewer,
                cycle=cycles[plan.cycle_id],
                url=url("assessment:review", plan.pk),
                dedupe_key=f"revision:{plan.pk}:{version}",
                judul_rencana=plan.title,
                versi=version,
            )
        )
    return messages


def _assign_batch(
    cycle: Cycle,
    ids: Sequence[int],
    chosen: Mapping[int, list[int]],
    reviewers: Mapping[int, User],
    *,
    by: User,
    due: dt.date,
    now: dt.datetime,
) -> AutoAssignResult:
    """Write one batch: lock its plans, check what each still needs, then one INSERT of
    assignments, one UPDATE of the plans whose review starts, one INSERT of their audit
    entries (the same rows `record_activity` and `transition` write one by one).
    Must run inside `transaction.atomic()`."""
    result = AutoAssignResult()
    needed = cycle.reviewers_per_plan
    locked = list(
        ActionPlan.objects.filter(
            pk__in=ids, cycle=cycle, state__in=[PlanState.SUBMITTED, PlanState.IN_REVIEW]
        )
        .only(*_PLAN_FIELDS)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not locked:
        return result
    # Read after the lock, in a statement of its own, so that it sees what another
    # transaction committed while this one waited for the lock.
    taken: set[tuple[int, int]] = set()
    active: dict[int, int] = {}
    for plan_id, reviewer_id, is_active in ReviewAssignment.objects.filter(
        plan_id__in=[p.pk for p in locked]
    ).values_list("plan_id", "reviewer_id", "is_active"):
        taken.add((plan_id, reviewer_id))
        active[plan_id] = active.get(plan_id, 0) + is_active
    new: list[ReviewAssignment] = []
    starts: list[ActionPlan] = []
    revised: list[ActionPlan] = []
    for plan in locked:
        current = active.get(plan.pk, 0)
        if plan.state == PlanState.SUBMITTED and current:
            # A revision handed in again: its reviewers hear of it; its review restarts.
            revised.append(plan)
        if current >= needed:
            if plan.state == PlanState.SUBMITTED:
                starts.append(plan)
                result.plans += 1
            continue
        picks = [r for r in chosen.get(plan.pk, ()) if (plan.pk, r) not in taken]
        picks = picks[: needed - current]
        if needed - current - len(picks) > 0:
            result.short[plan.pk] = needed - current - len(picks)
        if not picks:
            continue
        result.plans += 1
        new += [
            ReviewAssignment(
                plan=plan, reviewer=reviewers[r], assigned_by=by, due_date=due, assigned_at=now
            )
            for r in picks
        ]
        if plan.state == PlanState.SUBMITTED:
            starts.append(plan)
    messages = _revision_messages(revised) if revised else []
    result.created = ReviewAssignment.objects.bulk_create(new)
    entries = [
        activity_entry(
            actor=by,
            action="assignment.auto",
            obj=assignment.plan,
            data={"reviewer_id": assignment.reviewer_id, "assignment_id": assignment.pk},
            at=now,
        )
        for assignment in result.created
    ]
    # The review of the plans that got their reviewers starts: one UPDATE, and their audit
    # entries written in the same INSERT as the assignments'.
    transition_many(
        starts,
        source=PlanState.SUBMITTED,
        to=PlanState.IN_REVIEW,
        by=by,
        action="plan.start_review",
        at=now,
        entries=entries,
    )
    send_many(messages)
    if result.created:
        reviewers_assigned.send(
            sender=ReviewAssignment, cycle_id=cycle.pk, assignments=result.created
        )
    return result


def _notify_auto_assignments(
    cycle: Cycle, *, by: User, now: dt.datetime, plan_ids: Sequence[int] | None
) -> None:
    """Each reviewer hears once of what one automatic assignment gave them: a reviewer with
    one new plan is told which (as for a manual assignment), one with several gets one
    summary that links to their queue. Read from the assignments stamped with `now`, so
    that a retried run sends the same notices (the same dedupe keys: nothing twice)."""
    mine = ReviewAssignment.objects.filter(
        plan__cycle=cycle, assigned_by=by, assigned_at=now, is_active=True
    )
    if plan_ids is not None:
        mine = mine.filter(plan_id__in=plan_ids)
    counts = list(
        mine.values("reviewer")
        .annotate(n=Count("pk"), first=Min("pk"), due=Min("due_date"))
        .values_list("reviewer", "n", "first", "due")
        .order_by()
    )
    if not counts:
        return
    singles = [first for _r, n, first, _d in counts if n == 1]
    messages = [
        assignment_message(assignment, cycle=cycle)
        for assignment in ReviewAssignment.objects.filter(pk__in=singles).select_related(
            "plan", "reviewer"
        )
    ]
    several = {reviewer: (n, due) for reviewer, n, _f, due in counts if n > 1}
    for reviewer in User.objects.filter(pk__in=several):
        n, due = several[reviewer.pk]
        messages.append(
            message(
                "assignment_many",
                reviewer,
                kind="assignment",
                cycle=cycle,
                url=url("assessment:queue"),
                dedupe_key=f"assignment.auto:{cycle.pk}:{now.isoformat()}",
                jumlah=n,
                batas_waktu=due,
            )
        )
    send_many(messages)


def auto_assign(
    cycle: Cycle,
    *,
    by: User,
    plans: Sequence[ActionPlan] | None = None,
    due_date: dt.date | None = None,
    now: dt.datetime | None = None,
    on_batch: Callable[[int, AutoAssignResult], None] | None = None,
) -> AutoAssignResult:
    """Give every submitted or in-review plan of the cycle (or the plans given) its
    `cycle.reviewers_per_plan` active reviewers, balancing the load across reviewers and
    never choosing one from the plan's agency or with a declared conflict. A revision
    handed in again goes back to its reviewers.

    The choice is made once, for all the plans (so that the load balances over the whole
    cycle), from a read without locks. The writes go per batch of AUTO_ASSIGN_BATCH
    plans, each in a transaction of its own (a savepoint inside the caller's) that locks
    the batch's plans and checks again, under the lock, what each still needs: a fixed
    number of queries per batch, whatever the number of assignments. In a background run
    each batch commits on its own, so a retry goes on where a failure stopped.
    `on_batch(plans handled, what the batch did)` is called inside each batch's
    transaction. Then each reviewer is notified once (`_notify_auto_assignments`).
    """
    if not by.has_perm("assessment.auto_assign", cycle):
        raise PlanError(_("Hanya koordinator yang dapat menugaskan."), code="permission_denied")
    now = now or timezone.now()
    due = due_date or cycle.review_ends
    result = AutoAssignResult()
    candidates = ActionPlan.objects.filter(
        cycle=cycle, state__in=[PlanState.SUBMITTED, PlanState.IN_REVIEW]
    )
    plan_ids = None
    if plans is not None:
        plan_ids = [p.pk for p in plans]
        candidates = candidates.filter(pk__in=plan_ids)
    rows = list(_with_active_count(candidates.only(*_PLAN_FIELDS)).order_by("pk"))
    needing = [p for p in rows if p.active < cycle.reviewers_per_plan]
    chosen, reviewers = _choose(cycle, needing) if needing else ({}, {})
    # The plans short of reviewers, and the revisions handed in again (their review restarts).
    ids = [
        p.pk for p in rows if p.active < cycle.reviewers_per_plan or p.state == PlanState.SUBMITTED
    ]
    for start in range(0, len(ids), AUTO_ASSIGN_BATCH):
        batch = ids[start : start + AUTO_ASSIGN_BATCH]
        with transaction.atomic():
            done = _assign_batch(cycle, batch, chosen, reviewers, by=by, due=due, now=now)
            if on_batch is not None:
                on_batch(len(batch), done)
        result.created += done.created
        result.plans += done.plans
        result.short.update(done.short)
    with transaction.atomic():
        _notify_auto_assignments(cycle, by=by, now=now, plan_ids=plan_ids)
    return result
