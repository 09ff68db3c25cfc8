"""Who may open a plan: `get_plan_for` answers exactly as `plans_visible_to` (the plan, or
404 for "missing" and "not yours" alike), from every chair; the plain ways in (the owner,
the head of the agency, the coordinator and leadership) cost the plan's one read."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from agents.backends import AgencyModelBackend
from agents.enums import Role
from agents.models import RoleGrant
from assessment.models import ReviewAssignment
from plans.selectors import get_plan_for
from plans.selectors.access import plans_visible_to
from tests.factories import AgencyFactory, AgentFactory, PlanFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def _opens(user, plan) -> bool:
    try:
        return get_plan_for(user, plan.pk).pk == plan.pk
    except Http404:
        return False


@pytest.fixture
def chairs():
    agency, other = AgencyFactory(), AgencyFactory()
    owner = AgentFactory(user__agency=agency)
    plan = PlanFactory(owner=owner)
    member = AgentFactory(user__agency=other)
    plan.co_agents.add(member)
    ended = AgentFactory(user__agency=other)
    plan.co_agents.add(ended)
    ended.is_active = False
    ended.save(update_fields=["is_active"])
    inactive = AgentFactory(user__agency=agency, is_active=False)
    coordinator = user_with_role(Role.COORDINATOR)
    reviewer, former = user_with_role(Role.REVIEWER), user_with_role(Role.REVIEWER)
    for who, active in ((reviewer, True), (former, False)):
        ReviewAssignment.objects.create(
            plan=plan,
            reviewer=who,
            assigned_by=coordinator,
            due_date=dt.date(2026, 3, 1),
            is_active=active,
            released_at=None if active else timezone.now(),
        )
    unassigned = user_with_role(Role.REVIEWER)
    head = UserFactory(agency=agency)
    RoleGrant.objects.create(user=head, role=Role.AGENCY_HEAD, agency=agency)
    other_head = UserFactory(agency=other)
    RoleGrant.objects.create(user=other_head, role=Role.AGENCY_HEAD, agency=other)
    users = {
        "owner": owner.user,
        "team member": member.user,
        "colleague": AgentFactory(user__agency=agency).user,
        "inactive agent": inactive.user,
        "team member whose appointment ended": ended.user,
        "head of the agency": head,
        "head of another agency": other_head,
        "assigned reviewer": reviewer,
        "reviewer no longer assigned": former,
        "reviewer of other plans": unassigned,
        "coordinator": coordinator,
        "leadership": user_with_role(Role.LEADERSHIP),
        "admin role": user_with_role(Role.ADMIN),
        "superuser without a role": UserFactory(is_superuser=True, is_staff=True),
    }
    return plan, users


def test_every_chair_opens_the_plan_exactly_as_the_visibility_filter_and_the_rule_say(chairs):
    plan, users = chairs
    opened = {}
    for chair, user in users.items():
        signed_in = AgencyModelBackend().get_user(user.pk)
        opened[chair] = _opens(signed_in, plan)
        assert opened[chair] == plans_visible_to(signed_in).filter(pk=plan.pk).exists(), chair
        assert opened[chair] == signed_in.has_perm("plans.view_actionplan", plan), chair
    assert {chair for chair, yes in opened.items() if yes} == {
        "owner",
        "team member",
        "head of the agency",
        "assigned reviewer",
        "coordinator",
        "leadership",
    }


def test_a_missing_plan_is_404_for_every_chair(chairs):
    plan, users = chairs
    for user in users.values():
        with pytest.raises(Http404):
            get_plan_for(AgencyModelBackend().get_user(user.pk), plan.pk + 1000)


@pytest.mark.parametrize(
    ("chair", "queries"),
    [("owner", 1), ("head of the agency", 1), ("coordinator", 1), ("team member", 2)],
)
def test_the_plain_ways_in_cost_the_plans_one_read(
    chairs, chair, queries, django_assert_num_queries
):
    plan, users = chairs
    signed_in = AgencyModelBackend().get_user(users[chair].pk)
    with django_assert_num_queries(queries):
        assert get_plan_for(signed_in, plan.pk) == plan
