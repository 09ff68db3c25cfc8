"""Who may ask for which report: django-rules predicates.

A report shows what its requester could read on the pages, no more: a plan's document
whoever sees the plan; the review packet (every reviewer's levels, comments and totals)
and the reports about a whole cycle (its scores among them) those who see every plan's
scores, the Biro Organisasi and leadership (`assessment.rules.sees_every_score`); an
agent's portfolio those who see it on its page (`reports.view_portfolio`). The same rules
answer again when the file is downloaded or the job retried.
"""

import rules

from agents.models import Agent
from agents.rules import is_coordinator, is_leadership
from agents.selectors import headed_agency_ids
from assessment.rules import sees_every_score
from plans.rules import can_view_plan
from plans.selectors import plans_visible_to

from .enums import ReportKind
from .models import AGENT_KINDS, CYCLE_KINDS, PLAN_KINDS

# The dashboard of the whole province (every agency's figures).
rules.add_perm("reports.view_province", is_coordinator | is_leadership)
rules.add_perm("reports.request_cycle_report", sees_every_score)
rules.add_perm("reports.request_plan_document", can_view_plan)
rules.add_perm("reports.request_review_packet", sees_every_score)


@rules.predicate
def is_the_agent(user, agent) -> bool:
    """The agent themselves (their own portfolio)."""
    return agent is not None and user.is_authenticated and agent.user_id == user.pk


@rules.predicate
def heads_agent_agency(user, agent) -> bool:
    """The head (kepala perangkat daerah, their atasan) of the agent's agency."""
    return agent is not None and agent.agency_id in headed_agency_ids(user)


# An agent's portfolio (their plans across cycles): the agent, the head of their agency,
# the Biro Organisasi and leadership. Colleagues, other agencies' agents and heads, and
# reviewers are answered 404, as for an agent that does not exist. Each plan on it shows
# only what the viewer may see of that plan (`plans.view_actionplan`,
# `assessment.view_scores`).
rules.add_perm(
    "reports.view_portfolio", is_the_agent | heads_agent_agency | is_coordinator | is_leadership
)

# The rule a plan report of each kind answers to, with the plan as its object.
PLAN_REPORT_RULES = {
    ReportKind.PLAN_DOCUMENT: "reports.request_plan_document",
    ReportKind.REVIEW_PACKET: "reports.request_review_packet",
}


def may_see_subject(user, kind: str, params: dict) -> bool:
    """Whether the user may (still) see what a report of this kind and parameters shows."""
    if not user.is_authenticated:
        return False
    if kind in CYCLE_KINDS:
        return user.has_perm("reports.request_cycle_report")
    if kind in PLAN_KINDS:
        plan = plans_visible_to(user).filter(pk=params.get("plan_id")).first()
        return plan is not None and user.has_perm(PLAN_REPORT_RULES[kind], plan)
    if kind in AGENT_KINDS:
        agent = Agent.objects.filter(pk=params.get("agent_id")).first()
        return agent is not None and user.has_perm("reports.view_portfolio", agent)
    return False
