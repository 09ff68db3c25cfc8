"""Who publishes and who consents, through the services and the pages; the query counts
of the public pages (cold cache) whatever the number of published plans."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from agents.enums import Role
from gallery import services
from gallery.models import Publication
from plans.enums import PlanState
from plans.services.common import PlanError
from tests.factories import AgentFactory, PlanFactory, UserFactory, user_with_role

from .conftest import approved_plan


@pytest.fixture
def approved(running_cycle, agent):
    return approved_plan(running_cycle, agent=agent)


def test_an_agent_cannot_publish(client, approved, agent):
    services.set_consent(approved, consent=True, by=agent.user)
    with pytest.raises(PlanError) as refused:
        services.publish(approved, by=agent.user)
    assert refused.value.code == "permission_denied"
    client.force_login(agent.user)
    assert client.post(reverse("gallery:publish", args=[approved.pk])).status_code == 403
    assert client.get(reverse("gallery:publishable")).status_code == 403
    assert not Publication.objects.filter(published=True).exists()


def test_a_coordinator_cannot_publish_without_consent(client, approved, coordinator):
    with pytest.raises(PlanError) as refused:
        services.publish(approved, by=coordinator)
    assert refused.value.code == "consent"
    client.force_login(coordinator)
    response = client.post(reverse("gallery:publish", args=[approved.pk]), follow=True)
    assert "belum memberi izin" in response.content.decode()
    assert not Publication.objects.filter(published=True).exists()


def test_a_plan_before_approval_is_not_published(coordinator, cycle):
    plan = PlanFactory(cycle=cycle, state=PlanState.REVIEWED)
    services.set_consent(plan, consent=True, by=plan.owner.user)
    with pytest.raises(PlanError) as refused:
        services.publish(plan, by=coordinator)
    assert refused.value.code == "state"


def test_only_the_team_consents(client, approved, coordinator):
    colleague = AgentFactory(user__agency=approved.agency)
    for person in (colleague.user, coordinator, UserFactory(is_superuser=True)):
        with pytest.raises(PlanError):
            services.set_consent(approved, consent=True, by=person)
    client.force_login(colleague.user)
    assert (
        client.post(reverse("gallery:consent", args=[approved.pk]), {"consent": "1"}).status_code
        == 404
    )
    assert not Publication.objects.filter(consent=True).exists()


def test_consent_and_publish_through_the_pages(client, approved, agent, coordinator):
    client.force_login(agent.user)
    page = client.get(reverse("gallery:consent", args=[approved.pk]))
    assert "tidak diizinkan" in page.content.decode()
    client.post(reverse("gallery:consent", args=[approved.pk]), {"consent": "1"})
    assert Publication.objects.get(pk=approved.pk).consent
    client.force_login(coordinator)
    listed = client.get(reverse("gallery:publishable"), {"status": "ready"}).content.decode()
    assert approved.title in listed
    back = reverse("gallery:publishable") + "?status=ready"
    response = client.post(reverse("gallery:publish", args=[approved.pk]), {"next": back})
    assert response["Location"] == back
    client.logout()
    assert client.get(reverse("gallery:detail", args=[approved.pk])).status_code == 200
    client.force_login(coordinator)
    client.post(reverse("gallery:unpublish", args=[approved.pk]), {"next": "https://evil.example/"})
    client.logout()
    assert client.get(reverse("gallery:detail", args=[approved.pk])).status_code == 404


def test_evidence_of_another_plan_is_refused(client, approved, agent, world):
    client.force_login(agent.user)
    response = client.post(
        reverse("gallery:consent", args=[approved.pk]),
        {"consent": "1", "evidence": [str(world.public_file.pk)]},
        follow=True,
    )
    assert "bukan milik rencana ini" in response.content.decode()
    assert not Publication.objects.get(pk=approved.pk).public_evidence.exists()


def test_an_anonymous_visitor_sees_only_published_plans(client, running_cycle, coordinator):
    shown, consented, refused = (approved_plan(running_cycle) for _ in range(3))
    for plan in (shown, consented):
        services.set_consent(plan, consent=True, by=plan.owner.user)
    services.publish(shown, by=coordinator)
    html = client.get(reverse("gallery:list")).content.decode()
    assert shown.title in html
    assert consented.title not in html and refused.title not in html


def _publish_many(cycle, coordinator, size):
    for _ in range(size):
        plan = approved_plan(cycle)
        services.set_consent(plan, consent=True, by=plan.owner.user)
        services.publish(plan, by=coordinator)


# The list: the page's rows, their count, the agencies, years and areas of the filters.
# The detail: the plan, its targets with their realisation, its evidence, the RB areas.
QUERIES = {"list": 5, "detail": 4}


@pytest.mark.parametrize("size", [1, 6])
def test_public_pages_make_a_fixed_number_of_queries(
    client, running_cycle, coordinator, size, django_assert_num_queries
):
    _publish_many(running_cycle, coordinator, size)
    plan = Publication.objects.filter(published=True).first().plan
    cache.clear()
    with django_assert_num_queries(QUERIES["list"]):
        assert client.get(reverse("gallery:list"), {"q": "Layanan"}).status_code == 200
    with django_assert_num_queries(QUERIES["detail"]):
        assert client.get(reverse("gallery:detail", args=[plan.pk])).status_code == 200
    # Cached: no query at all for an anonymous visitor.
    with django_assert_num_queries(0):
        client.get(reverse("gallery:list"), {"q": "Layanan"})
        client.get(reverse("gallery:detail", args=[plan.pk]))


@pytest.mark.parametrize("size", [1, 6])
def test_the_coordinators_list_makes_a_fixed_number_of_queries(
    client, running_cycle, coordinator, size, django_assert_num_queries
):
    _publish_many(running_cycle, coordinator, size)
    approved_plan(running_cycle)
    client.force_login(coordinator)
    with django_assert_num_queries(QUERIES_PUBLISHABLE):
        response = client.get(reverse("gallery:publishable"))
    assert len(response.context["page"].object_list) == size + 1


# The session, the user and their roles, the count and the rows, the cycles, the sidebar
# and the context strip.
QUERIES_PUBLISHABLE = 6


def test_a_role_without_the_rule_gets_403(client, db):
    for role in (Role.REVIEWER, Role.LEADERSHIP, Role.AGENCY_HEAD):
        client.force_login(user_with_role(role))
        assert client.get(reverse("gallery:publishable")).status_code == 403
