"""Reads of plans: scoped querysets and the 404-for-not-yours lookups (STYLE.md rule 3)."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agents.enums import Role
from agents.models import User
from agents.selectors import headed_agency_ids, roles_of

from .enums import CyclePhase
from .models import ActionPlan, Cycle

SEES_EVERY_PLAN = {Role.COORDINATOR, Role.LEADERSHIP, Role.ADMIN}


def plans_visible_to(user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The plans a user may see (SPEC.md §9), as one SQL filter.

    Coordinators, leaders and admins see every plan; an agent sees the plans of their
    own agency; an agency head those of the agencies they head; a reviewer the plans
    assigned to them.
    """
    qs = ActionPlan.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return qs.none()
    roles = roles_of(user)
    if roles & SEES_EVERY_PLAN:
        return qs
    condition = Q(pk__in=[])
    profile = getattr(user, "agent_profile", None) if Role.AGENT in roles else None
    if profile is not None:
        condition |= Q(agency_id=profile.agency_id)
        condition |= Q(co_agents=profile)
    heads = headed_agency_ids(user)
    if heads:
        condition |= Q(agency_id__in=heads)
    if Role.REVIEWER in roles:
        condition |= Q(assignments__reviewer=user, assignments__is_active=True)
    return (
        qs.filter(condition).distinct()
        if Role.REVIEWER in roles or profile
        else qs.filter(condition)
    )


def get_plan_for(user: User, pk: int, *, for_update: bool = False) -> ActionPlan:
    """The plan with this id if the user may see it; 404 for both missing and not yours."""
    qs = plans_visible_to(user).select_related("cycle", "agency", "owner__user")
    plan = qs.filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan")
    return plan


def current_cycle() -> Cycle | None:
    """The cycle people work in now: the newest one not archived that has opened."""
    now = timezone.now()
    return (
        Cycle.objects.filter(is_archived=False, drafting_opens__lte=now)
        .order_by("-drafting_opens")
        .first()
        or Cycle.objects.filter(is_archived=False).order_by("drafting_opens").first()
    )


def cycle_is_open_for_drafting(cycle: Cycle) -> bool:
    return cycle.phase in (CyclePhase.UPCOMING, CyclePhase.DRAFTING)
