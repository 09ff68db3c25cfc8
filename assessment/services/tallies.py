"""Keeping each reviewer's figures per cycle (`ReviewerTally`) current.

A reviewer's row depends on their active assignments in the cycle, the submitted reviews
on them, the other reviews of the same plan versions (the co-reviewers' mean) and which
version of each plan is the latest (a review is "sent" for the latest version only). So a
change to an assignment, a review or a plan's versions recomputes the rows of every
reviewer of that plan, inside the transaction that made the change
(`assessment.receivers`): the rows are locked first, so two changes to the same
reviewer's rows follow each other, and the second computes from what the first wrote.
Automatic assignment creates many assignments without reviews at once: it adds them to
the counts (`add_assignments`). `rebuild_tallies` recomputes whole cycles.

Two grouped queries compute a set of reviewers of one cycle: the load (LOAD_SQL) and the
calibration (CALIBRATION_SQL), each reached from the reviewer's or the cycle's index.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Value, When

from plans.models import ActionPlan, Cycle, PlanVersion

from ..enums import ReviewState
from ..models import Review, ReviewAssignment, ReviewerTally

# Per reviewer: active assignments in the cycle, and how many of them have the reviewer's
# review of the plan's latest version sent. The sent reviews are a left join with an
# anti-join for "a newer version exists" (as an EXISTS inside the count, PostgreSQL would
# run it once per assignment).
LOAD_SQL = """
SELECT a.reviewer_id, COUNT(*), COUNT(r.id)
FROM {assignment} a
JOIN {plan} p ON p.id = a.plan_id
LEFT JOIN (
    SELECT r.id, r.assignment_id
    FROM {review} r
    JOIN {version} v ON v.id = r.version_id
    WHERE r.state = %s
    AND NOT EXISTS (
        SELECT 1 FROM {version} n WHERE n.plan_id = v.plan_id AND n.number > v.number
    )
) r ON r.assignment_id = a.id
WHERE a.is_active AND p.cycle_id = %s {reviewers}
GROUP BY a.reviewer_id
"""

# Per reviewer: submitted reviews on active assignments in the cycle, the sum and the sum
# of squares of their totals, and on the versions that others reviewed too: how many,
# the sum of the reviewer's totals and the sum of the co-reviewers' means.
CALIBRATION_SQL = """
WITH mine AS (
    SELECT a.reviewer_id, r.total, r.version_id
    FROM {review} r
    JOIN {assignment} a ON a.id = r.assignment_id
    JOIN {plan} p ON p.id = a.plan_id
    WHERE r.state = %s AND a.is_active AND p.cycle_id = %s {reviewers}
), per_version AS (
    SELECT r.version_id, SUM(r.total) AS total_sum, COUNT(*) AS n
    FROM {review} r
    JOIN {assignment} a ON a.id = r.assignment_id
    WHERE r.state = %s AND a.is_active AND r.version_id IN (SELECT version_id FROM mine)
    GROUP BY r.version_id
)
SELECT m.reviewer_id, COUNT(*), SUM(m.total), SUM(m.total * m.total),
    SUM(CASE WHEN s.n > 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN s.n > 1 THEN m.total END),
    SUM(CASE WHEN s.n > 1 THEN (s.total_sum - m.total) / (s.n - 1) END)
FROM mine m JOIN per_version s ON s.version_id = m.version_id
GROUP BY m.reviewer_id
"""

FIGURES = ("active", "sent", "reviews", "mean", "spread", "co_mean", "difference")
TWO = Decimal("0.01")


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "assignment": quote(ReviewAssignment._meta.db_table),
        "plan": quote(ActionPlan._meta.db_table),
        "review": quote(Review._meta.db_table),
        "version": quote(PlanVersion._meta.db_table),
    }


def _rows(sql: str, params: list, reviewer_ids: list[int] | None) -> list[tuple]:
    reviewers = ""
    if reviewer_ids is not None:
        reviewers = f"AND a.reviewer_id IN ({', '.join(['%s'] * len(reviewer_ids))})"
        params = [*params[:2], *reviewer_ids, *params[2:]]
    with connection.cursor() as cursor:
        cursor.execute(sql.format(reviewers=reviewers, **_tables()), params)
        return cursor.fetchall()


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _calibration(count, total, squares, shared, own, co) -> dict:
    """Mean and population spread of the totals; on the shared versions, the co-reviewers'
    mean and the reviewer's mean minus it (negative: harsher)."""
    total, squares = _decimal(total), _decimal(squares)
    mean = total / count
    variance = max(squares / count - mean * mean, Decimal(0))
    figures = {
        "reviews": count,
        "mean": mean.quantize(TWO),
        "spread": variance.sqrt().quantize(TWO),
        "co_mean": None,
        "difference": None,
    }
    if shared:
        co_mean = _decimal(co) / shared
        figures["co_mean"] = co_mean.quantize(TWO)
        figures["difference"] = (_decimal(own) / shared - co_mean).quantize(TWO)
    return figures


