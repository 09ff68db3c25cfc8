"""Every write of the assessment: assigning reviewers, reviewing, deciding.

The plan's workflow edges that belong to the assessment (start review, all reviews in,
reopen, decide) are performed here through `plans.services.transition`, on a locked row.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.enums import Role
from agents.models import User
from agents.selectors import roles_of
from agents.services import record_activity
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services import PlanError, _locked, _require, transition

from . import scoring
from .enums import DecisionOutcome, ReviewState
from .models import (
    ConflictOfInterest,
    Criterion,
    CriterionScore,
    Decision,
    Review,
    ReviewAssignment,
    Rubric,
)

OUTCOME_TO_STATE = {
    DecisionOutcome.APPROVE: PlanState.APPROVED,
    DecisionOutcome.REVISE: PlanState.REVISION_REQUESTED,
    DecisionOutcome.REJECT: PlanState.REJECTED,
}


def rubric_for(plan: ActionPlan) -> Rubric:
    rubric = Rubric.objects.filter(cycle_id=plan.cycle_id).first()
    if rubric is None:
        raise PlanError(_("Siklus ini belum memiliki instrumen penilaian."), code="no_rubric")
    return rubric


def conflict_reason(reviewer: User, plan: ActionPlan) -> str | None:
    """Why a reviewer may not review a plan (own agency, declared conflict), or None."""
    if reviewer.agency_id is not None and reviewer.agency_id == plan.agency_id:
        return str(_("reviewer berasal dari perangkat daerah yang sama"))
    member_ids = [plan.owner_id, *plan.co_agents.values_list("pk", flat=True)]
    declared = ConflictOfInterest.objects.filter(reviewer=reviewer).filter(
        agency_id=plan.agency_id
    ) | ConflictOfInterest.objects.filter(reviewer=reviewer, agent_id__in=member_ids)
    if declared.exists():
        return str(_("reviewer menyatakan konflik kepentingan"))
    return None


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
            assignment = ReviewAssignment.objects.create(
                plan=locked,
                reviewer=reviewer,
                assigned_by=by,
                due_date=due,
                assigned_at=now,
                override_reason=override_reason.strip() if reason else "",
            )
            record_activity(
                actor=by,
                action="assignment.create",
                obj=locked,
                note=assignment.override_reason,
                data={"reviewer_id": reviewer.pk, "assignment_id": assignment.pk},
                at=now,
            )
            created.append(assignment)
            active.add(reviewer.pk)
        if locked.state == PlanState.SUBMITTED:
            if not active:
                raise PlanError(_("Pilih sedikitnya satu reviewer."), field="reviewers")
            transition(locked, to=PlanState.IN_REVIEW, by=by, action="plan.start_review", at=now)
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
        _refresh_plan_after_review_change(assignment.plan)


def save_review(
    assignment: ReviewAssignment,
    *,
    levels: Mapping[str, tuple[int, str]],
    overall_feedback: str = "",
    confidential_note: str = "",
    by: User,
) -> Review:
    """Save (part of) a review as a draft: criterion code → (level, comment)."""
    _require(
        by, "assessment.view_reviewassignment", assignment, _("Penugasan ini bukan milik Anda.")
    )
    if assignment.reviewer_id != by.pk:
        raise PlanError(_("Penugasan ini bukan milik Anda."), code="permission_denied")
    plan = assignment.plan
    if plan.state != PlanState.IN_REVIEW:
        raise PlanError(_("Rencana ini tidak sedang dinilai."), code="invalid_transition")
    version = plan.versions.order_by("-number").first()
    criteria = {c.code: c for c in rubric_for(plan).criteria.all()}
    for code, (level, _comment) in levels.items():
        if code not in criteria:
            raise PlanError(_("Kriteria %(code)s tidak dikenal.") % {"code": code}, field=code)
        if not isinstance(level, int) or not 1 <= level <= 5:
            raise PlanError(_("Pilih tingkat 1 sampai 5."), field=code)
    with transaction.atomic():
        review, _created = Review.objects.select_for_update().get_or_create(
            assignment=assignment, version=version
        )
        if review.state == ReviewState.SUBMITTED:
            raise PlanError(_("Penilaian sudah dikirim dan terkunci."), code="locked")
        for code, (level, comment) in levels.items():
            CriterionScore.objects.update_or_create(
                review=review,
                criterion=criteria[code],
                defaults={"level": level, "comment": comment or ""},
            )
        review.overall_feedback = overall_feedback
        review.confidential_note = confidential_note
        review.total = _total_if_complete(review, criteria)
        review.save(update_fields=["overall_feedback", "confidential_note", "total", "updated_at"])
    return review


def _levels_of(review: Review) -> dict[str, int]:
    return {s.criterion.code: s.level for s in review.scores.select_related("criterion")}


def _total_if_complete(review: Review, criteria: Mapping[str, Criterion]):
    levels = _levels_of(review)
    if set(levels) != set(criteria):
        return None
    return scoring.review_total({c: criteria[c].weight for c in criteria}, levels)


def submit_review(review: Review, *, by: User, now: dt.datetime | None = None) -> Review:
    """Send a complete review; it is locked afterwards. The last one completes the plan."""
    now = now or timezone.now()
    _require(by, "assessment.submit_review", review, _("Penilaian ini bukan milik Anda."))
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("assignment").get(pk=review.pk)
        if review.state == ReviewState.SUBMITTED:
            raise PlanError(_("Penilaian sudah dikirim."), code="locked")
        plan = review.assignment.plan
        if plan.state != PlanState.IN_REVIEW:
            raise PlanError(_("Rencana ini tidak sedang dinilai."), code="invalid_transition")
        criteria = {c.code: c for c in rubric_for(plan).criteria.all()}
        total = _total_if_complete(review, criteria)
        if total is None:
            raise PlanError(
                _("Semua kriteria harus dinilai sebelum penilaian dikirim."), code="incomplete"
            )
        review.total = total
        review.state = ReviewState.SUBMITTED
        review.submitted_at = now
        review.save(update_fields=["total", "state", "submitted_at", "updated_at"])
        record_activity(
            actor=by,
            action="review.submit",
            obj=plan,
            data={"review_id": review.pk, "total": str(total)},
            at=now,
        )
        _refresh_plan_after_review_change(plan, at=now)
    return review


def reopen_review(review: Review, *, by: User, note: str = "") -> Review:
    """The coordinator unlocks a submitted review; the plan goes back into review."""
    _require(by, "assessment.reopen_review", review, _("Hanya koordinator yang dapat membuka."))
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.state != ReviewState.SUBMITTED:
            raise PlanError(_("Penilaian ini belum dikirim."), code="invalid_transition")
        plan = review.assignment.plan
        if plan.state not in (PlanState.IN_REVIEW, PlanState.REVIEWED):
            raise PlanError(
                _("Penilaian rencana yang sudah diputuskan tidak dapat dibuka."),
                code="invalid_transition",
            )
        review.state = ReviewState.DRAFT
        review.submitted_at = None
        review.save(update_fields=["state", "submitted_at", "updated_at"])
        record_activity(
            actor=by, action="review.reopen", obj=plan, note=note, data={"review_id": review.pk}
        )
        _refresh_plan_after_review_change(plan)
    return review


def current_reviews(plan: ActionPlan):
    """Reviews of the plan's latest version by its active reviewers."""
    version = plan.versions.order_by("-number").first()
    return Review.objects.filter(
        assignment__plan=plan, assignment__is_active=True, version=version
    ).prefetch_related(
        Prefetch("scores", queryset=CriterionScore.objects.select_related("criterion"))
    )


