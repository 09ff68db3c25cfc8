"""Triage tags on the decision board: defined per cycle by coordinators, added to and
removed from many plans at once, a filter of the board, every change audited."""

import pytest
from django.urls import reverse

from agents.models import ActivityLog
from assessment.models import PlanTag, PlanTagging
from assessment.services.tags import create_tag, tag_plans
from plans.enums import PlanState
from plans.services.common import PlanError
from tests.factories import CycleFactory, PlanFactory


@pytest.fixture
def board(cycle):
    return [
        PlanFactory(cycle=cycle, state=PlanState.SUBMITTED, title=f"Rencana {n}") for n in range(4)
    ]


def board_titles(client, cycle, **params):
    response = client.get(reverse("assessment:decisions"), {"cycle": cycle.code, **params})
    assert response.status_code == 200
    return sorted(plan.title for plan in response.context["page"])


def test_a_coordinator_tags_plans_in_bulk_filters_and_untags(client, cycle, coordinator, board):
    client.force_login(coordinator)
    response = client.post(
        reverse("assessment:tags"), {"cycle": cycle.code, "name": "  Perlu   diskusi "}
    )
    assert response.status_code == 302
    tag = PlanTag.objects.get(cycle=cycle)
    assert tag.name == "Perlu diskusi"
    apply = reverse("assessment:tag_apply")
    chosen = [str(board[0].pk), str(board[2].pk)]
    response = client.post(
        apply, {"cycle": cycle.code, "tag": tag.pk, "tagged": chosen, "action": "add"}
    )
    assert response.status_code == 302
    assert board_titles(client, cycle, label=tag.pk) == ["Rencana 0", "Rencana 2"]
    page = client.get(reverse("assessment:decisions"), {"cycle": cycle.code})
    assert '<span class="badge text-bg-light border">Perlu diskusi</span>' in page.content.decode()
    # Adding again changes nothing and writes no second entry.
    client.post(apply, {"cycle": cycle.code, "tag": tag.pk, "tagged": chosen, "action": "add"})
    assert ActivityLog.objects.filter(action="plan.tagged").count() == 2
    client.post(
        apply,
        {"cycle": cycle.code, "tag": tag.pk, "tagged": chosen[:1], "action": "remove"},
    )
    assert board_titles(client, cycle, label=tag.pk) == ["Rencana 2"]
    untagged = ActivityLog.objects.get(action="plan.untagged")
    assert (untagged.object_id, untagged.data) == (board[0].pk, {"tag": "Perlu diskusi"})
    assert ActivityLog.objects.filter(action="tag.created").count() == 1
    # Deleting the tag takes it off every plan.
    response = client.post(reverse("assessment:tag_delete"), {"cycle": cycle.code, "tag": tag.pk})
    assert response.status_code == 302
    assert not PlanTagging.objects.exists()
    assert ActivityLog.objects.get(action="tag.deleted").data == {
        "tag": "Perlu diskusi",
        "plans": 1,
    }


def test_tag_names_are_checked_on_the_field(client, cycle, coordinator):
    create_tag(cycle, name="Cek data", by=coordinator)
    client.force_login(coordinator)
    for name, error in (
        ("cek DATA", "Label dengan nama ini sudah ada."),
        (
            "x" * 41,
            "Pastikan nilai ini mengandung paling banyak 40 karakter (sekarang 41 karakter).",
        ),
        ("   ", "Bidang ini tidak boleh kosong."),
    ):
        response = client.post(reverse("assessment:tags"), {"cycle": cycle.code, "name": name})
        assert response.status_code == 400
        assert response.context["form"].errors == {"name": [error]}, name
    # The same name in another cycle is another tag.
    other = CycleFactory()
    assert create_tag(other, name="Cek data", by=coordinator).cycle == other


def test_only_coordinators_tag_and_only_plans_of_the_tags_cycle(
    cycle, coordinator, reviewers, board
):
    with pytest.raises(PlanError) as refused:
        create_tag(cycle, name="X", by=reviewers[0])
    assert refused.value.code == "permission_denied"
    tag = create_tag(cycle, name="X", by=coordinator)
    with pytest.raises(PlanError):
        tag_plans(tag, board, add=True, by=reviewers[0])
    elsewhere = PlanFactory(state=PlanState.SUBMITTED)
    assert tag_plans(tag, [board[1], elsewhere], add=True, by=coordinator) == 1
    assert list(tag.plans.all()) == [board[1]]


def test_applying_without_a_tag_or_plans_says_so(client, cycle, coordinator, board):
    tag = create_tag(cycle, name="X", by=coordinator)
    client.force_login(coordinator)
    apply = reverse("assessment:tag_apply")
    response = client.post(apply, {"cycle": cycle.code, "tagged": [board[0].pk]}, follow=True)
    assert "Pilih label lebih dulu." in response.content.decode()
    response = client.post(apply, {"cycle": cycle.code, "tag": tag.pk}, follow=True)
    assert "Pilih rencana yang diberi label." in response.content.decode()
    other = create_tag(CycleFactory(), name="Y", by=coordinator)
    assert client.post(apply, {"cycle": cycle.code, "tag": other.pk}).status_code == 404
