"""What the plan's people read after a decision (the plan_feedback tag)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from agents.models import User
from plans.models import ActionPlan
from plans.selectors import latest_decision

from ..enums import ReviewState
from ..models import (
    Criterion,
    CriterionScore,
    Decision,
    Review,
)

# --- What the plan's agents read after a decision (the plan_feedback tag) -------------------


@dataclass
class ReviewFeedback:
    reviewer_label: str
    total: Decimal | None
    overall_feedback: str
    criteria: list[tuple[Criterion, int, str]]  # criterion, level, comment


@dataclass
class PlanFeedback:
    decision: Decision | None
    reviews: list[ReviewFeedback]
    show_names: bool


def plan_feedback(plan: ActionPlan, user: User) -> PlanFeedback:
    """The latest decision on the plan, its score and consolidated feedback, and the
    reviewers' feedback and per-criterion comments on the decided version. Nothing for a
    user who may not see the plan's scores (`assessment.view_scores`: for the plan's team
    and agency head, nothing before the decision); reviewer names only when
    `assessment.view_reviewer_names` allows; never confidential notes. Two queries (with
    the plan's cycle loaded and the user's roles known, as on every page)."""
    if not user.has_perm("assessment.view_scores", plan):
        return PlanFeedback(decision=None, reviews=[], show_names=False)
    decision = latest_decision(plan)
    if decision is None:
        return PlanFeedback(decision=None, reviews=[], show_names=False)
    show_names = user.has_perm("assessment.view_reviewer_names", plan)
    # A sent review has a score for every criterion of its rubric (`submit_review` refuses
    # one without), so the reviews are read through their scores: one query, folded here.
    scores = (
        CriterionScore.objects.filter(
            review__version=decision.version_id, review__state=ReviewState.SUBMITTED
        )
        .select_related("criterion", "review__assignment__reviewer")
        .order_by("review__submitted_at", "review_id", "criterion__order", "criterion_id")
    )
    per_review: dict[int, tuple[Review, list]] = {}
    for score in scores:
        per_review.setdefault(score.review_id, (score.review, []))[1].append(
            (score.criterion, score.level, score.comment)
        )
    items = []
    for number, (review, criteria) in enumerate(per_review.values(), start=1):
        label = (
            review.assignment.reviewer.name
            if show_names
            else str(_("Reviewer %(number)s") % {"number": number})
        )
        items.append(
            ReviewFeedback(
                reviewer_label=label,
                total=review.total,
                overall_feedback=review.overall_feedback,
                criteria=criteria,
            )
        )
    return PlanFeedback(decision=decision, reviews=items, show_names=show_names)
