"""Reviewer assignment: manual, automatic (balanced, conflict-free), release and replace;
reviewers' declarations of conflicts of interest."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agents.enums import Role
from agents.models import Agent, User
from agents.selectors import roles_of
from agents.services import record_activity
from plans.enums import PlanState
from plans.models import ActionPlan, Cycle

from ..models import ConflictOfInterest, ReviewAssignment
from .common import PlanError, _locked, _require, send, transition, url


def conflict_reason(reviewer: User, plan: ActionPlan) -> str | None:
    """Why a reviewer may not review a plan (own agency, declared conflict), or None."""
    if reviewer.agency_id is not None and reviewer.agency_id == plan.agency_id:
        return str(_("reviewer berasal dari perangkat daerah yang sama"))
    member_ids = [plan.owner_id, *plan.co_agents.values_list("pk", flat=True)]
    declared = ConflictOfInterest.objects.filter(reviewer=reviewer).filter(
        Q(agency_id=plan.agency_id) | Q(agent_id__in=member_ids)
    )
    if declared.exists():
        return str(_("reviewer menyatakan konflik kepentingan"))
    return None


def _notify_assignment(assignment: ReviewAssignment) -> None:
    plan = assignment.plan
    send(
        assignment.reviewer,
        kind="assignment",
        title=_("Penugasan baru: %(title)s") % {"title": plan.title},
        body=_("Anda ditugaskan menilai rencana tindak “%(title)s”. Tenggat: %(due)s.")
        % {"title": plan.title, "due": assignment.due_date.strftime("%d-%m-%Y")},
        url=url("assessment:review", plan.pk),
        dedupe_key=f"assignment:{assignment.pk}",
    )


def _create_assignment(
    locked: ActionPlan,
    reviewer: User,
    *,
    by: User,
    due: dt.date,
    now: dt.datetime,
    override_reason: str = "",
    action: str = "assignment.create",
) -> ReviewAssignment:
    assignment = ReviewAssignment.objects.create(
        plan=locked,
        reviewer=reviewer,
        assigned_by=by,
        due_date=due,
        assigned_at=now,
        override_reason=override_reason,
    )
    record_activity(
        actor=by,
        action=action,
        obj=locked,
        note=override_reason,
        data={"reviewer_id": reviewer.pk, "assignment_id": assignment.pk},
        at=now,
    )
    _notify_assignment(assignment)
    return assignment


def _notify_revision(plan: ActionPlan) -> None:
    """The plan's active reviewers hear that a revision waits for them."""
    version = plan.versions.order_by("-number").values_list("number", flat=True).first()
    for assignment in plan.assignments.filter(is_active=True).select_related("reviewer"):
        send(
            assignment.reviewer,
            kind="revision",
            title=_("Revisi siap dinilai: %(title)s") % {"title": plan.title},
            body=_("Agen mengajukan versi %(number)s; lihat perubahannya pada halaman penilaian.")
            % {"number": version},
            url=url("assessment:review", plan.pk),
            dedupe_key=f"revision:{plan.pk}:{version}",
        )


def _start_review_if_submitted(locked: ActionPlan, *, by: User, now: dt.datetime) -> None:
    if locked.state == PlanState.SUBMITTED:
        transition(locked, to=PlanState.IN_REVIEW, by=by, action="plan.start_review", at=now)