def _refresh_plan_after_review_change(plan: ActionPlan, *, at: dt.datetime | None = None) -> None:
    """Recompute the plan's score and flag; move it between in_review and reviewed.

    The move is the system's, not the last reviewer's: recording a reviewer as its actor
    would reveal who reviewed when the cycle keeps reviewers anonymous.
    """
    locked = _locked(plan)
    reviews = list(current_reviews(locked))
    submitted = [r for r in reviews if r.state == ReviewState.SUBMITTED]
    pairs = [(r.total, {s.criterion.code: s.level for s in r.scores.all()}) for r in submitted]
    locked.score = scoring.plan_score([r.total for r in submitted], locked.cycle.score_method)
    locked.review_flagged = scoring.disagreement(pairs)
    locked.save(update_fields=["score", "review_flagged"])
    active = locked.assignments.filter(is_active=True).count()
    all_in = active > 0 and len(submitted) >= active
    if locked.state == PlanState.IN_REVIEW and all_in:
        transition(locked, to=PlanState.REVIEWED, by=None, action="plan.complete_review", at=at)
    elif locked.state == PlanState.REVIEWED and not all_in:
        transition(locked, to=PlanState.IN_REVIEW, by=None, action="plan.reopen_review", at=at)


def decide_plan(
    plan: ActionPlan,
    *,
    outcome: str,
    feedback: str,
    by: User,
    now: dt.datetime | None = None,
) -> Decision:
    """Approve, request a revision or reject a reviewed plan, with consolidated feedback."""
    now = now or timezone.now()
    _require(by, "plans.decide_actionplan", plan, _("Hanya koordinator yang dapat memutuskan."))
    if outcome not in OUTCOME_TO_STATE:
        raise PlanError(_("Pilih keputusan yang valid."), field="outcome")
    if outcome != DecisionOutcome.APPROVE and not feedback.strip():
        raise PlanError(
            _("Masukan wajib diisi bila rencana perlu revisi atau ditolak."), field="feedback"
        )
    with transaction.atomic():
        locked = _locked(plan)
        if locked.state != PlanState.REVIEWED:
            raise PlanError(
                _("Keputusan hanya dapat diambil setelah semua penilaian masuk."),
                code="invalid_transition",
            )
        version = locked.versions.order_by("-number").first()
        decision = Decision.objects.create(
            plan=locked,
            version=version,
            outcome=outcome,
            feedback=feedback.strip(),
            score=locked.score,
            decided_by=by,
            decided_at=now,
        )
        transition(
            locked,
            to=OUTCOME_TO_STATE[outcome],
            by=by,
            action="plan.decide",
            note=outcome,
            extra_fields={"decided_at": now},
            at=now,
        )
    plan.refresh_from_db()
    return decision
