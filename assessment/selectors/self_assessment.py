"""The team's self-assessment (penilaian mandiri): its page, and its comparison with the
reviewers on the plan's page and on the calibration page.

Who sees what is decided by the rules (`assessment.view_self_assessment`,
`assessment.compare_self_assessment`, `assessment.view_all_self_assessments`): the views
ask them; the selectors below read what those rules opened.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from plans import sections
from plans.enums import PlanState
from plans.models import ActionPlan, Cycle

from ..enums import LEVEL_MAX, LEVEL_MIN, ReviewState
from ..models import Criterion, CriterionScore, Decision, SelfAssessment
from .review import _criteria_with_levels

TWO = Decimal("0.01")
# A criterion whose own level is at most this pulls the total down: the page lists it,
# worst first, with a link to the section of the plan it judges.
PULLS_DOWN_AT_MOST = 3
# Own level minus the reviewers' mean at least this far from zero: over- or
# under-estimates; closer, in line with the reviewers.
ESTIMATE_GAP = Decimal(1)
# The same, for the total (points on 0..100).
ESTIMATE_GAP_POINTS = Decimal(10)

SIGNALS = {
    "over": _("menilai lebih tinggi"),
    "under": _("menilai lebih rendah"),
    "in_line": _("sejalan"),
}


def signal(difference: Decimal | None, gap: Decimal) -> str:
    """ "over", "under" or "in_line" for own − reviewers; "" without a comparison."""
    if difference is None:
        return ""
    if difference >= gap:
        return "over"
    if difference <= -gap:
        return "under"
    return "in_line"


def lost_points(weight: int, level: int) -> Decimal:
    """The points a criterion's level leaves short of the top level."""
    return (Decimal(weight) * (LEVEL_MAX - level) / (LEVEL_MAX - LEVEL_MIN)).quantize(TWO)


@dataclass
class PullingDown:
    criterion: Criterion
    level: int
    lost: Decimal
    section_key: str
    section_label: str


@dataclass
class ComparedCriterion:
    criterion: Criterion
    own: int | None
    mean: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.own is None or self.mean is None:
            return None
        return (Decimal(self.own) - self.mean).quantize(TWO)

    @property
    def signal(self) -> str:
        return signal(self.difference, ESTIMATE_GAP)


@dataclass
class Comparison:
    """The self-assessment of the decided version beside the reviewers' mean."""

    version_number: int
    own_total: Decimal | None
    score: Decimal | None
    criteria: list[ComparedCriterion]

    @property
    def difference(self) -> Decimal | None:
        if self.own_total is None or self.score is None:
            return None
        return (self.own_total - self.score).quantize(TWO)

    @property
    def signal(self) -> str:
        return signal(self.difference, ESTIMATE_GAP_POINTS)


@dataclass
class SelfAssessmentPage:
    criteria: list[Criterion]
    # The version the team assesses now (None when the plan may not be edited).
    open_version: int | None
    current: SelfAssessment | None
    pulling_down: list[PullingDown]
    history: list[SelfAssessment] = field(default_factory=list)
    comparison: Comparison | None = None


def pulling_down(criteria, levels: dict[str, int]) -> list[PullingDown]:
    """The criteria at a low level, the one that costs the most points first."""
    rows = []
    for criterion in criteria:
        level = levels.get(criterion.code)
        if level is None or level > PULLS_DOWN_AT_MOST:
            continue
        key = criterion.section if criterion.section in sections.keys() else ""
        rows.append(
            PullingDown(
                criterion=criterion,
                level=level,
                lost=lost_points(criterion.weight, level),
                section_key=key,
                section_label=sections.section(key).label if key else "",
            )
        )
    return sorted(rows, key=lambda r: (-r.lost, r.criterion.order, r.criterion.pk))


def _criterion_means(version_ids) -> dict[tuple[int, str], Decimal]:
    """(version id, criterion code) → the mean level of the submitted reviews. One query."""
    rows = (
        CriterionScore.objects.filter(
            review__version_id__in=list(version_ids), review__state=ReviewState.SUBMITTED
        )
        .values("review__version_id", "criterion__code")
        .annotate(mean=Avg("level"))
        .order_by()
    )
    return {
        (row["review__version_id"], row["criterion__code"]): Decimal(row["mean"]).quantize(TWO)
        for row in rows
    }


def _comparison(plan: ActionPlan, criteria, by_version: dict[int, SelfAssessment]):
    decision = (
        Decision.objects.filter(plan=plan)
        .select_related("version")
        .order_by("-decided_at", "-pk")
        .first()
    )
    if decision is None:
        return None
    own = by_version.get(decision.version.number)
    means = _criterion_means([decision.version_id])
    levels = own.levels if own else {}
    return Comparison(
        version_number=decision.version.number,
        own_total=own.total if own else None,
        score=decision.score,
        criteria=[
            ComparedCriterion(
                criterion=c,
                own=levels.get(c.code),
                mean=means.get((decision.version_id, c.code)),
            )
            for c in criteria
        ],
    )


