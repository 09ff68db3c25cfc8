"""Reviewing: save a draft, submit (locked afterwards), the coordinator's reopen; the
plan's score, disagreement flag and move between in_review and reviewed."""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.notifications import send_message
from agents.services import record_activity
from plans.enums import PlanState
from plans.message_templates import message
from plans.models import ActionPlan
from plans.services.common import PlanError, _locked, _require
from plans.services.workflow import transition

from .. import scoring
from ..enums import LEVEL_MAX, LEVEL_MIN, ReviewState
from ..models import Criterion, CriterionScore, Review, ReviewAssignment, Rubric
from ..rules import forget_reviewed_plans
from .common import coordinators, url


def rubric_for(plan: ActionPlan) -> Rubric:
    rubric = Rubric.objects.filter(cycle_id=plan.cycle_id).first()
    if rubric is None:
        raise PlanError(_("Siklus ini belum memiliki instrumen penilaian."), code="no_rubric")
    return rubric


def save_review(
    assignment: ReviewAssignment,
    *,
    levels: Mapping[str, tuple[int | None, str]],
    overall_feedback: str = "",
    confidential_note: str = "",
    by: User,
) -> Review:
    """Save (part of) a review as a draft: criterion code → (level, comment).

    A criterion without a level and without a comment is left unscored; a comment
    without a level is refused (it would have nowhere to live).
    """
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
    for code, (level, comment) in levels.items():
        if code not in criteria:
            raise PlanError(_("Kriteria %(code)s tidak dikenal.") % {"code": code}, field=code)
        if level is None:
            if (comment or "").strip():
                raise PlanError(
                    _("Pilih tingkat untuk kriteria yang Anda beri komentar."), field=code
                )
            continue
        if not isinstance(level, int) or not LEVEL_MIN <= level <= LEVEL_MAX:
            raise PlanError(_("Pilih tingkat 1 sampai 5."), field=code)
    with transaction.atomic():
        review, _created = Review.objects.select_for_update().get_or_create(
            assignment=assignment, version=version
        )
        if review.state == ReviewState.SUBMITTED:
            raise PlanError(_("Penilaian sudah dikirim dan terkunci."), code="locked")
        existing = {s.criterion_id: s for s in review.scores.all()}
        # What the draft changes, for the audit log: levels before → after, and which texts
        # changed (not their words: comments and notes stay on the review).
        changed_levels, changed_comments = {}, []
        for code, (level, comment) in levels.items():
            criterion = criteria[code]
            score = existing.get(criterion.pk)
            if level is None:
                if score is not None:
                    changed_levels[code] = [score.level, None]
                    score.delete()
                continue
            if score is None:
                changed_levels[code] = [None, level]
                if comment:
                    changed_comments.append(code)
                CriterionScore.objects.create(
                    review=review, criterion=criterion, level=level, comment=comment or ""
                )
            elif score.level != level or score.comment != (comment or ""):
                if score.level != level:
                    changed_levels[code] = [score.level, level]
                if score.comment != (comment or ""):
                    changed_comments.append(code)
                score.level, score.comment = level, comment or ""
                score.save(update_fields=["level", "comment"])
        texts = [
            name
            for name, value in (
                ("overall_feedback", overall_feedback),
                ("confidential_note", confidential_note),
            )
            if getattr(review, name) != value
        ]
        total_before = review.total
        review.overall_feedback = overall_feedback
        review.confidential_note = confidential_note
        review.total = _total_if_complete(review, criteria)
        review.save(update_fields=["overall_feedback", "confidential_note", "total", "updated_at"])
        if _created or changed_levels or changed_comments or texts:
            record_activity(
                actor=by,
                action="review.draft_saved",
                obj=review,
                data={
                    "plan_id": plan.pk,
                    "levels": changed_levels,
                    "comments_changed": sorted(changed_comments),
                    "texts_changed": texts,
                    "total": [
                        None if total_before is None else str(total_before),
                        None if review.total is None else str(review.total),
                    ],
                },
            )
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
        refresh_plan_after_review_change(plan, at=now)
    # What the reviewer may see of the others' reviews changed (assessment.view_scores).
    forget_reviewed_plans(by)
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
        refresh_plan_after_review_change(plan)
        reopened = ReviewAssignment.objects.select_related("reviewer").get(pk=review.assignment_id)
        send_message(
            message(
                "review_reopened",
                reopened.reviewer,
                cycle=plan.cycle,
                url=url("assessment:review", plan.pk),
                dedupe_key=f"review_reopened:{review.pk}:{timezone.now().isoformat()}",
                judul_rencana=plan.title,
                catatan=note,
            )
        )
    return review


def current_reviews(plan: ActionPlan):
    """Reviews of the plan's latest version by its active reviewers."""
    version = plan.versions.order_by("-number").first()
    return Review.objects.filter(
        assignment__plan=plan, assignment__is_active=True, version=version
    ).prefetch_related(
        Prefetch("scores", queryset=CriterionScore.objects.select_related("criterion"))
    )


def refresh_plan_after_review_change(plan: ActionPlan, *, at: dt.datetime | None = None) -> None:
    """Recompute the plan's score and flag; move it between in_review and reviewed.

    The move is the system's, not the last reviewer's: recording a reviewer as its actor
    would reveal who reviewed when the cycle keeps reviewers anonymous. The score written
    on the plan is a provisional copy for lists and the dashboard: after one review it is
    that reviewer's total, so it is shown only through `assessment.view_scores`.
    """
    locked = _locked(plan)
    reviews = list(current_reviews(locked))
    submitted = [r for r in reviews if r.state == ReviewState.SUBMITTED]
    pairs = [(r.total, {s.criterion.code: s.level for s in r.scores.all()}) for r in submitted]
    locked.score = scoring.plan_score([r.total for r in submitted], locked.cycle.score_method)
    locked.review_flagged = scoring.disagreement(
        pairs,
        levels=locked.cycle.disagreement_levels,
        points=locked.cycle.disagreement_points,
    )
    locked.save(update_fields=["score", "review_flagged"])
    active = locked.assignments.filter(is_active=True).count()
    all_in = active > 0 and len(submitted) >= active
    if locked.state == PlanState.IN_REVIEW and all_in:
        transition(locked, to=PlanState.REVIEWED, by=None, action="plan.complete_review", at=at)
        version = submitted[0].version_id if submitted else 0
        for coordinator in coordinators():
            send_message(
                message(
                    "reviews_complete",
                    coordinator,
                    cycle=locked.cycle,
                    url=url("assessment:decide", locked.pk),
                    dedupe_key=f"reviews_complete:{locked.pk}:{version}",
                    judul_rencana=locked.title,
                    nilai=locked.score,
                )
            )
    elif locked.state == PlanState.REVIEWED and not all_in:
        transition(locked, to=PlanState.IN_REVIEW, by=None, action="plan.reopen_review", at=at)
