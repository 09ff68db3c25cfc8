"""A revision handed in again goes back to its reviewers by itself: the same reviewers
(unless released) are told, the review restarts on the new version, and each reviewer
sees every change since the version they scored, word by word, from the same diff as the
agent's "Bandingkan versi"."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agents.enums import Role
from agents.models import ActivityLog, Notification
from assessment.enums import DecisionOutcome
from assessment.selectors import review_page
from assessment.services import (
    assign_reviewers,
    decide_plan,
    release_assignment,
    save_review,
    submit_review,
)
from plans.enums import PlanState
from plans.services.workflow import submit_plan
from tests.factories import user_with_role

LEVELS = {f"K{i}": (3, "cukup") for i in range(1, 7)}


def _review(plan, reviewer):
    assignment = plan.assignments.get(reviewer=reviewer, is_active=True)
    review = save_review(assignment, levels=LEVELS, overall_feedback="Masukan", by=reviewer)
    submit_review(review, by=reviewer)


def _set_details(plan, responsible, budget, verification):
    """The first activity's responsible person and budget, the first target's verification."""
    plan.activities.filter(pk=plan.activities.first().pk).update(
        responsible=responsible, budget=Decimal(budget)
    )
    plan.targets.filter(pk=plan.targets.first().pk).update(verification=verification)


@pytest.fixture
def sent_back(complete_plan, agent, coordinator, reviewers):
    """A plan reviewed by two reviewers and sent back for revision."""
    _set_details(complete_plan, "Kepala Bidang Perizinan", "15000000", "Laporan bulanan")
    submit_plan(complete_plan, by=agent.user)
    assign_reviewers(complete_plan, reviewers=reviewers, by=coordinator)
    for reviewer in reviewers:
        _review(complete_plan, reviewer)
    decide_plan(complete_plan, outcome=DecisionOutcome.REVISE, feedback="Perbaiki", by=coordinator)
    complete_plan.refresh_from_db()
    assert complete_plan.state == PlanState.REVISION_REQUESTED
    Notification.objects.all().delete()
    return complete_plan


def _revise(plan):
    _set_details(plan, "Sekretaris Dinas", "17500000", "Dasbor daring")


def test_a_resubmitted_revision_goes_back_to_the_same_reviewers_who_are_told(
    sent_back, agent, reviewers
):
    _revise(sent_back)
    submit_plan(sent_back, by=agent.user)
    sent_back.refresh_from_db()
    assert sent_back.state == PlanState.IN_REVIEW
    assert set(
        sent_back.assignments.filter(is_active=True).values_list("reviewer_id", flat=True)
    ) == {r.pk for r in reviewers}
    for reviewer in reviewers:
        [notice] = Notification.objects.filter(recipient=reviewer)
        assert (notice.kind, notice.title, notice.url) == (
            "revision",
            f"Revisi siap dinilai: {sent_back.title}",
            reverse("assessment:review", args=[sent_back.pk]),
        )
    entry = ActivityLog.objects.get(action="plan.resume_review", object_id=sent_back.pk)
    assert (entry.actor, entry.from_state, entry.to_state) == (None, "submitted", "in_review")
    # The review restarts on version 2: nothing scored yet, both reviews pending again.
    assert sent_back.score is None
    page = review_page(sent_back.assignments.get(reviewer=reviewers[0]))
    assert (page.version.number, page.scored_version.number, page.review) == (2, 1, None)


def test_a_released_reviewer_is_not_sent_the_revision(sent_back, agent, coordinator, reviewers):
    kept, released = reviewers
    release_assignment(
        sent_back.assignments.get(reviewer=released), by=coordinator, reason="Pindah tugas"
    )
    submit_plan(sent_back, by=agent.user)
    sent_back.refresh_from_db()
    assert sent_back.state == PlanState.IN_REVIEW
    assert Notification.objects.filter(recipient=kept, kind="revision").count() == 1
    assert not Notification.objects.filter(recipient=released).exists()
    # The coordinator still changes reviewers: adds one, and the released one stays out.
    newcomer = user_with_role(Role.REVIEWER)
    assert len(assign_reviewers(sent_back, reviewers=[newcomer], by=coordinator)) == 1
    assert set(
        sent_back.assignments.filter(is_active=True).values_list("reviewer_id", flat=True)
    ) == {kept.pk, newcomer.pk}


def test_with_every_reviewer_released_the_revision_waits_for_the_coordinator(
    sent_back, agent, coordinator, reviewers
):
    for assignment in sent_back.assignments.filter(is_active=True):
        release_assignment(assignment, by=coordinator, reason="Cuti")
    submit_plan(sent_back, by=agent.user)
    sent_back.refresh_from_db()
    assert sent_back.state == PlanState.SUBMITTED
    assert not Notification.objects.filter(kind="revision").exists()


def test_the_reviewer_sees_every_changed_field_word_by_word(client, sent_back, agent, reviewers):
    _revise(sent_back)
    sent_back.title = f"{sent_back.title} terpadu"
    sent_back.save()
    submit_plan(sent_back, by=agent.user)
    client.force_login(reviewers[0])
    response = client.get(reverse("assessment:review", args=[sent_back.pk]))
    assert response.status_code == 200
    diff = response.context["page"].diff
    changed = {s.section: [f.name for f in s.fields if f.changed] for s in diff}
    assert set(changed) == {"identity", "activities", "targets"}, changed
    html = response.content.decode()
    assert "Perubahan sejak versi 1 yang Anda nilai (sekarang versi 2)" in html
    for old, new in (
        ("Kepala Bidang Perizinan;", "Sekretaris Dinas;"),  # responsible person
        ("15.000.000", "17.500.000"),  # budget
        ("Laporan bulanan", "Dasbor daring"),  # target verification
    ):
        assert f"[dihapus: </span>{old}" in html, old
        assert f"[ditambah: </span>{new}" in html, new
    assert '<ins class="ap-added"><span class="visually-hidden">[ditambah: </span>terpadu' in html
    # A raw unified diff is gone: no "@@" hunks, no pre-formatted lines.
    assert "@@" not in html and '<pre class="ap-diff' not in html


def test_a_reviewer_who_scored_nothing_before_sees_no_diff(
    client, sent_back, agent, coordinator, reviewers
):
    submit_plan(sent_back, by=agent.user)
    newcomer = user_with_role(Role.REVIEWER)
    assign_reviewers(sent_back, reviewers=[newcomer], by=coordinator)
    client.force_login(newcomer)
    response = client.get(reverse("assessment:review", args=[sent_back.pk]))
    assert (response.context["page"].scored_version, response.context["page"].diff) == (None, [])
    assert "Perubahan sejak versi" not in response.content.decode()


def test_the_released_reviewer_and_the_agent_cannot_open_the_review_page(
    client, sent_back, agent, coordinator, reviewers
):
    release_assignment(
        sent_back.assignments.get(reviewer=reviewers[1]), by=coordinator, reason="Cuti"
    )
    submit_plan(sent_back, by=agent.user)
    page = reverse("assessment:review", args=[sent_back.pk])
    client.force_login(reviewers[1])
    assert client.get(page).status_code == 404
    client.force_login(agent.user)  # not a reviewer at all
    assert client.get(page).status_code == 403


def test_the_editor_of_a_plan_in_revision_keeps_its_query_budget(
    client, sent_back, agent, django_assert_num_queries
):
    """The editor with the decision's feedback above it within the editor's budget of 15
    queries: the feedback adds two (the decision; the sent reviews with their scores)."""
    url = reverse("plans:edit", args=[sent_back.pk])
    client.force_login(agent.user)
    client.get(url)  # warm the content-type cache
    with django_assert_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    assert "Perbaiki" in response.content.decode()
