"""What the assessment does when plans move (receivers of `plans.signals`) and how each
reviewer's figures per cycle follow the rows they count, connected by
`AssessmentConfig.ready()`."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from plans.enums import PlanState
from plans.models import ActionPlan, Cycle, PlanVersion
from plans.signals import plan_state_changed

from .enums import ReviewState
from .models import Review, ReviewAssignment
from .services import tallies
from .services.assignment import resume_review
from .signals import reviewers_assigned

UID = "assessment.tallies"


def revision_resubmitted(sender, *, plans, from_state, to_state, **kwargs) -> None:
    """A revision handed in again re-enters review with the reviewers it had
    (`resume_review`), inside the submit's transaction."""
    if from_state == PlanState.REVISION_REQUESTED and to_state == PlanState.SUBMITTED:
        for plan in plans:
            resume_review(plan)


def _plan_changed(plan_id: int, *, origin=None, also=()) -> None:
    """Recompute the figures of the plan's reviewers now; when a plan or a cycle is being
    deleted (the assignments and reviews go with it), after the commit, if the cycle is
    still there."""
    if isinstance(origin, ActionPlan | Cycle):
        if isinstance(origin, ActionPlan):
            transaction.on_commit(lambda: _after_plan_deleted(origin.cycle_id, plan_id))
        return
    tallies.refresh_plans([plan_id], also=also)


def _after_plan_deleted(cycle_id: int, plan_id: int) -> None:
    if Cycle.objects.filter(pk=cycle_id).exists():
        tallies.rebuild(Cycle.objects.get(pk=cycle_id))


def assignment_saved(sender, instance, **kwargs) -> None:
    tallies.refresh_plans([instance.plan_id])


def assignment_deleted(sender, instance, origin=None, **kwargs) -> None:
    _plan_changed(instance.plan_id, origin=origin, also=[instance.reviewer_id])


def review_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A draft's content does not count; a review sent, reopened or removed does."""
    if update_fields is not None and "state" not in update_fields:
        if instance.state != ReviewState.SUBMITTED:
            return
    tallies.refresh_plan_of(instance.assignment_id)


def review_deleted(sender, instance, origin=None, **kwargs) -> None:
    if isinstance(origin, ActionPlan | Cycle):
        return
    tallies.refresh_plan_of(instance.assignment_id)


def version_created(sender, instance, created=False, **kwargs) -> None:
    """A new version of a plan: its reviewers' earlier reviews are no longer sent for
    the latest version."""
    if created:
        tallies.refresh_plans([instance.plan_id])


def assignments_made(sender, cycle_id, assignments, **kwargs) -> None:
    """`reviewers_assigned`: automatic assignment's batch of new assignments."""
    tallies.add_assignments(cycle_id, assignments)


def connect_signals() -> None:
    plan_state_changed.connect(revision_resubmitted, dispatch_uid="assessment.revision")
    post_save.connect(assignment_saved, sender=ReviewAssignment, dispatch_uid=f"{UID}.assignment")
    post_delete.connect(
        assignment_deleted, sender=ReviewAssignment, dispatch_uid=f"{UID}.assignment_deleted"
    )
    post_save.connect(review_saved, sender=Review, dispatch_uid=f"{UID}.review")
    post_delete.connect(review_deleted, sender=Review, dispatch_uid=f"{UID}.review_deleted")
    post_save.connect(version_created, sender=PlanVersion, dispatch_uid=f"{UID}.version")
    reviewers_assigned.connect(assignments_made, dispatch_uid=f"{UID}.reviewers_assigned")
