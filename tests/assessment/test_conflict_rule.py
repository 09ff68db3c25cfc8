"""The conflict-of-interest rule is applied in three shapes: for one reviewer and one plan
with its reason (the coordinator assigning by hand, `conflict_reason`), for many plans and
reviewers at once (the automatic assignment and the labels of the reviewer choices,
`excluded_pairs`), and as a filter in the database (the reviewer choices themselves: the
plan's agency and `declared_conflicts`). From every reviewer's chair the three agree."""

import pytest
from django.db.models import Q

from agents.enums import Role
from agents.models import User
from assessment.models import ConflictOfInterest
from assessment.selectors.conflicts import declared_conflicts, excluded_pairs
from assessment.services import conflict_reason
from tests.factories import AgencyFactory, AgentFactory, PlanFactory, user_with_role

pytestmark = pytest.mark.django_db


def _reviewer(agency=None):
    reviewer = user_with_role(Role.REVIEWER)
    reviewer.agency = agency
    reviewer.save(update_fields=["agency"])
    return reviewer


@pytest.fixture
def chairs():
    home, team_home, elsewhere = AgencyFactory(), AgencyFactory(), AgencyFactory()
    owner = AgentFactory(user__agency=home)
    co_agent = AgentFactory(user__agency=team_home)
    plan = PlanFactory(owner=owner)
    plan.co_agents.add(co_agent)
    bystander = AgentFactory(user__agency=home)
    reviewers = {
        "of the plan's agency": _reviewer(home),
        "declared the plan's agency": _reviewer(elsewhere),
        "declared the owner": _reviewer(elsewhere),
        "declared a team member": _reviewer(elsewhere),
        "declared another agency": _reviewer(elsewhere),
        "declared another agent of the plan's agency": _reviewer(elsewhere),
        "of the team member's agency": _reviewer(team_home),
        "without an agency": _reviewer(None),
        "free": _reviewer(elsewhere),
    }
    declared = {
        "declared the plan's agency": {"agency": home},
        "declared the owner": {"agent": owner},
        "declared a team member": {"agent": co_agent},
        "declared another agency": {"agency": team_home},
        "declared another agent of the plan's agency": {"agent": bystander},
    }
    for chair, party in declared.items():
        ConflictOfInterest.objects.create(reviewer=reviewers[chair], **party)
    return plan, reviewers


def test_the_three_shapes_of_the_conflict_rule_agree_from_every_chair(chairs):
    plan, reviewers = chairs
    pairs = excluded_pairs([plan], list(reviewers.values()))
    in_the_database = set(
        User.objects.filter(pk__in=[r.pk for r in reviewers.values()])
        .filter(Q(agency_id=plan.agency_id) | Q(pk__in=declared_conflicts(plan)))
        .values_list("pk", flat=True)
    )
    barred = set()
    for chair, reviewer in reviewers.items():
        by_reason = conflict_reason(reviewer, plan) is not None
        assert by_reason == ((plan.pk, reviewer.pk) in pairs), chair
        assert by_reason == (reviewer.pk in in_the_database), chair
        if by_reason:
            barred.add(chair)
    assert barred == {
        "of the plan's agency",
        "declared the plan's agency",
        "declared the owner",
        "declared a team member",
    }


def test_the_reason_names_the_agency_before_a_declaration(chairs):
    plan, reviewers = chairs
    ConflictOfInterest.objects.create(reviewer=reviewers["of the plan's agency"], agent=plan.owner)
    assert conflict_reason(reviewers["of the plan's agency"], plan) == (
        "reviewer berasal dari perangkat daerah yang sama"
    )
    assert conflict_reason(reviewers["declared the owner"], plan) == (
        "reviewer menyatakan konflik kepentingan"
    )
