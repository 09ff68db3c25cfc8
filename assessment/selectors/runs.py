"""The background automatic assignments of a cycle (AssignmentRun): what the assignments
page shows and polls."""

from plans.models import Cycle

from ..models import AssignmentRun


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
