"""Keeping each agency's scores per criterion (`CriterionTally`) current.

An agency's row counts the current reviews of its decided plans, so it changes when one
of its plans enters or leaves the decided states (a decision, a revision handed in, a
review reopened): `plans_moved` hears `plan_state_changed` and recomputes the rows of
those plans' agencies inside the transaction, rows locked first so that two changes to
the same agency follow each other. `rebuild_tallies` recomputes whole cycles
(after data written around the application).
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from assessment.enums import ReviewState
from assessment.models import Criterion, CriterionScore
from plans.enums import PlanState
from plans.models import Cycle, PlanVersion
from plans.signals import plan_state_changed

from ..models import CriterionTally


def current_scores(cycle_id: int) -> QuerySet:
    """The criterion scores the agency page compares: of the current reviews (the latest
    version of each plan, active reviewers, submitted) of the cycle's decided plans (a
    plan still in review has a partial set of reviews)."""
    newer = PlanVersion.objects.filter(
        plan=OuterRef("review__version__plan"), number__gt=OuterRef("review__version__number")
    )
    return CriterionScore.objects.filter(
        review__state=ReviewState.SUBMITTED,
        review__assignment__is_active=True,
        review__assignment__plan__cycle_id=cycle_id,
        review__assignment__plan__state__in=PlanState.DECIDED,
    ).filter(~Exists(newer))


def compute(cycle_id: int, agency_ids: list[int] | None = None) -> dict[tuple, tuple]:
    """(agency id, criterion id) → (sum of levels, number of scores), for those agencies
    (every agency when None). One query."""
    scores = current_scores(cycle_id)
    if agency_ids is not None:
        scores = scores.filter(review__assignment__plan__agency_id__in=agency_ids)
    rows = (
        scores.order_by()
        .values_list("review__assignment__plan__agency_id", "criterion_id")
        .annotate(level_sum=Sum("level"), n=Count("id"))
    )
    return {(agency, criterion): (level_sum, n) for agency, criterion, level_sum, n in rows}


def _write(rows: list[CriterionTally]) -> None:
    CriterionTally.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["cycle", "agency", "criterion"],
        update_fields=["level_sum", "scores"],
        batch_size=1000,
    )


def _rows(cycle_id: int, figures: dict, agency_ids: Iterable[int], criteria: list[int]):
    return [
        CriterionTally(
            cycle_id=cycle_id,
            agency_id=agency,
            criterion_id=criterion,
            level_sum=figures.get((agency, criterion), (0, 0))[0],
            scores=figures.get((agency, criterion), (0, 0))[1],
        )
        for agency in agency_ids
        for criterion in criteria
    ]


def refresh(cycle_id: int, agency_ids: Iterable[int]) -> None:
    """Recompute the rows of these agencies in the cycle: the rubric's criteria, the rows
    created when missing and locked, the sums, the rows written. Five queries."""
    agencies = sorted(set(agency_ids))
    criteria = list(
        Criterion.objects.filter(rubric__cycle_id=cycle_id).values_list("pk", flat=True)
    )
    if not agencies or not criteria:
        return
    with transaction.atomic(savepoint=False):
        CriterionTally.objects.bulk_create(
            _rows(cycle_id, {}, agencies, criteria), ignore_conflicts=True, batch_size=1000
        )
        list(
            CriterionTally.objects.select_for_update()
            .filter(cycle_id=cycle_id, agency_id__in=agencies)
            .order_by("agency_id", "criterion_id")
            .values_list("pk", flat=True)
        )
        _write(_rows(cycle_id, compute(cycle_id, agencies), agencies, criteria))


def plans_moved(sender, plans, from_state, to_state, **kwargs) -> None:
    """`plan_state_changed`: plans entering or leaving the decided states change their
    agencies' rows."""
    if from_state not in PlanState.DECIDED and to_state not in PlanState.DECIDED:
        return
    by_cycle: dict[int, set[int]] = {}
    for plan in plans:
        by_cycle.setdefault(plan.cycle_id, set()).add(plan.agency_id)
    for cycle_id, agencies in sorted(by_cycle.items()):
        refresh(cycle_id, agencies)


def rebuild(cycle: Cycle) -> int:
    """Recompute every row of the cycle; the number of rows with scores."""
    with transaction.atomic():
        figures = compute(cycle.pk)
        CriterionTally.objects.filter(cycle=cycle).delete()
        CriterionTally.objects.bulk_create(
            [
                CriterionTally(
                    cycle=cycle, agency_id=agency, criterion_id=criterion, level_sum=s, scores=n
                )
                for (agency, criterion), (s, n) in figures.items()
            ],
            batch_size=1000,
        )
    return len(figures)


def connect_signals() -> None:
    plan_state_changed.connect(plans_moved, dispatch_uid="reports.criterion_tallies")
