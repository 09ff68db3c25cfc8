"""What the assessment does when plans move (receivers of `plans.signals`), connected by
`AssessmentConfig.ready()`."""

from plans.enums import PlanState
from plans.signals import plan_state_changed

from .services.assignment import resume_review


def revision_resubmitted(sender, *, plans, from_state, to_state, **kwargs) -> None:
    """A revision handed in again re-enters review with the reviewers it had
    (`resume_review`), inside the submit's transaction."""
    if from_state == PlanState.REVISION_REQUESTED and to_state == PlanState.SUBMITTED:
        for plan in plans:
            resume_review(plan)


def connect_signals() -> None:
    plan_state_changed.connect(revision_resubmitted, dispatch_uid="assessment.revision")