def self_assessment_page(plan: ActionPlan, user, *, open_version: int | None) -> SelfAssessmentPage:
    """The page of a plan's self-assessment for someone the rule
    `assessment.view_self_assessment` lets in: the rubric, the levels of the version being
    prepared (`open_version`, None when the plan may not be edited), what pulls its total
    down, the earlier versions' self-assessments and, when `assessment.compare_self_assessment`
    allows, the decided version's beside its reviewers' mean. Four queries at most, five
    with the comparison."""
    _rubric, criteria = _criteria_with_levels(plan.cycle_id)
    history = list(SelfAssessment.objects.filter(plan=plan).order_by("-version_number"))
    by_version = {entry.version_number: entry for entry in history}
    current = by_version.get(open_version) if open_version else None
    comparison = None
    if user.has_perm("assessment.compare_self_assessment", plan):
        comparison = _comparison(plan, criteria, by_version)
    return SelfAssessmentPage(
        criteria=criteria,
        open_version=open_version,
        current=current,
        pulling_down=pulling_down(criteria, current.levels) if current else [],
        history=[entry for entry in history if entry.version_number != open_version],
        comparison=comparison,
    )


@dataclass
class CalibrationSelfRow:
    plan: ActionPlan
    own_total: Decimal
    score: Decimal | None
    criteria: list[ComparedCriterion]

    @property
    def difference(self) -> Decimal | None:
        if self.score is None:
            return None
        return (self.own_total - self.score).quantize(TWO)

    @property
    def signal(self) -> str:
        return signal(self.difference, ESTIMATE_GAP_POINTS)


# The calibration page's order of the plans.
SELF_ASSESSED_ORDER = ("agency__name", "title", "pk")


class SelfAssessedPlans:
    """The cycle's decided plans whose decided version the team assessed itself (only
    decided plans, as `assessment.view_self_assessment` opens them to the coordinator), by
    agency name, title and id: what the coordinator compares on the calibration page.

    The plan keeps the number of the version its latest decision judged
    (`decided_version_number`), so the match is one equality and the database counts the
    plans and picks a page of them itself, on an index of the decided plans
    (`plan_cycle_decided_version`) without reading their rows. A page is one query: the
    page's ids, in order, picked by a narrow subquery, and for those plans only their
    figures (`_with_figures`); iterating reads them all."""

    def __init__(self, cycle: Cycle):
        own = SelfAssessment.objects.filter(
            plan=OuterRef("pk"), version_number=OuterRef("decided_version_number")
        )
        self.plans = (
            ActionPlan.objects.filter(cycle=cycle, state__in=PlanState.DECIDED)
            .filter(Exists(own))
            .order_by(*SELF_ASSESSED_ORDER)
        )

    def count(self) -> int:
        return self.plans.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        # The figures in the SELECT of the page's plans only: ordered and sliced with them,
        # the database would work them out for every plan before the page too.
        page = self.plans.values("pk")[index]
        return list(
            _with_figures(ActionPlan.objects.filter(pk__in=page)).order_by(*SELF_ASSESSED_ORDER)
        )

    def __iter__(self):
        return iter(self[:])


def _with_figures(plans: QuerySet) -> QuerySet:
    """The plans with their latest decision's version id and score, and the
    self-assessment of the decided version (`own_total`, `own_levels`): a few index
    lookups per plan, for a page of them."""
    latest = Decision.objects.filter(plan=OuterRef("pk")).order_by("-decided_at", "-pk")
    own = SelfAssessment.objects.filter(
        plan=OuterRef("pk"), version_number=OuterRef("decided_version_number")
    ).order_by()
    return plans.annotate(
        decided_version_id=Subquery(latest.values("version_id")[:1]),
        decided_score=Subquery(latest.values("score")[:1]),
        own_total=Subquery(own.values("total")[:1]),
        own_levels=Subquery(own.values("levels")[:1]),
    ).select_related("agency")


def self_assessed_plans(cycle: Cycle) -> SelfAssessedPlans:
    """The cycle's `SelfAssessedPlans`."""
    return SelfAssessedPlans(cycle)


def self_calibration_rows(cycle: Cycle, plans) -> tuple[list[Criterion], list[CalibrationSelfRow]]:
    """The rows of one page of `self_assessed_plans`: per plan its own levels beside the
    reviewers' mean per criterion. Two queries (the criteria, the means) besides reading
    the page's plans with their figures (one query, which the paginator's page has made
    already); none without plans."""
    plans = list(plans)
    if not plans:
        return [], []
    criteria = list(Criterion.objects.filter(rubric__cycle_id=cycle.pk).order_by("order", "pk"))
    means = _criterion_means(p.decided_version_id for p in plans)
    rows = []
    for plan in plans:
        levels = plan.own_levels or {}
        rows.append(
            CalibrationSelfRow(
                plan=plan,
                own_total=plan.own_total,
                score=plan.decided_score,
                criteria=[
                    ComparedCriterion(
                        criterion=c,
                        own=levels.get(c.code),
                        mean=means.get((plan.decided_version_id, c.code)),
                    )
                    for c in criteria
                ],
            )
        )
    return criteria, rows
