"""The reviewer's queue and the coordinator's cycle board; small lookups for the views."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from agencies.models import Agency
from agenplan import cycle_cache
from agents.enums import Role
from agents.models import RoleGrant, User
from plans.enums import PlanState
from plans.models import ActionPlan, Comment, CommentThread, Cycle, PlanVersion
from plans.selectors import state_counts_by

from ..enums import ReviewState
from ..models import (
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    ReviewerTally,
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
QUEUE_STATES = tuple(sorted(PlanState.AWAITING_DECISION))


# Sort keys of the reviewer's queue ("-key" descending) → columns; ties by id.
QUEUE_SORTS = {"due": ("due_date",), "title": ("plan__title",), "agency": ("plan__agency__name",)}


def queue_assignments(user: User, *, sort: str = "") -> QuerySet:
    """The reviewer's active assignments on plans in QUEUE_STATES, soonest due first (or by
    `sort`, QUEUE_SORTS), each with `review_state` (None: not started, "draft",
    "submitted": the reviewer's own review of the plan's latest version). One query, to
    paginate; `mark_queue_rows` adds what the page shows of each row."""
    columns = QUEUE_SORTS.get(sort.removeprefix("-"), QUEUE_SORTS["due"])
    prefix = "-" if sort.startswith("-") and sort.removeprefix("-") in QUEUE_SORTS else ""
    return (
        ReviewAssignment.objects.filter(reviewer=user, is_active=True, plan__state__in=QUEUE_STATES)
        .select_related("plan__agency", "plan__cycle")
        .annotate(review_state=Subquery(current_reviews().values("state")[:1]))
        .order_by(*(f"{prefix}{column}" for column in columns), f"{prefix}pk")
    )


def mark_queue_rows(assignments, *, today: dt.date | None = None) -> list[ReviewAssignment]:
    """The rows with `is_waiting` (the plan is in review and the reviewer's review not
    sent: what the queue counts), `is_overdue` (waiting, and the due date passed) and
    `days_overdue`."""
    today = today or timezone.localdate()
    rows = list(assignments)
    for assignment in rows:
        assignment.is_waiting = (
            assignment.plan.state == PlanState.IN_REVIEW
            and assignment.review_state != ReviewState.SUBMITTED
        )
        assignment.is_overdue = assignment.is_waiting and assignment.due_date < today
        assignment.days_overdue = (today - assignment.due_date).days
    return rows


def waiting_count(user: User) -> int:
    """How many plans wait for the reviewer (`is_waiting` of the whole queue, not of one
    page): in review, and their review of the latest version not sent. One query."""
    sent = current_reviews().filter(state=ReviewState.SUBMITTED)
    return (
        ReviewAssignment.objects.filter(
            reviewer=user, is_active=True, plan__state=PlanState.IN_REVIEW
        )
        .filter(~Exists(sent))
        .count()
    )


def reviewer_queue(user: User, *, today: dt.date | None = None) -> list[ReviewAssignment]:
    """Every row of the reviewer's queue, marked (queue_assignments, mark_queue_rows)."""
    return mark_queue_rows(queue_assignments(user), today=today)


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
    # The busiest reviewers (BOARD_REVIEWERS of them, in `ReviewerLoad`'s order) and how
    # many reviewers the cycle has in all.
    reviewer_load: list[User]
    reviewers_total: int


class ReviewerLoad:
    """The cycle's reviewers, busiest first (then by name), each with `active` (active
    assignments in the cycle), `submitted` (of those, how many have the reviewer's review
    of the plan's latest version sent) and `pending` (the difference).

    The cycle's reviewers are everyone holding the reviewer role (with 0 when idle) and
    anyone else with an active assignment in the cycle (`granted_only` leaves those out).
    Ordered and sliced in the database, from the cycle's tallies (`ReviewerTally`, kept
    current as assignments and reviews change): a Paginator reads one page and a count,
    never the deployment's whole reviewer pool; iterating reads them all (the export).
    """

    def __init__(self, cycle: Cycle, *, granted_only: bool = False):
        tally = ReviewerTally.objects.filter(cycle=cycle, reviewer=OuterRef("pk"))
        busy = ReviewerTally.objects.filter(cycle=cycle, active__gt=0).values("reviewer_id")
        granted = RoleGrant.objects.filter(role=Role.REVIEWER).values("user_id").order_by()
        # One set of ids (a UNION), not an OR of two: the OR made PostgreSQL scan every
        # user of the deployment; the union is joined on the users' primary key.
        people = granted if granted_only else granted.union(busy.order_by())
        self.queryset = (
            User.objects.filter(pk__in=people)
            .annotate(
                active=Coalesce(Subquery(tally.values("active")[:1]), 0),
                submitted=Coalesce(Subquery(tally.values("sent")[:1]), 0),
            )
            .order_by("-active", "name", "pk")
        )

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_carrying(reviewer) for reviewer in self.queryset[index]]
        return _carrying(self.queryset[index])

    def __iter__(self):
        return (_carrying(reviewer) for reviewer in self.queryset.iterator(chunk_size=500))