def compute(cycle_id: int, reviewer_ids: list[int] | None = None) -> dict[int, dict]:
    """The figures of those reviewers of the cycle (of all who have assignments in it when
    None), by reviewer id; a reviewer without any has no entry. Two queries."""
    submitted = ReviewState.SUBMITTED.value
    figures: dict[int, dict] = {}
    for reviewer_id, active, sent in _rows(LOAD_SQL, [submitted, cycle_id], reviewer_ids):
        figures[reviewer_id] = {"active": active, "sent": sent}
    calibration = _rows(CALIBRATION_SQL, [submitted, cycle_id, submitted], reviewer_ids)
    for reviewer_id, *sums in calibration:
        figures.setdefault(reviewer_id, {"active": 0, "sent": 0}).update(_calibration(*sums))
    return figures


def _blank() -> dict:
    return {name: 0 if name in ("active", "sent", "reviews") else None for name in FIGURES}


def refresh(cycle_id: int, reviewer_ids: Iterable[int]) -> None:
    """Recompute the rows of these reviewers in the cycle: lock them (created when
    missing), then compute and write. Five queries."""
    ids = sorted(set(reviewer_ids))
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        ReviewerTally.objects.bulk_create(
            [ReviewerTally(cycle_id=cycle_id, reviewer_id=pk) for pk in ids], ignore_conflicts=True
        )
        rows = list(
            ReviewerTally.objects.select_for_update()
            .filter(cycle_id=cycle_id, reviewer_id__in=ids)
            .order_by("reviewer_id")
        )
        figures = compute(cycle_id, ids)
        for row in rows:
            for name, value in {**_blank(), **figures.get(row.reviewer_id, {})}.items():
                setattr(row, name, value)
        ReviewerTally.objects.bulk_update(rows, FIGURES)


def refresh_plans(plan_ids: Iterable[int], *, also: Iterable[int] = ()) -> None:
    """Recompute the rows of every reviewer (active or released) of these plans, and of
    the reviewers `also` (an assignment just deleted), in the plans' cycles. One query,
    then `refresh` per cycle."""
    _refresh(ActionPlan.objects.filter(pk__in=list(plan_ids)), also)


def refresh_plan_of(assignment_id: int) -> None:
    """`refresh_plans` for the plan of this assignment."""
    # A subquery: filtering on `assignments__pk` would narrow the reviewers to that one.
    plan = ReviewAssignment.objects.filter(pk=assignment_id).values("plan_id")
    _refresh(ActionPlan.objects.filter(pk__in=plan))


def _refresh(plans, also: Iterable[int] = ()) -> None:
    by_cycle: dict[int, set[int]] = {}
    for cycle_id, reviewer_id in plans.values_list("cycle_id", "assignments__reviewer_id"):
        by_cycle.setdefault(cycle_id, set(also)).add(reviewer_id)
    for cycle_id, reviewers in sorted(by_cycle.items()):
        refresh(cycle_id, reviewers - {None})


def add_assignments(cycle_id: int, assignments: Iterable[ReviewAssignment]) -> None:
    """New active assignments without reviews (automatic assignment's bulk insert): each
    reviewer's active count grows by their number; nothing else changes. Two queries."""
    added: dict[int, int] = {}
    for assignment in assignments:
        added[assignment.reviewer_id] = added.get(assignment.reviewer_id, 0) + 1
    if not added:
        return
    ReviewerTally.objects.bulk_create(
        [ReviewerTally(cycle_id=cycle_id, reviewer_id=pk) for pk in sorted(added)],
        ignore_conflicts=True,
    )
    ReviewerTally.objects.filter(cycle_id=cycle_id, reviewer_id__in=sorted(added)).update(
        active=F("active")
        + Case(
            *(When(reviewer_id=pk, then=Value(n)) for pk, n in added.items()),
            output_field=IntegerField(),
        )
    )


def rebuild(cycle: Cycle) -> int:
    """Recompute every row of the cycle from its assignments and reviews; the number of
    reviewers with figures."""
    with transaction.atomic():
        figures = compute(cycle.pk)
        ReviewerTally.objects.filter(cycle=cycle).delete()
        ReviewerTally.objects.bulk_create(
            [
                ReviewerTally(cycle=cycle, reviewer_id=reviewer_id, **{**_blank(), **values})
                for reviewer_id, values in figures.items()
            ],
            batch_size=1000,
        )
    return len(figures)