def assign_reviewers(
    plan: ActionPlan,
    *,
    reviewers: Iterable[User],
    by: User,
    due_date: dt.date | None = None,
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> list[ReviewAssignment]:
    """Assign reviewers to a submitted plan; the plan's review starts (submitted → in_review).

    A reviewer from the plan's own agency or with a declared conflict is refused unless
    the coordinator gives an override reason, which is recorded.
    """
    _require(by, "plans.assign_actionplan", plan, _("Hanya koordinator yang dapat menugaskan."))
    now = now or timezone.now()
    reviewers = list(reviewers)
    with transaction.atomic():
        locked = _locked(plan)
        if locked.state not in (PlanState.SUBMITTED, PlanState.IN_REVIEW):
            raise PlanError(
                _("Reviewer hanya dapat ditugaskan pada rencana yang sudah diajukan."),
                code="invalid_transition",
            )
        due = due_date or locked.cycle.review_ends
        active = set(
            locked.assignments.filter(is_active=True).values_list("reviewer_id", flat=True)
        )
        created = []
        for reviewer in reviewers:
            if Role.REVIEWER not in roles_of(reviewer):
                raise PlanError(
                    _("%(name)s bukan reviewer.") % {"name": reviewer}, field="reviewers"
                )
            if reviewer.pk in active:
                continue
            reason = conflict_reason(reviewer, locked)
            if reason and not override_reason.strip():
                raise PlanError(
                    _("%(name)s tidak dapat ditugaskan: %(reason)s.")
                    % {"name": reviewer, "reason": reason},
                    field="reviewers",
                    code="conflict",
                )
            created.append(
                _create_assignment(
                    locked,
                    reviewer,
                    by=by,
                    due=due,
                    now=now,
                    override_reason=override_reason.strip() if reason else "",
                )
            )
            active.add(reviewer.pk)
        if locked.state == PlanState.SUBMITTED and not active:
            raise PlanError(_("Pilih sedikitnya satu reviewer."), field="reviewers")
        if locked.state == PlanState.SUBMITTED and len(created) < len(active):
            _notify_revision(locked)
        _start_review_if_submitted(locked, by=by, now=now)
    plan.refresh_from_db()
    return created


def release_assignment(assignment: ReviewAssignment, *, by: User, reason: str) -> None:
    """A reviewer drops out: the assignment ends; the coordinator assigns someone else."""
    _require(by, "assessment.change_reviewassignment", assignment, _("Hanya koordinator."))
    if not reason.strip():
        raise PlanError(_("Alasan wajib diisi."), field="reason")
    from .review import refresh_plan_after_review_change

    with transaction.atomic():
        assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if not assignment.is_active:
            raise PlanError(_("Penugasan ini sudah berakhir."))
        assignment.is_active = False
        assignment.released_at = timezone.now()
        assignment.released_reason = reason.strip()
        assignment.save(update_fields=["is_active", "released_at", "released_reason"])
        record_activity(
            actor=by,
            action="assignment.release",
            obj=assignment.plan,
            note=reason,
            data={"reviewer_id": assignment.reviewer_id, "assignment_id": assignment.pk},
        )
        refresh_plan_after_review_change(assignment.plan)


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
    chosen: dict[int, list[int]] = {}
    for key, eligible, needed in sorted(slots, key=lambda s: (len(s[1]), s[0])):
        picks = sorted(eligible, key=lambda r: (load[r], r))[: max(needed, 0)]
        for reviewer in picks:
            load[reviewer] += 1
        chosen[key] = picks
    return chosen


def eligible_reviewers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role_grants__role=Role.REVIEWER)
        .distinct()
        .order_by("pk")
    )


def excluded_pairs(plans: Sequence[ActionPlan], reviewers: Sequence[User]) -> set[tuple[int, int]]:
    """(plan id, reviewer id) pairs that conflict: own agency or a declared conflict.
    Two queries whatever the numbers."""
    reviewer_ids = [r.pk for r in reviewers]
    members: dict[int, set[int]] = {p.pk: {p.owner_id} for p in plans}
    through = ActionPlan.co_agents.through.objects.filter(actionplan_id__in=list(members))
    for plan_id, agent_id in through.values_list("actionplan_id", "agent_id"):
        members[plan_id].add(agent_id)
    by_agency: dict[int, set[int]] = {}
    by_agent: dict[int, set[int]] = {}
    for reviewer_id, agency_id, agent_id in ConflictOfInterest.objects.filter(
        reviewer_id__in=reviewer_ids
    ).values_list("reviewer_id", "agency_id", "agent_id"):
        if agency_id:
            by_agency.setdefault(agency_id, set()).add(reviewer_id)
        else:
            by_agent.setdefault(agent_id, set()).add(reviewer_id)
    pairs = set()
    for plan in plans:
        blocked = {r.pk for r in reviewers if r.agency_id and r.agency_id == plan.agency_id}
        blocked |= by_agency.get(plan.agency_id, set())
        for agent_id in members[plan.pk]:
            blocked |= by_agent.get(agent_id, set())
        pairs |= {(plan.pk, reviewer_id) for reviewer_id in blocked}
    return pairs


