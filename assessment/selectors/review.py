"""The review page, the diff of a revision, the coordinator's view of one plan."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from agents.models import User
from plans.diff import SectionDiff, plan_diff
from plans.models import ActionPlan, PlanVersion
from plans.rules import remember_assigned

from .. import scoring
from ..enums import LEVEL_MAX, LEVEL_MIN, ReviewState
from ..models import (
    Criterion,
    CriterionScore,
    Decision,
    Review,
    ReviewAssignment,
    Rubric,
)
from ..rules import remember_reviewed
from .conflicts import declared_conflicts, excluded_pairs
from .queue import ReviewerLoad, queue_assignments

# --- Objects for one user (404 for "missing" and "not yours") -------------------------------


def get_assignment_for(user: User, plan_pk: int) -> ReviewAssignment:
    """The user's active assignment to the plan; 404 for anyone else."""
    assignment = (
        ReviewAssignment.objects.filter(plan_id=plan_pk, reviewer=user, is_active=True)
        .select_related("plan__cycle", "plan__agency", "plan__owner__user")
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment")
    # The page's rules ask about this user: the request's own object, whose roles are
    # already read, and who is known to be assigned to this plan.
    assignment.reviewer = user
    remember_assigned(user, assignment.plan_id)
    return assignment


def get_plan_for_coordinator(plan_pk: int) -> ActionPlan:
    plan = (
        ActionPlan.objects.select_related("cycle", "agency", "owner__user")
        .filter(pk=plan_pk)
        .first()
    )
    if plan is None:
        raise Http404("No such plan")
    return plan


# --- The review page -------------------------------------------------------------------------


@dataclass
class CriterionRow:
    criterion: Criterion
    levels: list
    score: CriterionScore | None


@dataclass
class ReviewPage:
    assignment: ReviewAssignment
    plan: ActionPlan
    version: PlanVersion | None
    rubric: Rubric | None
    rows: list[CriterionRow]
    review: Review | None
    running_total: Decimal
    complete: bool
    locked: bool
    others: list[Review]  # other reviewers' submitted reviews: only once mine is sent
    scored_version: PlanVersion | None  # the version I scored before, for a revision
    diff: list[SectionDiff]  # the sections changed since that version (plans.diff)
    next_plan_id: int | None  # the next plan still to review ("Simpan dan berikutnya")
    queue_previous_id: int | None  # the plans before and after this one in the queue's order
    queue_next_id: int | None

    @property
    def criteria(self) -> list[Criterion]:
        return [row.criterion for row in self.rows]


def _criteria_with_levels(cycle_id: int) -> tuple[Rubric | None, list[Criterion]]:
    """The cycle's rubric and its criteria with their levels: two queries when the rubric
    has criteria (the rubric comes with them), three when it has none."""
    criteria = list(
        Criterion.objects.filter(rubric__cycle_id=cycle_id)
        .select_related("rubric")
        .prefetch_related("levels")
        .order_by("order", "pk")
    )
    if criteria:
        return criteria[0].rubric, criteria
    return Rubric.objects.filter(cycle_id=cycle_id).first(), []


def running_total(criteria, levels: dict[int, int]) -> Decimal:
    """The total so far: scored criteria only (what the page shows while drafting)."""
    span = Decimal(LEVEL_MAX - LEVEL_MIN)
    total = sum(
        (Decimal(c.weight) * (levels[c.pk] - LEVEL_MIN) / span for c in criteria if c.pk in levels),
        Decimal(0),
    )
    return total.quantize(Decimal("0.01"))


def review_page(assignment: ReviewAssignment, *, today: dt.date | None = None) -> ReviewPage:
    """Everything the reviewer's page shows, in a fixed number of queries."""
    plan = assignment.plan
    versions = list(PlanVersion.objects.filter(plan=plan).order_by("-number"))
    version = versions[0] if versions else None
    rubric, criteria = _criteria_with_levels(plan.cycle_id)
    mine = list(
        Review.objects.filter(assignment__plan=plan, assignment__reviewer=assignment.reviewer)
        .select_related("version")
        .prefetch_related("scores")
        .order_by("-version__number")
    )
    review = next((r for r in mine if version and r.version_id == version.pk), None)
    scores = {s.criterion_id: s for s in review.scores.all()} if review else {}
    rows = [CriterionRow(c, list(c.levels.all()), scores.get(c.pk)) for c in criteria]
    levels = {cid: s.level for cid, s in scores.items()}
    locked = review is not None and review.state == ReviewState.SUBMITTED
    others = []
    reviewer = assignment.reviewer
    if locked and review.assignment_id == assignment.pk and assignment.is_active:
        remember_reviewed(reviewer, plan.pk)
    if locked and reviewer.has_perm("assessment.view_scores", plan):
        others = list(
            Review.objects.filter(
                version=version, state=ReviewState.SUBMITTED, assignment__is_active=True
            )
            .exclude(pk=review.pk)
            .select_related("assignment__reviewer")
            .prefetch_related("scores")
            .order_by("submitted_at", "pk")
        )
        show_names = reviewer.has_perm("assessment.view_reviewer_names", plan)
        for number, other in enumerate(others, start=1):
            other.levels = {s.criterion_id: s.level for s in other.scores.all()}
            other.reviewer_label = (
                other.assignment.reviewer.name
                if show_names
                else str(_("Reviewer %(number)s") % {"number": number})
            )
    scored = next(
        (
            r.version
            for r in mine
            if r.state == ReviewState.SUBMITTED and version and r.version.number < version.number
        ),
        None,
    )
    diff = (
        [section for section in plan_diff(scored.snapshot, version.snapshot) if section.changed]
        if scored and version
        else []
    )
    # The queue's plans in its order, and those still to review: their ids only.
    queue = list(queue_assignments(assignment.reviewer).values_list("plan_id", "review_state"))
    order = [plan_id for plan_id, _state in queue]
    pending = [plan_id for plan_id, state in queue if state != ReviewState.SUBMITTED]
    where = order.index(plan.pk) if plan.pk in order else None
    after = [pid for pid in pending if pid != plan.pk]
    if plan.pk in pending:
        index = pending.index(plan.pk)
        after = pending[index + 1 :] + pending[:index]
    return ReviewPage(
        assignment=assignment,
        plan=plan,
        version=version,
        rubric=rubric,
        rows=rows,
        review=review,
        running_total=running_total(criteria, levels),
        complete=bool(criteria) and len(levels) == len(criteria),
        locked=locked,
        others=others,
        scored_version=scored,
        diff=diff,
        next_plan_id=after[0] if after else None,
        queue_previous_id=order[where - 1] if where else None,
        queue_next_id=order[where + 1] if where is not None and where + 1 < len(order) else None,
    )


# --- The coordinator's view of one plan ---------------------------------------------------


@dataclass
class PlanAssessment:
    plan: ActionPlan
    version: PlanVersion | None
    criteria: list[Criterion]
    assignments: list[ReviewAssignment]  # each with .review (latest version) or None
    submitted: list[Review]
    criterion_means: dict[int, Decimal]
    level_spread: dict[int, int]
    flagged: bool
    score: Decimal | None
    decisions: list[Decision]


def plan_assessment(plan: ActionPlan) -> PlanAssessment:
    """Reviews of the plan's latest version, the aggregate and the disagreement flag, for
    the coordinator. A fixed number of queries."""
    version = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    _rubric, criteria = _criteria_with_levels(plan.cycle_id)
    reviews = {
        r.assignment_id: r
        for r in Review.objects.filter(assignment__plan=plan, version=version).prefetch_related(
            Prefetch("scores", queryset=CriterionScore.objects.select_related("criterion"))
        )
    }
    assignments = list(
        ReviewAssignment.objects.filter(plan=plan)
        .select_related("reviewer", "assigned_by")
        .order_by("-is_active", "assigned_at", "pk")
    )
    for assignment in assignments:
        assignment.review = reviews.get(assignment.pk)
        if assignment.review:
            assignment.review.levels = {
                s.criterion_id: s.level for s in assignment.review.scores.all()
            }
            assignment.review.reviewer_label = assignment.reviewer.name
    submitted = [
        a.review
        for a in assignments
        if a.is_active and a.review and a.review.state == ReviewState.SUBMITTED
    ]
    by_code = [{str(c): lvl for c, lvl in r.levels.items()} for r in submitted]
    means = {int(k): v for k, v in scoring.criterion_means(by_code).items()}
    spread = {
        c.pk: max(r.levels[c.pk] for r in submitted) - min(r.levels[c.pk] for r in submitted)
        for c in criteria
        if submitted and all(c.pk in r.levels for r in submitted)
    }
    pairs = [(r.total, {str(k): v for k, v in r.levels.items()}) for r in submitted]
    return PlanAssessment(
        plan=plan,
        version=version,
        criteria=criteria,
        assignments=assignments,
        submitted=submitted,
        criterion_means=means,
        level_spread=spread,
        flagged=scoring.disagreement(
            pairs, levels=plan.cycle.disagreement_levels, points=plan.cycle.disagreement_points
        ),
        score=scoring.plan_score([r.total for r in submitted], plan.cycle.score_method),
        decisions=list(plan.decisions.select_related("decided_by").order_by("-decided_at")),
    )


def consolidated_feedback(plan: ActionPlan) -> str:
    """The reviews' feedback to the agent, one paragraph per review, to prefill the
    decision (the coordinator edits it). Never the confidential notes. One query."""
    return consolidated_feedbacks([plan.pk]).get(plan.pk, "")


def consolidated_feedbacks(plan_ids: Sequence[int]) -> dict[int, str]:
    """`consolidated_feedback` of many plans in one query: plan id → its text (plans whose
    reviews gave no feedback are left out)."""
    latest = (
        PlanVersion.objects.filter(plan=OuterRef("assignment__plan"))
        .order_by("-number")
        .values("pk")[:1]
    )
    rows = (
        Review.objects.filter(
            assignment__plan_id__in=plan_ids,
            assignment__is_active=True,
            version=Subquery(latest),
            state=ReviewState.SUBMITTED,
        )
        .order_by("assignment__plan_id", "submitted_at", "pk")
        .values_list("assignment__plan_id", "overall_feedback")
    )
    texts: dict[int, list[str]] = {}
    for plan_id, text in rows:
        if text.strip():
            texts.setdefault(plan_id, []).append(text.strip())
    return {plan_id: "\n\n".join(parts) for plan_id, parts in texts.items()}


# --- Assignment --------------------------------------------------------------------------


# How many reviewers the plan page offers at once beside those already on the plan; the rest
# are found by typing a name, NIP or agency.
REVIEWER_CHOICES = 20


@dataclass(frozen=True)
class ReviewerChoices:
    reviewers: list[User]  # each with active, submitted, conflict, assigned, chosen
    query: str
    found: int  # how many of them are offered beside those on the plan or ticked
    more: bool  # more reviewers than shown match (or, without a query, are free of conflict)


def reviewer_options(
    plan: ActionPlan, *, query: str = "", chosen: Sequence[int] = ()
) -> ReviewerChoices:
    """The reviewers the plan page offers, each with their `active` load in the plan's
    cycle, `conflict` (why they may not review this plan, or "") and `assigned` (already
    active on it). First those on the plan and those `chosen` (ids the coordinator has ticked,
    kept across searches); then at most REVIEWER_CHOICES others, lightest load first:
    those whose name, NIP or agency holds `query` (conflicts included, and marked), or
    without a query those free of conflict. Fixed queries, whatever the size of the pool."""
    query = query.strip()[:100]
    pool = ReviewerLoad(plan.cycle, granted_only=True).queryset.select_related("agency")
    assigned = set(
        ReviewAssignment.objects.filter(plan=plan, is_active=True).values_list(
            "reviewer_id", flat=True
        )
    )
    pinned_ids = assigned | {pk for pk in chosen if isinstance(pk, int)}
    pinned = list(pool.filter(pk__in=pinned_ids)) if pinned_ids else []
    others = pool.exclude(pk__in=pinned_ids).order_by("active", "name", "pk")
    if query:
        others = others.filter(
            Q(name__icontains=query)
            | Q(nip__startswith=query)
            | Q(agency__name__icontains=query)
            | Q(agency__abbreviation__iexact=query)
        )
    else:
        others = others.exclude(Q(agency_id=plan.agency_id) | Q(pk__in=declared_conflicts(plan)))
    found = list(others[: REVIEWER_CHOICES + 1])
    shown = pinned + found[:REVIEWER_CHOICES]
    blocked = {r for _p, r in excluded_pairs([plan], shown)}
    for reviewer in shown:
        if reviewer.agency_id and reviewer.agency_id == plan.agency_id:
            reviewer.conflict = _("perangkat daerah yang sama")
        elif reviewer.pk in blocked:
            reviewer.conflict = _("konflik kepentingan")
        else:
            reviewer.conflict = ""
        reviewer.assigned = reviewer.pk in assigned
        reviewer.chosen = reviewer.pk in pinned_ids and not reviewer.assigned
    rest = sorted(shown[len(pinned) :], key=lambda r: (bool(r.conflict), r.active))
    return ReviewerChoices(
        reviewers=sorted(pinned, key=lambda r: (not r.assigned, r.active, r.name)) + rest,
        query=query,
        found=len(rest),
        more=len(found) > REVIEWER_CHOICES,
    )
