"""The public gallery shows what its team agreed to and nothing else, to anyone."""

from decimal import Decimal

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.urls import reverse

from agents.models import ActivityLog
from gallery import services
from gallery.models import Publication
from monitoring.selectors import plan_progress
from plans.enums import PlanState
from plans.models import ActionPlan
from reports.selectors.realisation import cycle_realisation
from tests.factories import PlanFactory

from .conftest import PDF, PUBLIC_TEXT


def _download(client, url):
    """The file's bytes; closing the response must not close the test's connection."""
    response = client.get(url)
    if not response.streaming:
        return response.status_code, b""
    body = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response.status_code, body


def _public_pages(world) -> list[str]:
    plan = world.plan
    return [
        reverse("gallery:list"),
        reverse("gallery:list") + "?q=perizinan",
        reverse("gallery:list") + "?q=daring",
        reverse("gallery:list") + f"?opd={plan.agency_id}",
        reverse("gallery:list") + f"?tahun={plan.cycle.year}&area=TL",
        reverse("gallery:detail", args=[plan.pk]),
    ]


def test_no_public_page_shows_a_secret(client, world):
    for url in _public_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert world.plan.title in html, url
        found = [secret for secret in world.secrets if secret in html]
        assert found == [], url
    detail = client.get(reverse("gallery:detail", args=[world.plan.pk])).content.decode()
    for value in PUBLIC_TEXT.values():
        assert value in detail
    assert "Rekap" in detail and "https://kaltimprov.go.id/berita" in detail
    status, body = _download(
        client, reverse("gallery:evidence", args=[world.plan.pk, world.public_file.pk])
    )
    assert (status, body) == (200, PDF)


