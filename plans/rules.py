"""Who may do what to a plan: django-rules predicates, wired in ActionPlan.Meta.

These predicates read only the user's roles and the plan's own relations; the
workflow (state, phase, deadlines) is checked by the services.
"""

import rules

from agents.rules import (
    is_admin,
    is_agency_head,
    is_agent,
    is_coordinator,
    is_leadership,
    is_reviewer,
)
from agents.selectors import headed_agency_ids

__all__ = [
    "is_admin",
    "is_agency_head",
    "is_agent",
    "is_coordinator",
    "is_leadership",
    "is_reviewer",
]


def _active_profile(user, plan):
    """The user's active agent appointment, when there is a plan to compare it with."""
    if plan is None or not user.is_authenticated:
        return None
    profile = getattr(user, "agent_profile", None)
    return profile if profile is not None and profile.is_active else None


@rules.predicate
def is_plan_member(user, plan) -> bool:
    """The plan's owner or one of its co-agents."""
    profile = _active_profile(user, plan)
    if profile is None:
        return False
    if plan.owner_id == profile.pk:
        return True
    prefetched = getattr(plan, "_prefetched_objects_cache", {}).get("co_agents")
    if prefetched is not None:
        return any(agent.pk == profile.pk for agent in prefetched)
    return plan.co_agents.filter(pk=profile.pk).exists()


@rules.predicate
def is_plan_owner(user, plan) -> bool:
    """The plan's owner (its main author): they alone choose the plan's team."""
    profile = _active_profile(user, plan)
    return profile is not None and plan.owner_id == profile.pk


@rules.predicate
def is_co_agent(user, plan) -> bool:
    """A member of the plan's team other than its owner."""
    return is_plan_member.test(user, plan) and not is_plan_owner.test(user, plan)


@rules.predicate
def is_agent_of_plan_agency(user, plan) -> bool:
    """An agent of the plan's agency: of a colleague's plan they see the title and state in
    the plan list, nothing of its content."""
    profile = _active_profile(user, plan)
    return profile is not None and profile.agency_id == plan.agency_id


@rules.predicate
def is_head_of_plan_agency(user, plan) -> bool:
    return plan is not None and plan.agency_id in headed_agency_ids(user)


@rules.predicate
def is_assigned_reviewer(user, plan) -> bool:
    """A reviewer with an active assignment to the plan (assessment.ReviewAssignment)."""
    if plan is None or not is_reviewer.test(user):
        return False
    if plan.pk in getattr(user, "_agenplan_assigned", ()):
        return True
    return plan.assignments.filter(reviewer_id=user.pk, is_active=True).exists()


def remember_assigned(user, plan_id: int) -> None:
    """Record on the request's user object that it holds an active assignment to the plan,
    as a page that has just read that assignment knows: the rules then need not ask."""
    user._agenplan_assigned = getattr(user, "_agenplan_assigned", frozenset()) | {plan_id}


# The plan's content: its team, the head of its agency, its reviewers, the Biro Organisasi
# and leadership. A colleague in the same agency sees only its title and state in the list
# (`plans.selectors.plans_listed_for`); neither the admin flags nor the admin role open it.
can_view_plan = (
    is_plan_member | is_head_of_plan_agency | is_assigned_reviewer | is_coordinator | is_leadership
)

PLAN_PERMISSIONS = {
    "view": can_view_plan,
    "add": is_agent,
    "change": is_plan_member,
    "submit": is_plan_member,
    "withdraw": is_plan_member,
    "endorse": is_head_of_plan_agency,
    "assign": is_coordinator,
    "review": is_assigned_reviewer,
    "decide": is_coordinator,
    "extend": is_coordinator,
    "implement": is_plan_member | is_coordinator,
    "complete": is_plan_member | is_coordinator,
    "comment": is_plan_member | is_assigned_reviewer | is_coordinator,
    # Inviting and removing co-agents is the owner's; a co-agent may leave the team.
    "change_team": is_plan_owner,
    "leave_team": is_co_agent,
    "delete": rules.always_deny,
}

CYCLE_PERMISSIONS = {
    "view": rules.is_authenticated,
    "add": is_coordinator,
    "change": is_coordinator,
    "delete": rules.always_deny,
}

# Views that are not about one object.
rules.add_perm("plans.view_cycle_board", is_coordinator)
# Similar plans of other agencies (title, agency, cycle, state and outcome of plans handed
# in): the plan's team while it writes, and the Biro Organisasi, who links plans as a
# shared innovation (kolaborasi) or a replication.
rules.add_perm("plans.view_similar", is_plan_member | is_coordinator)
rules.add_perm("plans.search_similar", is_coordinator)
rules.add_perm("plans.link_plans", is_coordinator)
# The alignment map of a cycle (plans per RB area × BerAKHLAK value, per agency × area):
# the Biro Organisasi's board and the leadership's dashboard.
rules.add_perm("plans.view_alignment_map", is_coordinator | is_leadership)
# The wording of the cycle's messages (plans.message_templates).
rules.add_perm("plans.edit_message_templates", is_coordinator)
rules.add_perm("plans.view_my_plans", is_agent)
rules.add_perm("plans.view_agency_plans", is_agency_head)
rules.add_perm("plans.view_plan_list", rules.is_authenticated)
rules.add_perm("plans.view_dashboard", is_leadership | is_coordinator | is_agency_head)
