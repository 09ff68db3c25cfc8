"""The review packet: the submitted version, every review's levels and comments per
criterion, the aggregate (plan score, per-criterion means, disagreement) and the decision.

Reviewers are shown as "Reviewer 1", "Reviewer 2" … whenever the cycle hides reviewer
identities: the packet goes to the coordinator and to the agent alike, so it follows the
cycle's rule rather than the reader's role. Confidential notes to the coordinator are
never printed.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from assessment import scoring
from assessment.enums import LEVEL_MAX, LEVEL_MIN, ReviewState
from assessment.models import Criterion, CriterionScore, Decision, Review
from plans.enums import ScoreMethod
from plans.models import ActionPlan

from . import Rendered, ReportError
from .pdf import local_date, render_pdf, verification_context
from .plan_document import latest_version, load_plan, plan_body, plan_filename


@dataclass(frozen=True)
class ScoreLine:
    criterion: Criterion
    level: int | None
    points: Decimal | None
    comment: str


@dataclass(frozen=True)
class ReviewView:
    label: str
    submitted_on: object
    total: Decimal
    lines: list[ScoreLine]
    overall_feedback: str


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    levels: list[int | None]
    mean: Decimal | None


def _points(weight: int, level: int) -> Decimal:
    span = Decimal(LEVEL_MAX - LEVEL_MIN)
    return (Decimal(weight) * Decimal(level - LEVEL_MIN) / span).quantize(Decimal("0.01"))


def reviewer_label(review: Review, number: int, *, anonymous: bool) -> str:
    if anonymous:
        return _("Reviewer %(number)d") % {"number": number}
    return str(review.assignment.reviewer)


def packet_context(plan: ActionPlan, *, code: str) -> dict:
    version = latest_version(plan)
    if version is None:
        raise ReportError(
            _("Rencana ini belum pernah diajukan, sehingga belum ada paket penilaian.")
        )
    cycle = plan.cycle
    criteria = list(Criterion.objects.filter(rubric__cycle=cycle).order_by("order", "id"))
    reviews = list(
        Review.objects.filter(
            version=version, state=ReviewState.SUBMITTED, assignment__is_active=True
        )
        .select_related("assignment__reviewer")
        .prefetch_related(
            Prefetch("scores", queryset=CriterionScore.objects.select_related("criterion"))
        )
        .order_by("assignment__assigned_at", "assignment_id")
    )
    anonymous = cycle.reviewer_anonymity
    views, levels_per_review = [], []
    for number, review in enumerate(reviews, start=1):
        by_criterion = {s.criterion_id: s for s in review.scores.all()}
        lines = []
        for criterion in criteria:
            score = by_criterion.get(criterion.pk)
            lines.append(
                ScoreLine(
                    criterion=criterion,
                    level=score.level if score else None,
                    points=_points(criterion.weight, score.level) if score else None,
                    comment=score.comment if score else "",
                )
            )
        levels_per_review.append({s.criterion.code: s.level for s in by_criterion.values()})
        views.append(
            ReviewView(
                label=reviewer_label(review, number, anonymous=anonymous),
                submitted_on=local_date(review.submitted_at),
                total=review.total,
                lines=lines,
                overall_feedback=review.overall_feedback,
            )
        )
    means = scoring.criterion_means(levels_per_review)
    matrix = [
        CriterionRow(
            criterion=criterion,
            levels=[levels.get(criterion.code) for levels in levels_per_review],
            mean=means.get(criterion.code),
        )
        for criterion in criteria
    ]
    totals = [review.total for review in reviews]
    decision = Decision.objects.filter(version=version).select_related("decided_by").first()
    return {
        "plan": plan,
        "version": version,
        "submitted_on": local_date(version.created_at),
        "body": plan_body(version.snapshot, plan, numbering=lambda n: f"D.{n}"),
        "agency_name": version.snapshot["agency"]["name"],
        "criteria": criteria,
        "weight_total": sum(c.weight for c in criteria),
        "reviews": views,
        "reviewer_labels": [view.label for view in views],
        "matrix": matrix,
        "plan_score": scoring.plan_score(totals, cycle.score_method),
        "score_method": ScoreMethod(cycle.score_method).label,
        "flagged": scoring.disagreement(
            list(zip(totals, levels_per_review, strict=True)),
            levels=cycle.disagreement_levels,
            points=cycle.disagreement_points,
        ),
        "assigned": plan.assignments.filter(is_active=True).count(),
        "decision": decision,
        "decided_on": local_date(decision.decided_at) if decision else None,
        "anonymous": anonymous,
        "document_title": _("Paket Penilaian Rencana Tindak"),
        **verification_context(code),
    }


def render_packet(plan: ActionPlan, *, code: str) -> tuple[bytes, dict]:
    context = packet_context(plan, code=code)
    return render_pdf("pdf/review_packet.html", context), context


def render_review_packet(job) -> Rendered:
    plan = load_plan(job.params["plan_id"])
    content, context = render_packet(plan, code=job.verification_code)
    return Rendered(
        filename=plan_filename("paket-penilaian", plan),
        content=content,
        title=context["body"].title,
        agency_name=context["agency_name"],
    )
