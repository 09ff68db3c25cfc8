"""The reviewer's queue and the coordinator's cycle board; small lookups for the views."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from agents.enums import Role
from agents.models import User
from plans.enums import PlanState
from plans.models import ActionPlan, Comment, CommentThread, Cycle, PlanVersion
from plans.selectors import state_counts, state_counts_by

from ..enums import ReviewState
from ..models import (
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    Rubric,
)

# How many plans each list of the board shows; the rest is one click away in the plan list.
BOARD_LIST_LIMIT = 10


def current_reviews() -> QuerySet:
    """Reviews of the outer assignment (OuterRef "pk") on its plan's latest version."""
    newer = PlanVersion.objects.filter(
        plan=OuterRef("version__plan"), number__gt=OuterRef("version__number")
    )
    return Review.objects.filter(assignment=OuterRef("pk")).filter(~Exists(newer))


# The plan states in which an assignment is in the reviewer's queue: handed in, being
# reviewed, or waiting for the coordinator's decision. (A plan sent back for revision comes
# back as a new submission.)
QUEUE_STATES = (PlanState.SUBMITTED, PlanState.IN_REVIEW, PlanState.REVIEWED)


def reviewer_queue(user: User, *, today: dt.date | None = None) -> list[ReviewAssignment]:
    """The reviewer's active assignments on plans in QUEUE_STATES, soonest due first.

    Each carries `review_state` (None: not started, "draft", "submitted": the reviewer's
    own review of the plan's latest version) and `is_overdue` (due date passed and the
    review not sent while the plan is in review). One query.
    """
    today = today or timezone.localdate()
    assignments = list(
        ReviewAssignment.objects.filter(reviewer=user, is_active=True, plan__state__in=QUEUE_STATES)
        .select_related("plan__agency", "plan__cycle")
        .annotate(review_state=Subquery(current_reviews().values("state")[:1]))
        .order_by("due_date", "pk")
    )
    for assignment in assignments:
        assignment.is_overdue = (
            assignment.due_date < today
            and assignment.review_state != ReviewState.SUBMITTED
            and assignment.plan.state == PlanState.IN_REVIEW
        )
        assignment.days_overdue = (today - assignment.due_date).days
    return assignments


def threads_awaiting_reply(user: User) -> QuerySet:
    """Unresolved mentoring threads on the reviewer's assigned plans whose last comment is
    someone else's ("menunggu jawaban"), the longest waiting first. One query."""
    last = Comment.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-id")
    assigned = ReviewAssignment.objects.filter(reviewer=user, is_active=True).values("plan_id")
    return (
        CommentThread.objects.filter(plan_id__in=assigned, resolved_at__isnull=True)
        .annotate(
            last_author_id=Subquery(last.values("author_id")[:1]),
            last_author_name=Subquery(last.values("author__name")[:1]),
            last_body=Subquery(last.values("body")[:1]),
        )
        .filter(last_author_id__isnull=False)
        .exclude(last_author_id=user.pk)
        .select_related("plan__agency")
        .order_by("last_comment_at", "pk")
    )


@dataclass(frozen=True)
class CycleBoard:
    cycle: Cycle
    counts: dict[str, int]
    total: int
    by_agency: list[
        dict
    ]  # agency_id, name, short_name, total, counts: [(state, n)] in workflow order
    awaiting_assignment: list[ActionPlan]
    awaiting_decision: list[ActionPlan]
    flagged: list[ActionPlan]
    flagged_total: int
    reviewer_load: list[User]


def reviewer_load(cycle: Cycle) -> QuerySet:
    """Every reviewer (and anyone with an active assignment in the cycle) with `active`
    (active assignments in the cycle), `submitted` (of those, how many have the
    reviewer's review of the plan's latest version sent) and `pending`. One query."""
    assignments = ReviewAssignment.objects.filter(is_active=True, plan__cycle=cycle)

    def count(qs):
        per_reviewer = (
            qs.filter(reviewer=OuterRef("pk"))
            .order_by()
            .values("reviewer")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(per_reviewer, output_field=IntegerField()), Value(0))

    sent = current_reviews().filter(state=ReviewState.SUBMITTED)
    return (
        User.objects.filter(
            Q(role_grants__role=Role.REVIEWER) | Q(pk__in=assignments.values("reviewer_id"))
        )
        .distinct()
        .annotate(active=count(assignments), submitted=count(assignments.filter(Exists(sent))))
        .annotate(pending=F("active") - F("submitted"))
        .order_by("-active", "name", "pk")
    )


def cycle_board(cycle: Cycle) -> CycleBoard:
    """The coordinator's board for a cycle. Eight queries."""
    plans = ActionPlan.objects.filter(cycle=cycle)
    counts = state_counts(plans)
    listed = plans.select_related("agency", "owner__user")
    flagged = listed.filter(
        review_flagged=True, state__in=[PlanState.IN_REVIEW, PlanState.REVIEWED]
    )
    return CycleBoard(
        cycle=cycle,
        counts=counts,
        total=sum(counts.values()),
        by_agency=[
            {
                "agency_id": row["agency_id"],
                "name": row["agency__name"],
                "short_name": row["agency__abbreviation"] or row["agency__name"],
                "total": row["total"],
                "counts": [(state, row[state]) for state in PlanState.values],
            }
            for row in state_counts_by(plans, "agency__name", "agency_id", "agency__abbreviation")
        ],
        awaiting_assignment=list(
            listed.filter(state=PlanState.SUBMITTED).order_by("submitted_at", "pk")[
                :BOARD_LIST_LIMIT
            ]
        ),
        awaiting_decision=list(
            listed.filter(state=PlanState.REVIEWED).order_by("submitted_at", "pk")[
                :BOARD_LIST_LIMIT
            ]
        ),
        flagged=list(flagged.order_by("submitted_at", "pk")[:BOARD_LIST_LIMIT]),
        flagged_total=flagged.count(),
        reviewer_load=list(reviewer_load(cycle)),
    )


# --- Small lookups for the views (404 for "missing" and "not yours") ------------------------


def _id(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def get_conflict_for(user: User, pk) -> ConflictOfInterest:
    conflict = ConflictOfInterest.objects.filter(reviewer=user, pk=_id(pk)).first()
    if conflict is None:
        raise Http404("No such conflict")
    return conflict


def conflicts_of(user: User) -> QuerySet:
    return ConflictOfInterest.objects.filter(reviewer=user).select_related("agency", "agent__user")


def get_assignment_of(plan: ActionPlan, pk) -> ReviewAssignment:
    assignment = ReviewAssignment.objects.filter(plan=plan, pk=_id(pk)).first()
    if assignment is None:
        raise Http404("No such assignment")
    return assignment


def get_review_of(plan: ActionPlan, pk) -> Review:
    review = Review.objects.filter(assignment__plan=plan, pk=_id(pk)).first()
    if review is None:
        raise Http404("No such review")
    return review


def rubric_of(cycle: Cycle) -> Rubric | None:
    return Rubric.objects.filter(cycle=cycle).first()
