"""Who may do what to a plan: django-rules predicates, wired in ActionPlan.Meta.

These predicates read only the user's roles and the plan's own relations; the
workflow (state, phase, deadlines) is checked by the services.
"""

import rules

from agents.enums import Role
from agents.selectors import headed_agency_ids, roles_of


def _has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user) -> bool:
        return role in roles_of(user)

    return predicate


is_agent = _has_role(Role.AGENT)
is_coordinator = _has_role(Role.COORDINATOR)
is_leadership = _has_role(Role.LEADERSHIP)
is_reviewer = _has_role(Role.REVIEWER)
is_agency_head = _has_role(Role.AGENCY_HEAD)
is_admin = _has_role(Role.ADMIN)


@rules.predicate
def is_plan_member(user, plan) -> bool:
    """The plan's owner or one of its co-agents."""
    if plan is None or not user.is_authenticated:
        return False
    profile = getattr(user, "agent_profile", None)
    if profile is None or not profile.is_active:
        return False
    if plan.owner_id == profile.pk:
        return True
    return plan.co_agents.filter(pk=profile.pk).exists()


@rules.predicate
def is_agent_of_plan_agency(user, plan) -> bool:
    """An agent sees the plans of their own agency (docs/domain.md, "Who sees what")."""
    if plan is None or not user.is_authenticated:
        return False
    profile = getattr(user, "agent_profile", None)
    return bool(profile and profile.is_active and profile.agency_id == plan.agency_id)


@rules.predicate
def is_head_of_plan_agency(user, plan) -> bool:
    return plan is not None and plan.agency_id in headed_agency_ids(user)


@rules.predicate
def is_assigned_reviewer(user, plan) -> bool:
    """A reviewer with an active assignment to the plan (assessment.ReviewAssignment)."""
    if plan is None or not user.is_authenticated:
        return False
    return plan.assignments.filter(reviewer_id=user.pk, is_active=True).exists()


can_view_plan = (
    is_plan_member
    | is_agent_of_plan_agency
    | is_head_of_plan_agency
    | is_assigned_reviewer
    | is_coordinator
    | is_leadership
    | is_admin
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
    # The review packet holds every reviewer's levels and comments: not for colleagues of
    # the agent, and not for reviewers, who must not read each other's scores.
    "view_review_packet": (
        is_plan_member | is_head_of_plan_agency | is_coordinator | is_leadership | is_admin
    ),
    "delete": rules.always_deny,
}

CYCLE_PERMISSIONS = {
    "view": rules.is_authenticated,
    "add": is_coordinator,
    "change": is_coordinator,
    "delete": rules.always_deny,
}

# Views that are not about one object.
rules.add_perm("plans.view_cycle_board", is_coordinator | is_admin)
rules.add_perm("plans.view_my_plans", is_agent)
rules.add_perm("plans.view_agency_plans", is_agency_head)
rules.add_perm("plans.view_dashboard", is_leadership | is_coordinator | is_agency_head | is_admin)
