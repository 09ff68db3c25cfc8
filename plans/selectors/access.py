"""Who may see which plan: the scoped queryset and the lookups that answer 404 for both
"missing" and "not yours" (the plan, and its threads, attachments, versions, team)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from agents.enums import Role
from agents.models import Agent, User
from agents.selectors import headed_agency_ids, roles_of

from ..models import ActionPlan, Attachment, CommentThread, PlanVersion

SEES_EVERY_PLAN = {Role.COORDINATOR, Role.LEADERSHIP}


def plans_visible_to(user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The plans whose content a user may see, as one SQL filter: the queryset form of
    the rule `plans.view_actionplan` (docs/domain.md, "Who sees what").

    Coordinators and leaders see every plan; an agent the plans they own or work on as a
    team member; an agency head those of the agencies they head; a reviewer the plans
    assigned to them. A colleague's plan in the same agency is not among them (see
    `plans_listed_for`), and neither the admin flags nor the admin role open any plan.
    """
    qs = ActionPlan.objects.all() if queryset is None else queryset
    ways = _ways_in(user)
    if ways.every_plan:
        return qs
    # Each way in gives a set of plan ids, read on its own index; the plans are those of
    # their union, joined on the plans' key. (Joins on the team and the assignments made
    # the rows repeat, and the DISTINCT over whole plan rows cost more than the rest.)
    sources = []
    if ways.agent is not None:
        sources.append(ActionPlan.objects.filter(owner=ways.agent).values("pk"))
        sources.append(
            ActionPlan.co_agents.through.objects.filter(agent=ways.agent).values("actionplan_id")
        )
    if ways.heads:
        sources.append(ActionPlan.objects.filter(agency_id__in=ways.heads).values("pk"))
    if ways.reviewer:
        assignments = ActionPlan._meta.get_field("assignments").related_model.objects
        sources.append(assignments.filter(reviewer=user, is_active=True).values("plan_id"))
    if not sources:
        return qs.none()
    first, *others = (source.order_by() for source in sources)
    return qs.filter(pk__in=first.union(*others) if others else first)


@dataclass(frozen=True)
class _WaysIn:
    """How a user reaches plans (`plans_visible_to`): every plan, or as an agent (own and
    team plans), as the head of agencies, as a reviewer (assigned plans)."""

    every_plan: bool = False
    agent: Agent | None = None
    heads: frozenset[int] = frozenset()
    reviewer: bool = False


def _ways_in(user: User) -> _WaysIn:
    if not user.is_authenticated:
        return _WaysIn()
    roles = roles_of(user)
    if roles & SEES_EVERY_PLAN:
        return _WaysIn(every_plan=True)
    return _WaysIn(
        agent=getattr(user, "agent_profile", None) if Role.AGENT in roles else None,
        heads=headed_agency_ids(user),
        reviewer=Role.REVIEWER in roles,
    )


def plans_listed_for(user: User) -> QuerySet:
    """The plans the plan list shows the user: those whose content they may see, and the
    other plans of their own agency, of which they see the title and state only.

    Each plan carries `content_visible`: whether the user may open it.
    """
    visible = plans_visible_to(user)
    profile = getattr(user, "agent_profile", None) if user.is_authenticated else None
    if profile is None or not profile.is_active or roles_of(user) & SEES_EVERY_PLAN:
        return visible.annotate(content_visible=Value(True))
    listed = ActionPlan.objects.filter(
        Q(pk__in=visible.values("pk")) | Q(agency_id=profile.agency_id)
    )
    return listed.annotate(content_visible=Exists(plans_visible_to(user).filter(pk=OuterRef("pk"))))


def _plainly_visible(user: User, plan: ActionPlan) -> bool:
    """The ways in (`_ways_in`) that the plan's own row answers without a query: every
    plan, the agent's own plan, a plan of an agency they head. (A team member's or a
    reviewer's way in needs the query.)"""
    ways = _ways_in(user)
    return (
        ways.every_plan
        or (ways.agent is not None and plan.owner_id == ways.agent.pk)
        or plan.agency_id in ways.heads
    )


def get_plan_for(user: User, pk: int) -> ActionPlan:
    """The plan with this id if the user may see it (`plans_visible_to`); 404 for both
    missing and not yours. The plan is read by its key; the union of the ways in is asked
    only when its owner, its agency and the user's roles do not already open it."""
    plan = ActionPlan.objects.select_related("cycle", "agency", "owner__user").filter(pk=pk).first()
    if plan is None or not user.is_authenticated:
        raise Http404("No such plan")
    if not _plainly_visible(user, plan) and not plans_visible_to(user).filter(pk=pk).exists():
        raise Http404("No such plan")
    return plan


def hides_reviewers_from(viewer: User, plan: ActionPlan) -> bool:
    """Whether the plan's reviewers appear as "Reviewer" to the viewer: the rule
    `assessment.view_reviewer_names` (the cycle's anonymity setting and the viewer's role)."""
    return not viewer.has_perm("assessment.view_reviewer_names", plan)


def get_thread_for(user: User, plan: ActionPlan, pk: int) -> CommentThread:
    thread = CommentThread.objects.filter(plan=plan, pk=pk).select_related("plan").first()
    if thread is None:
        raise Http404("No such thread")
    return thread


def get_attachment_for(plan: ActionPlan, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(plan=plan, pk=pk).select_related("plan").first()
    if attachment is None:
        raise Http404("No such attachment")
    return attachment


def get_version_for(plan: ActionPlan, number: int) -> PlanVersion:
    version = PlanVersion.objects.filter(plan=plan, number=number).first()
    if version is None:
        raise Http404("No such version")
    return version


def get_co_agent_for(plan: ActionPlan, pk: int) -> Agent:
    agent = plan.co_agents.filter(pk=pk).select_related("user").first()
    if agent is None:
        raise Http404("No such team member")
    return agent
