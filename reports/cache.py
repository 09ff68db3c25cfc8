"""The dashboard cache's invalidation: signal receivers that bump a cycle's version in
`agenplan.cycle_cache` (or the global one) whenever something its figures show changes.
Connected by `reports.apps.ReportsConfig.ready()`.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from agencies.models import Agency
from agenplan.cycle_cache import bump_all, bump_cycle, keep_per_request
from agents.models import Agent
from assessment.models import Criterion, Decision, Review, ReviewAssignment
from assessment.signals import participants_imported, reviewers_assigned
from monitoring.signals import realisation_changed
from plans.models import ActionPlan, ChangeArea, CoreValue, Cycle
from plans.signals import plan_state_changed

# --- Invalidation: signal receivers, connected by reports.apps.ReportsConfig.ready() ------
#
# A change to a plan, its alignment, a review, an assignment or a decision bumps its
# cycle's version; a change to agents, agencies or reference lists bumps the global one.
#
# The bump happens twice: at once, so that the process that made the change never reads
# its own old figures, and again when the transaction commits, so that figures another
# request computed from the data before the commit are dropped too. When the cycle of a
# row is not already loaded on the instance, it is looked up only at commit (one small
# query after the work, never inside the service's transaction).

UID = "reports.dashboard_cache"


def _bump_now_and_on_commit(cycle_id) -> None:
    bump_cycle(cycle_id)
    transaction.on_commit(lambda: bump_cycle(cycle_id))


def _cached_related(instance, field: str):
    """The related object if already loaded on the instance, else None (no query)."""
    descriptor = getattr(type(instance), field)
    return getattr(instance, field) if descriptor.field.is_cached(instance) else None


def plan_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """A plan's row saved: its content. A change of state is heard from the domain signal
    (`plans_moved`), which bulk transitions send too."""
    if update_fields is not None and "state" in update_fields:
        return
    _bump_now_and_on_commit(instance.cycle_id)


def plans_moved(sender, plans, **kwargs) -> None:
    """`plan_state_changed`: the plans of one or many transitions changed state."""
    for cycle_id in {plan.cycle_id for plan in plans}:
        _bump_now_and_on_commit(cycle_id)


def assignments_made(sender, cycle_id, **kwargs) -> None:
    """`reviewers_assigned`: automatic assignment wrote a batch of assignments; also
    `realisation_changed`: a report accepted rewrote verified realisations."""
    _bump_now_and_on_commit(cycle_id)


def plan_alignment_changed(sender, instance, action, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, ActionPlan):
        _bump_now_and_on_commit(instance.cycle_id)
    else:  # a change area or value edited from its side: any cycle may show it
        bump_all()


def _plan_cycle_later(plan_id) -> None:
    def bump() -> None:
        cycle_id = ActionPlan.objects.filter(pk=plan_id).values_list("cycle_id", flat=True).first()
        bump_cycle(cycle_id)

    transaction.on_commit(bump)


def _plan_of_assignment_later(assignment_id) -> None:
    def bump() -> None:
        cycle_id = (
            ActionPlan.objects.filter(assignments__pk=assignment_id)
            .values_list("cycle_id", flat=True)
            .first()
        )
        bump_cycle(cycle_id)

    transaction.on_commit(bump)


def _plan_fk_changed(instance) -> None:
    plan = _cached_related(instance, "plan")
    if plan is not None:
        _bump_now_and_on_commit(plan.cycle_id)
    else:
        _plan_cycle_later(instance.plan_id)


def decision_changed(sender, instance, **kwargs) -> None:
    _plan_fk_changed(instance)


def assignment_changed(sender, instance, **kwargs) -> None:
    _plan_fk_changed(instance)


def review_changed(sender, instance, **kwargs) -> None:
    assignment = _cached_related(instance, "assignment")
    plan = _cached_related(assignment, "plan") if assignment is not None else None
    if plan is not None:
        _bump_now_and_on_commit(plan.cycle_id)
    else:
        _plan_of_assignment_later(instance.assignment_id)


def cycle_changed(sender, instance, **kwargs) -> None:
    _bump_now_and_on_commit(instance.pk)


def everything_changed(sender, **kwargs) -> None:
    bump_all()
    transaction.on_commit(bump_all)


def connect_signals() -> None:
    keep_per_request()

    for signal in (post_save, post_delete):
        signal.connect(plan_changed, sender=ActionPlan, dispatch_uid=f"{UID}.plan")
        signal.connect(review_changed, sender=Review, dispatch_uid=f"{UID}.review")
        signal.connect(decision_changed, sender=Decision, dispatch_uid=f"{UID}.decision")
        signal.connect(
            assignment_changed, sender=ReviewAssignment, dispatch_uid=f"{UID}.assignment"
        )
        signal.connect(cycle_changed, sender=Cycle, dispatch_uid=f"{UID}.cycle")
        for model in (Agent, Agency, ChangeArea, CoreValue, Criterion):
            signal.connect(
                everything_changed, sender=model, dispatch_uid=f"{UID}.{model._meta.label}"
            )
    plan_state_changed.connect(plans_moved, dispatch_uid=f"{UID}.plan_state")
    reviewers_assigned.connect(assignments_made, dispatch_uid=f"{UID}.reviewers_assigned")
    realisation_changed.connect(assignments_made, dispatch_uid=f"{UID}.realisation_changed")
    participants_imported.connect(everything_changed, dispatch_uid=f"{UID}.participants_imported")
    for field in (ActionPlan.change_areas, ActionPlan.core_values):
        m2m_changed.connect(
            plan_alignment_changed,
            sender=field.through,
            dispatch_uid=f"{UID}.{field.through._meta.label}",
        )