def _carrying(reviewer: User) -> User:
    """The reviewer with `pending`: their active assignments not yet sent."""
    reviewer.pending = reviewer.active - reviewer.submitted
    return reviewer


BOARD_REVIEWERS = 10


def busiest_reviewers(cycle: Cycle, limit: int = BOARD_REVIEWERS) -> tuple[list[User], int]:
    """The first `limit` of the cycle's `ReviewerLoad` and how many reviewers it has in all:
    two queries."""
    pool = ReviewerLoad(cycle)
    return pool[:limit], pool.count()


def agency_rows(cycle: Cycle) -> list[dict]:
    """Plans per state for every agency with plans in the cycle, by name, kept in the
    dashboard's cache for the cycle's version (any change to the cycle's plans makes a new
    one). Two queries: the counts grouped by agency alone (read in the order of the plans'
    (cycle, agency) index, without a join or a sort), then the names of the agencies with
    plans in the cycle (a semi-join on the same index: a list of a national cycle's 2,000
    ids as parameters cost more to build and send than the query itself)."""

    def build():
        states = PlanState.values  # computed by the enum on every access: once, not per row
        plans = ActionPlan.objects.filter(cycle=cycle)
        counts = state_counts_by(plans, "agency_id")
        names = {
            pk: (name, abbreviation)
            for pk, name, abbreviation in Agency.objects.filter(
                pk__in=plans.values("agency_id")
            ).values_list("pk", "name", "abbreviation")
        }
        rows = [
            {
                "agency_id": row["agency_id"],
                "name": names[row["agency_id"]][0],
                "short_name": names[row["agency_id"]][1] or names[row["agency_id"]][0],
                "total": row["total"],
                "counts": [(state, row[state]) for state in states],
            }
            for row in counts
        ]
        return sorted(rows, key=lambda row: (row["name"], row["agency_id"]))

    return cycle_cache.cached(cycle.pk, "board_agencies", build)


# Sort keys of the board's agency table: the name, the total or a state's count.
AGENCY_SORTS = ("name", "total", *PlanState.values)


def agency_table(rows: list[dict], *, query: str = "", sort: str = "") -> list[dict]:
    """The board's agency rows whose name or abbreviation holds `query` (ignoring case),
    sorted by `sort` (AGENCY_SORTS, "-" for descending; by name otherwise, ties by name)."""
    folded = query.casefold().strip()
    if folded:
        rows = [
            row
            for row in rows
            if folded in row["name"].casefold() or folded in row["short_name"].casefold()
        ]
    key = sort.removeprefix("-")
    if key not in AGENCY_SORTS or key == "name":
        return sorted(rows, key=lambda r: r["name"].casefold(), reverse=sort == "-name")
    if key == "total":
        return sorted(rows, key=lambda r: r["total"], reverse=sort.startswith("-"))
    column = PlanState.values.index(key)
    return sorted(rows, key=lambda r: r["counts"][column][1], reverse=sort.startswith("-"))


def cycle_board(cycle: Cycle) -> CycleBoard:
    """The coordinator's board for a cycle. At most eight queries (the agency rows come
    from the cache when the cycle has not changed; the cycle's counts are their sums)."""
    busiest, reviewers_total = busiest_reviewers(cycle)
    plans = ActionPlan.objects.filter(cycle=cycle)
    by_agency = agency_rows(cycle)
    counts = dict.fromkeys(PlanState.values, 0)
    for row in by_agency:
        for state, n in row["counts"]:
            counts[state] += n
    listed = plans.select_related("agency", "owner__user")
    flagged = listed.filter(
        review_flagged=True, state__in=[PlanState.IN_REVIEW, PlanState.REVIEWED]
    )
    return CycleBoard(
        cycle=cycle,
        counts=counts,
        total=sum(counts.values()),
        by_agency=by_agency,
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
        reviewer_load=busiest,
        reviewers_total=reviewers_total,
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
