"""Every URL of the pages × every role → the expected answer (STYLE.md, SPEC.md §9).

"login" means a redirect to the login page; 404 is the answer for "not yours" (an object
the user may not see), 403 for a page or an action that is not for the user's role.
The plan under test belongs to agency A and is in review by one assigned reviewer.
"""

import pytest
from django.urls import reverse

from agents.enums import Role
from assessment.services import assign_reviewers
from plans.services import submit_plan
from tests.factories import AgencyFactory, AgentFactory, user_with_role

ROLES = [
    "anonymous",
    "agent_owner",
    "agent_same_agency",
    "agent_other_agency",
    "head_own_agency",
    "head_other_agency",
    "reviewer_assigned",
    "reviewer_unassigned",
    "coordinator",
    "leadership",
]


def row(anonymous="login", **others):
    """Expected answers of one URL; roles not named answer `default` (or 403)."""
    default = others.pop("default", 403)
    answers = {role: others.get(role, default) for role in ROLES}
    answers["anonymous"] = anonymous
    return answers


AGENTS = {"agent_owner": 200, "agent_same_agency": 200, "agent_other_agency": 200}
HEADS = {"head_own_agency": 200, "head_other_agency": 200}
REVIEWERS = {"reviewer_assigned": 200, "reviewer_unassigned": 200}
NOT_YOURS = {
    "agent_other_agency": 404,
    "head_other_agency": 404,
    "reviewer_unassigned": 404,
}

# (URL name, uses the plan's id, method, POST data as pairs) → expected answer per role.
MATRIX = {
    ("home", False, "get", None): row(default=302),
    ("login", False, "get", None): row(anonymous=200, default=200),
    ("logout", False, "post", None): row(anonymous="login", default=302),
    ("password_change", False, "get", None): row(default=200),
    ("password_change_done", False, "get", None): row(default=200),
    ("plans:my_plans", False, "get", None): row(**AGENTS),
    # Every agent is sent on: to the new plan, or (the owner, who already has a plan in
    # the cycle) back to "Rencana saya" with the refusal as a message.
    ("plans:start", False, "post", (("title", "Rencana baru"),)): row(
        agent_owner=302, agent_same_agency=302, agent_other_agency=302
    ),
    ("plans:list", False, "get", None): row(default=200),
    ("plans:detail", True, "get", None): row(
        agent_owner=200,
        agent_same_agency=200,
        head_own_agency=200,
        reviewer_assigned=200,
        coordinator=200,
        leadership=200,
        **NOT_YOURS,
    ),
    # The plan is in review: the owner may try, and is told why not (a message, 302).
    ("plans:submit", True, "post", None): row(agent_owner=302, **NOT_YOURS),
    ("plans:withdraw", True, "post", None): row(agent_owner=302, **NOT_YOURS),
    ("plans:endorse", True, "post", None): row(head_own_agency=302, **NOT_YOURS),
    ("plans:agency_plans", False, "get", None): row(**HEADS),
    ("assessment:queue", False, "get", None): row(**REVIEWERS),
    ("assessment:board", False, "get", None): row(coordinator=200),
    ("reports:dashboard", False, "get", None): row(coordinator=200, leadership=200, **HEADS),
}


@pytest.fixture
def world(cycle, coordinator, leader):
    """People in every role around one plan of agency A that is in review."""
    agency_a, agency_b = AgencyFactory(), AgencyFactory()
    owner = AgentFactory(user__agency=agency_a)
    from tests.factories import PlanFactory, complete_plan_content

    plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner))
    submit_plan(plan, by=owner.user)
    assigned = user_with_role(Role.REVIEWER)
    assign_reviewers(plan, reviewers=[assigned], by=coordinator)
    people = {
        "anonymous": None,
        "agent_owner": owner.user,
        "agent_same_agency": AgentFactory(user__agency=agency_a).user,
        "agent_other_agency": AgentFactory(user__agency=agency_b).user,
        "head_own_agency": user_with_role(Role.AGENCY_HEAD, agency=agency_a),
        "head_other_agency": user_with_role(Role.AGENCY_HEAD, agency=agency_b),
        "reviewer_assigned": assigned,
        "reviewer_unassigned": user_with_role(Role.REVIEWER),
        "coordinator": coordinator,
        "leadership": leader,
    }
    return {"plan": plan, "people": people}


CASES = [
    pytest.param(key, role, expected, id=f"{key[0]}-{role}")
    for key, answers in MATRIX.items()
    for role, expected in answers.items()
]


@pytest.mark.parametrize(("key", "role", "expected"), CASES)
def test_permission_matrix(client, world, key, role, expected):
    name, with_plan, method, data = key
    url = reverse(name, args=[world["plan"].pk] if with_plan else [])
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, dict(data or ()))
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


def test_the_matrix_covers_every_url_of_the_pages():
    from django.urls import get_resolver

    names = set()
    for namespace in ("plans", "assessment", "reports"):
        resolver = get_resolver().namespace_dict[namespace][1]
        names |= {f"{namespace}:{n}" for n in resolver.reverse_dict if isinstance(n, str)}
    names |= {"home", "login", "logout", "password_change", "password_change_done"}
    assert names == {key[0] for key in MATRIX}
