"""Reviewer assignment by the coordinator, a reviewer's release; reviewers' declarations
of conflicts of interest. The automatic assignment is in `automatic`."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agents.enums import Role
from agents.models import Agent, User
from agents.notifications import Message, send_message
from agents.selectors import roles_of
from agents.services import record_activity
from plans.enums import PlanState
from plans.message_templates import message
from plans.models import ActionPlan
from plans.services.common import PlanError, _locked, _require
from plans.services.workflow import transition

from ..models import ConflictOfInterest, ReviewAssignment
from ..selectors.conflicts import excluded_pairs
from .common import url
from .review import refresh_plan_after_review_change


def conflict_reason(reviewer: User, plan: ActionPlan) -> str | None:
    """Why a reviewer may not review a plan (own agency, declared conflict), or None. The
    rule itself is `excluded_pairs`, which the automatic assignment applies too."""
    if reviewer.agency_id is not None and reviewer.agency_id == plan.agency_id:
        return str(_("reviewer berasal dari perangkat daerah yang sama"))
    if excluded_pairs([plan], [reviewer]):
        return str(_("reviewer menyatakan konflik kepentingan"))
    return None


def assignment_message(assignment: ReviewAssignment, *, cycle=None) -> Message:
    plan = assignment.plan
    return message(
        "assignment",
        assignment.reviewer,
        cycle=cycle or plan.cycle,
        url=url("assessment:review", plan.pk),
        dedupe_key=f"assignment:{assignment.pk}",
        judul_rencana=plan.title,
        batas_waktu=assignment.due_date,
    )


def _notify_assignment(assignment: ReviewAssignment) -> None:
    send_message(assignment_message(assignment))


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
        send_message(
            message(
                "revision",
                assignment.reviewer,
                cycle=plan.cycle,
                url=url("assessment:review", plan.pk),
                dedupe_key=f"revision:{plan.pk}:{version}",
                judul_rencana=plan.title,
                versi=version,
            )
        )


def resume_review(plan: ActionPlan, *, now: dt.datetime | None = None) -> bool:
    """A revision handed in again goes back to its reviewers by itself: when the plan,
    just submitted (locked, inside the submit's transaction), still has active reviewers
    (those not released), its review restarts on the new version (submitted → in_review)
    and they are told. Without any, it waits for the coordinator. True when it restarted.
    The coordinator may still add or release reviewers afterwards."""
    if plan.state != PlanState.SUBMITTED or not plan.assignments.filter(is_active=True).exists():
        return False
    transition(plan, to=PlanState.IN_REVIEW, by=None, action="plan.resume_review", at=now)
    _notify_revision(plan)
    return True


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


# --- Conflicts of interest ------------------------------------------------------------------


def declare_conflict(
    *,
    by: User,
    agency: Agency | None = None,
    agent: Agent | None = None,
    reason: str = "",
) -> ConflictOfInterest:
    """A reviewer declares a conflict of interest with an agency or with an agent."""
    if not by.has_perm("assessment.declare_conflict"):
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
