"""The background runs of a cycle (AssignmentRun, DecisionRun): what the assignments page
and the decision board show and poll."""

from plans.models import Cycle

from ..models import AssignmentRun, DecisionRun


def latest_assignment_run(cycle: Cycle | None) -> AssignmentRun | None:
    """The cycle's most recent run, or None. One query."""
    if cycle is None:
        return None
    return (
        AssignmentRun.objects.filter(cycle=cycle)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")
        .first()
    )


def latest_decision_run(cycle: Cycle | None) -> DecisionRun | None:
    """The cycle's most recent bulk decision, or None. One query."""
    if cycle is None:
        return None
    return (
        DecisionRun.objects.filter(cycle=cycle)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")
        .first()
    )