def test_evidence_not_marked_public_is_404(client, world):
    for evidence in (world.private_file, world.private_link, world.public_link):
        url = reverse("gallery:evidence", args=[world.plan.pk, evidence.pk])
        assert client.get(url).status_code == 404
    # A public file of one plan through another plan's address: 404.
    other = PlanFactory(state=PlanState.APPROVED)
    url = reverse("gallery:evidence", args=[other.pk, world.public_file.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("how", ["unpublished", "no_consent", "not_approved", "missing"])
def test_a_plan_not_shown_is_404_everywhere(client, world, how):
    plan = world.plan
    if how == "unpublished":
        services.unpublish(plan, by=world.coordinator)
    elif how == "no_consent":
        services.set_consent(plan, consent=False, by=world.agent.user)
    elif how == "not_approved":
        ActionPlan.objects.filter(pk=plan.pk).update(state=PlanState.REVISION_REQUESTED)
        Publication.objects.filter(pk=plan.pk).update(published=True)
    pk = plan.pk if how != "missing" else plan.pk + 1000
    assert client.get(reverse("gallery:detail", args=[pk])).status_code == 404
    url = reverse("gallery:evidence", args=[pk, world.public_file.pk])
    assert client.get(url).status_code == 404
    if how != "missing":
        assert plan.title not in client.get(reverse("gallery:list")).content.decode()


def test_withdrawing_consent_unpublishes_and_is_audited(client, world):
    url = reverse("gallery:detail", args=[world.plan.pk])
    assert client.get(url).status_code == 200  # cached now
    services.set_consent(world.plan, consent=False, by=world.agent.user)
    assert client.get(url).status_code == 404
    publication = Publication.objects.get(pk=world.plan.pk)
    assert (publication.consent, publication.published) == (False, False)
    actions = list(
        ActivityLog.objects.filter(object_id=world.plan.pk, action__startswith="gallery.")
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [
        ("gallery.consent_given", world.agent.user.pk),
        ("gallery.evidence_public", world.agent.user.pk),
        ("gallery.published", world.coordinator.pk),
        ("gallery.unpublished", world.agent.user.pk),
        ("gallery.consent_withdrawn", world.agent.user.pk),
    ]
    # Consent again: not shown until the coordinator publishes again.
    services.set_consent(world.plan, consent=True, by=world.agent.user)
    assert client.get(url).status_code == 404
    services.publish(world.plan, by=world.coordinator)
    assert client.get(url).status_code == 200


def test_the_realisation_is_the_monitoring_figure(client, world):
    response = client.get(reverse("gallery:detail", args=[world.plan.pk]))
    item = response.context["item"]
    progress = plan_progress(world.plan)
    assert item["realisation"] == progress.realisation == Decimal("50.00")
    assert [t["realisation"] for t in item["targets"]] == [r.realisation for r in progress.targets]
    figures = cycle_realisation(world.plan.cycle)
    assert figures.per_agency[world.plan.agency_id] == item["realisation"]
    card = client.get(reverse("gallery:list")).context["gallery"]["cards"][0]
    assert card["realisation"] == Decimal("50.00")
    assert 'id="gallery-realisation">50,00%' in response.content.decode()


def test_marking_evidence_refreshes_the_cached_page(client, world):
    url = reverse("gallery:detail", args=[world.plan.pk])
    assert "privat.pdf" not in client.get(url).content.decode()
    assert world.private_file.name not in client.get(url).content.decode()
    services.set_public_evidence(world.plan, [world.private_file.pk], by=world.agent.user)
    html = client.get(url).content.decode()
    assert world.private_file.name in html and "Rekap" not in html


def test_the_gallery_is_indexable_and_the_rest_is_not(client, world):
    for url in _public_pages(world):
        html = client.get(url).content.decode()
        assert 'name="robots"' not in html, url
    login = client.get(reverse("login")).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in login


def test_filters_stay_in_the_url_and_every_query_string_answers(client, world):
    plan = world.plan
    html = client.get(reverse("gallery:list"), {"q": "perizinan", "opd": plan.agency_id}).content
    html = html.decode()
    assert 'value="perizinan"' in html
    assert f'value="{plan.agency_id}"\n                            selected' in html or (
        f'value="{plan.agency_id}" selected' in html
    )
    for query in (
        {"opd": "x"},
        {"opd": "-1"},
        {"tahun": "99999999999"},
        {"area": "<script>"},
        {"page": "999"},
        {"page": "abc"},
        {"q": "' OR 1=1 --"},
        {"q": "𝕏" * 300},
    ):
        assert client.get(reverse("gallery:list"), query).status_code == 200, query
    # NUL is refused before any view by the request guard, on its parameter.
    assert client.get(reverse("gallery:list"), {"q": "a\x00b"}).status_code == 400
    assert plan.title not in client.get(reverse("gallery:list"), {"q": "zzzzqqq"}).content.decode()
    assert plan.title not in client.get(reverse("gallery:list"), {"tahun": 1999}).content.decode()
    # A word only of a field the gallery does not show does not find the plan.
    assert plan.title not in client.get(reverse("gallery:list"), {"q": "RAHASIA"}).content.decode()
    assert (
        plan.title
        not in client.get(reverse("gallery:list"), {"q": world.agent.user.nip}).content.decode()
    )


def test_pages_of_twelve(client, world, coordinator):
    from tests.gallery.conftest import approved_plan  # noqa: PLC0415

    for _ in range(13):
        plan = approved_plan(world.plan.cycle)
        services.set_consent(plan, consent=True, by=plan.owner.user)
        services.publish(plan, by=coordinator)
    first = client.get(reverse("gallery:list"), {"tahun": world.plan.cycle.year})
    assert len(first.context["gallery"]["cards"]) == 12
    assert first.context["gallery"]["count"] == 14
    html = first.content.decode()
    assert f"?tahun={world.plan.cycle.year}&amp;page=2" in html
    second = client.get(reverse("gallery:list"), {"tahun": world.plan.cycle.year, "page": 2})
    assert len(second.context["gallery"]["cards"]) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search: PostgreSQL")
def test_the_search_finds_a_stem_of_the_shown_text(client, world):
    # "diurus" and the impact's "mengurus" share the stem "urus" (the indonesian config).
    html = client.get(reverse("gallery:list"), {"q": "diurus"}).content.decode()
    assert world.plan.title in html
