"""Who may not review which plan: the reviewer's own agency, or a declared conflict."""

from collections.abc import Sequence

from django.db.models import Q, QuerySet

from agents.models import User
from plans.models import ActionPlan

from ..models import ConflictOfInterest


def excluded_pairs(plans: Sequence[ActionPlan], reviewers: Sequence[User]) -> set[tuple[int, int]]:
    """(plan id, reviewer id) pairs that conflict: own agency or a declared conflict.
    Two queries whatever the numbers."""
    reviewer_ids = [r.pk for r in reviewers]
    members: dict[int, set[int]] = {p.pk: {p.owner_id} for p in plans}
    through = ActionPlan.co_agents.through.objects.filter(actionplan_id__in=list(members))
    for plan_id, agent_id in through.values_list("actionplan_id", "agent_id"):
        members[plan_id].add(agent_id)
    by_agency: dict[int, set[int]] = {}
    by_agent: dict[int, set[int]] = {}
    for reviewer_id, agency_id, agent_id in ConflictOfInterest.objects.filter(
        reviewer_id__in=reviewer_ids
    ).values_list("reviewer_id", "agency_id", "agent_id"):
        if agency_id:
            by_agency.setdefault(agency_id, set()).add(reviewer_id)
        else:
            by_agent.setdefault(agent_id, set()).add(reviewer_id)
    # A reviewer's own agency is a conflict too: indexed once, not scanned for every plan.
    for reviewer in reviewers:
        if reviewer.agency_id:
            by_agency.setdefault(reviewer.agency_id, set()).add(reviewer.pk)
    pairs = set()
    for plan in plans:
        blocked = set(by_agency.get(plan.agency_id, ()))
        for agent_id in members[plan.pk]:
            blocked |= by_agent.get(agent_id, set())
        pairs |= {(plan.pk, reviewer_id) for reviewer_id in blocked}
    return pairs


def declared_conflicts(plan: ActionPlan) -> QuerySet:
    """The ids (`reviewer_id`) of reviewers who declared a conflict with the plan's agency
    or with one of its agents: a subquery, for excluding them in the database."""
    members = ActionPlan.co_agents.through.objects.filter(actionplan_id=plan.pk).values("agent_id")
    return ConflictOfInterest.objects.filter(
        Q(agency_id=plan.agency_id) | Q(agent_id=plan.owner_id) | Q(agent_id__in=members)
    ).values("reviewer_id")