def auto_assign(
    cycle: Cycle,
    *,
    by: User,
    plans: Sequence[ActionPlan] | None = None,
    due_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> AutoAssignResult:
    """Give every submitted or in-review plan of the cycle (or the plans given) its
    `cycle.reviewers_per_plan` active reviewers, balancing the load across reviewers and
    never choosing one from the plan's agency or with a declared conflict. One
    transaction; the plans are locked while they are assigned."""
    if not by.has_perm("plans.change_cycle", cycle):
        raise PlanError(_("Hanya koordinator yang dapat menugaskan."), code="permission_denied")
    now = now or timezone.now()
    due = due_date or cycle.review_ends
    result = AutoAssignResult()
    with transaction.atomic():
        candidates = ActionPlan.objects.filter(
            cycle=cycle, state__in=[PlanState.SUBMITTED, PlanState.IN_REVIEW]
        )
        if plans is not None:
            candidates = candidates.filter(pk__in=[p.pk for p in plans])
        locked = list(
            candidates.select_for_update(of=("self",))
            .select_related("cycle")
            .annotate(
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
            .order_by("pk")
        )
        # A revision handed in again keeps its reviewers: its review simply restarts.
        for plan in locked:
            if plan.active >= cycle.reviewers_per_plan and plan.state == PlanState.SUBMITTED:
                _start_review_if_submitted(plan, by=by, now=now)
                _notify_revision(plan)
                result.plans += 1
        locked = [p for p in locked if p.active < cycle.reviewers_per_plan]
        if not locked:
            return result
        reviewers = eligible_reviewers()
        by_id = {r.pk: r for r in reviewers}
        excluded = excluded_pairs(locked, reviewers)
        # Current reviewers, and those who dropped out of the plan: never chosen again.
        assigned = set(
            ReviewAssignment.objects.filter(plan__in=locked).values_list("plan_id", "reviewer_id")
        )
        load = {r.pk: 0 for r in reviewers}
        for reviewer_id, n in (
            ReviewAssignment.objects.filter(plan__cycle=cycle, is_active=True)
            .values_list("reviewer_id")
            .annotate(n=Count("pk"))
        ):
            if reviewer_id in load:
                load[reviewer_id] = n
        slots = [
            (
                plan.pk,
                frozenset(
                    r
                    for r in by_id
                    if (plan.pk, r) not in excluded and (plan.pk, r) not in assigned
                ),
                cycle.reviewers_per_plan - plan.active,
            )
            for plan in locked
        ]
        chosen = balance(slots, load)
        for plan in locked:
            picks = chosen.get(plan.pk, [])
            missing = cycle.reviewers_per_plan - plan.active - len(picks)
            if missing > 0:
                result.short[plan.pk] = missing
            if not picks:
                continue
            result.plans += 1
            for reviewer_id in picks:
                result.created.append(
                    _create_assignment(
                        plan, by_id[reviewer_id], by=by, due=due, now=now, action="assignment.auto"
                    )
                )
            _start_review_if_submitted(plan, by=by, now=now)
    return result


# --- Conflicts of interest ------------------------------------------------------------------


def declare_conflict(
    *,
    by: User,
    agency: Agency | None = None,
    agent: Agent | None = None,
    reason: str = "",
) -> ConflictOfInterest:
    """A reviewer declares a conflict of interest with an agency or with an agent."""
    if Role.REVIEWER not in roles_of(by):
        raise PlanError(_("Hanya reviewer yang menyatakan konflik kepentingan."))
    if (agency is None) == (agent is None):
        raise PlanError(
            _("Pilih satu: perangkat daerah atau agen perubahan."), field="agency", code="party"
        )
    existing = ConflictOfInterest.objects.filter(reviewer=by, agency=agency, agent=agent)
    if existing.exists():
        raise PlanError(_("Konflik ini sudah Anda nyatakan."), field="agency", code="duplicate")
    with transaction.atomic():
        conflict = ConflictOfInterest.objects.create(
            reviewer=by, agency=agency, agent=agent, reason=reason.strip()[:255]
        )
        record_activity(
            actor=by,
            action="conflict.declare",
            obj=conflict,
            note=conflict.reason,
            data={"agency_id": conflict.agency_id, "agent_id": conflict.agent_id},
        )
    return conflict


def withdraw_conflict(conflict: ConflictOfInterest, *, by: User) -> None:
    if conflict.reviewer_id != by.pk:
        raise PlanError(_("Pernyataan ini bukan milik Anda."), code="permission_denied")
    with transaction.atomic():
        record_activity(
            actor=by,
            action="conflict.withdraw",
            obj=conflict,
            data={"agency_id": conflict.agency_id, "agent_id": conflict.agent_id},
        )
        conflict.delete()
