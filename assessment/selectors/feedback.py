"""What the plan's people read after a decision (the plan_feedback tag)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Prefetch,
)
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
    `assessment.view_reviewer_names` allows; never confidential notes. Three queries (with
    the plan's cycle loaded and the user's roles known, as on every page)."""
    if not user.has_perm("assessment.view_scores", plan):
        return PlanFeedback(decision=None, reviews=[], show_names=False)
    decision = latest_decision(plan)
    if decision is None:
        return PlanFeedback(decision=None, reviews=[], show_names=False)
    show_names = user.has_perm("assessment.view_reviewer_names", plan)
    reviews = (
        Review.objects.filter(version=decision.version, state=ReviewState.SUBMITTED)
        .select_related("assignment__reviewer")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=CriterionScore.objects.select_related("criterion").order_by(
                    "criterion__order", "criterion_id"
                ),
            )
        )
        .order_by("submitted_at", "pk")
    )
    items = []
    for number, review in enumerate(reviews, start=1):
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
                criteria=[(s.criterion, s.level, s.comment) for s in review.scores.all()],
            )
        )
    return PlanFeedback(decision=decision, reviews=items, show_names=show_names)
