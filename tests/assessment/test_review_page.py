"""The reviewer's page: draft, submit and lock, save and next, hidden co-reviews, the diff
of a revision; the coordinator's reopen."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.enums import ReviewState
from assessment.models import Review
from assessment.services import assign_reviewers, decide_plan, save_review, submit_review
from plans.enums import PlanState
from plans.services.workflow import submit_plan


def post_levels(level=3, action="save", **extra):
    data = {f"level_K{i}": str(level) for i in range(1, 7)}
    data.update({f"comment_K{i}": f"Komentar {i}" for i in range(1, 7)})
    data.update(overall_feedback="Perkuat target.", confidential_note="Agen kurang siap.")
    data["action"] = action
    data.update(extra)
    return data


@pytest.fixture
def in_review(submitted, pool, coordinator):
    plan = submitted()
    reviewers = pool(2)
    assign_reviewers(plan, reviewers=reviewers, by=coordinator)
    return plan, reviewers


def test_save_draft_keeps_levels_comments_and_shows_the_running_total(client, in_review):
    plan, (reviewer, _other) = in_review
    client.force_login(reviewer)
    url = reverse("assessment:review", args=[plan.pk])
    data = post_levels(4)
    del data["level_K6"], data["comment_K6"]
    response = client.post(url, data)
    assert response.status_code == 302
    review = Review.objects.get(assignment__reviewer=reviewer)
    assert review.state == ReviewState.DRAFT
    assert review.total is None  # incomplete
    assert sorted(review.scores.values_list("criterion__code", "level", "comment")) == [
        (f"K{i}", 4, f"Komentar {i}") for i in range(1, 6)
    ]
    page = client.get(url)
    # 15+20+20+15+15 weights × 3/4 = 63.75
    assert page.context["page"].running_total == Decimal("63.75")
    assert 'data-total="63.75"' in page.content.decode()


def test_a_comment_without_a_level_is_refused_on_its_criterion_and_nothing_is_lost(
    client, in_review
):
    plan, (reviewer, _other) = in_review
    client.force_login(reviewer)
    data = post_levels(3)
    data["level_K2"] = ""
    response = client.post(reverse("assessment:review", args=[plan.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "__all__": ["Pilih tingkat untuk kriteria yang Anda beri komentar."]
    }
    assert response.context["form"]["comment_K2"].value() == "Komentar 2"
    assert not Review.objects.exists()


def test_submit_locks_the_review_and_the_last_one_completes_the_plan(client, in_review):
    plan, (first, second) = in_review
    for reviewer, level in ((first, 5), (second, 2)):
        client.force_login(reviewer)
        response = client.post(
            reverse("assessment:review", args=[plan.pk]), post_levels(level, action="submit")
        )
        assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.REVIEWED
    assert plan.score == Decimal("62.50")  # (100 + 25) / 2
    assert plan.review_flagged is True
    # Locked: a later post changes nothing.
    client.post(reverse("assessment:review", args=[plan.pk]), post_levels(1))
    assert Review.objects.get(assignment__reviewer=second).total == Decimal("25.00")


def test_other_reviewers_scores_are_hidden_until_my_own_is_sent(client, in_review, levels_all):
    plan, (first, second) = in_review
    first_assignment = plan.assignments.get(reviewer=first)
    review = save_review(first_assignment, levels=levels_all(5), by=first)
    submit_review(review, by=first)
    client.force_login(second)
    url = reverse("assessment:review", args=[plan.pk])
    page = client.get(url)
    assert page.context["page"].others == []
    assert "100,00" not in page.content.decode()
    client.post(url, post_levels(4, action="submit"))
    page = client.get(url)
    assert [r.total for r in page.context["page"].others] == [Decimal("100.00")]
    assert first.name in page.content.decode()


def test_save_and_next_goes_to_the_next_unsent_plan_in_the_queue(
    client, submitted, pool, coordinator
):
    (reviewer,) = pool(1)
    plans = [submitted() for _ in range(3)]
    for plan in plans:
        assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    client.force_login(reviewer)
    response = client.post(
        reverse("assessment:review", args=[plans[0].pk]), post_levels(3, action="save_next")
    )
    assert response["Location"] == reverse("assessment:review", args=[plans[1].pk])
    response = client.post(
        reverse("assessment:review", args=[plans[2].pk]), post_levels(3, action="save_next")
    )
    assert response["Location"] == reverse("assessment:review", args=[plans[0].pk])


def test_the_page_links_the_previous_and_next_plan_of_the_queue_with_their_shortcuts(
    client, submitted, pool, coordinator, levels_all
):
    (reviewer,) = pool(1)
    plans = [submitted() for _ in range(3)]
    for plan in plans:
        assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    # A plan already sent stays in the queue's order.
    submit_review(
        save_review(plans[1].assignments.get(), levels=levels_all(3), by=reviewer), by=reviewer
    )
    client.force_login(reviewer)

    def neighbours(plan):
        page = client.get(reverse("assessment:review", args=[plan.pk]))
        data = page.context["page"]
        return page.content.decode(), (data.queue_previous_id, data.queue_next_id)

    html, ids = neighbours(plans[0])
    assert ids == (None, plans[1].pk)
    assert 'rel="prev"' not in html
    link = reverse("assessment:review", args=[plans[1].pk])
    assert f'<a href="{link}"\n       rel="next"' in html
    assert 'aria-keyshortcuts="j"' in html and 'aria-keyshortcuts="s"' in html
    # The shortcuts are listed on the page, and can be switched off there.
    assert "Pintasan keyboard" in html and 'id="shortcuts-on"' in html
    html, ids = neighbours(plans[1])
    assert ids == (plans[0].pk, plans[2].pk)
    assert 'aria-keyshortcuts="s"' not in html  # locked: nothing to save
    html, ids = neighbours(plans[2])
    assert ids == (plans[1].pk, None)
    assert 'aria-keyshortcuts="k"' in html and 'aria-keyshortcuts="j"' not in html


def test_the_plan_and_the_changes_share_the_pane_beside_the_rubric(client, in_review):
    plan, (reviewer, _other) = in_review
    client.force_login(reviewer)
    html = client.get(reverse("assessment:review", args=[plan.pk])).content.decode()
    pane = html.index('<section class="ap-review-plan" tabindex="0"')
    assert pane < html.index('id="version-title"') < html.index('id="rubric-title"')
    assert 'class="ap-review-bar' in html


def test_an_unassigned_reviewer_gets_404_and_an_agent_403(client, in_review, pool, agent):
    plan, _reviewers = in_review
    (stranger,) = pool(1)
    client.force_login(stranger)
    assert client.get(reverse("assessment:review", args=[plan.pk])).status_code == 404
    client.force_login(agent.user)
    assert client.get(reverse("assessment:review", args=[plan.pk])).status_code == 403


def test_coordinator_reopens_a_submitted_review(client, in_review, coordinator, levels_all):
    plan, (first, _second) = in_review
    review = save_review(plan.assignments.get(reviewer=first), levels=levels_all(3), by=first)
    submit_review(review, by=first)
    client.force_login(coordinator)
    response = client.post(
        reverse("assessment:reopen", args=[plan.pk]), {"review": review.pk, "note": "Cek K2"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.DRAFT
    assert first.notifications.filter(kind="review_reopened").count() == 1


def test_a_revision_shows_the_diff_to_the_version_the_reviewer_scored(
    client, in_review, coordinator, levels_all
):
    plan, reviewers = in_review
    for reviewer in reviewers:
        review = save_review(
            plan.assignments.get(reviewer=reviewer), levels=levels_all(2), by=reviewer
        )
        submit_review(review, by=reviewer)
    decide_plan(plan, outcome="revise", feedback="Perjelas akar masalah.", by=coordinator)
    plan.refresh_from_db()
    plan.root_cause = "Akar masalah baru yang lebih tajam."
    plan.save(update_fields=["root_cause"])
    submit_plan(plan, by=plan.owner.user)
    client.force_login(reviewers[0])
    page = client.get(reverse("assessment:review", args=[plan.pk]))
    assert page.status_code == 200
    data = page.context["page"]
    assert (data.scored_version.number, data.version.number) == (1, 2)
    assert [(s.section, [f.label for f in s.fields if f.changed]) for s in data.diff] == [
        ("problem", ["Akar masalah"])
    ]
    [field] = [f for f in data.diff[0].fields if f.changed]
    new = "".join(t.text for t in field.tokens if t.kind != "removed")
    assert new.split() == "Akar masalah baru yang lebih tajam.".split()
    assert field.added and field.removed
    assert data.review is None and data.locked is False
