"""Every list page of the assessment makes the same number of queries at two data sizes."""

import pytest
from django.urls import reverse

from assessment.services import (
    assign_reviewers,
    decide_plan,
    declare_conflict,
    save_review,
    submit_review,
)
from tests.factories import AgencyFactory

SIZES = [2, 7]


@pytest.fixture
def world(submitted, pool, coordinator, levels_all):
    """`size` plans reviewed by the same two reviewers; the first `size - 1` submitted by
    both, one of them decided; conflicts declared."""

    def make(size):
        reviewers = pool(2)
        plans = []
        for i in range(size):
            plan = submitted()
            assign_reviewers(plan, reviewers=reviewers, by=coordinator)
            for j, reviewer in enumerate(reviewers):
                review = save_review(
                    plan.assignments.get(reviewer=reviewer),
                    levels=levels_all(2 + j + i % 2),
                    overall_feedback=f"Masukan {i}-{j}",
                    by=reviewer,
                )
                if i < size - 1:
                    submit_review(review, by=reviewer)
            plans.append(plan)
        decide_plan(plans[0], outcome="approve", feedback="", by=coordinator)
        for _ in range(size):
            declare_conflict(by=reviewers[0], agency=AgencyFactory())
        return plans, reviewers

    return make


# The review page's budget: at most 15 queries, whatever the number of plans.
REVIEW_PAGE_BUDGET = 15


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("sent", [True, False], ids=["review sent", "review in draft"])
def test_review_page_query_count(client, world, size, sent, django_assert_max_num_queries):
    plans, (reviewer, _other) = world(size)
    # The last plan's reviews are drafts; the others' are sent (then the page shows the
    # other reviewer's scores too).
    plan = plans[0] if sent else plans[-1]
    client.force_login(reviewer)
    url = reverse("assessment:review", args=[plan.pk])
    client.get(url)
    # The rules that show the other reviews and their names ask about the request's own
    # user object: its roles are read once, and the page tells them it has just read the
    # reviewer's assignment and sent review.
    with django_assert_max_num_queries(REVIEW_PAGE_BUDGET):
        response = client.get(url)
    assert len(response.context["page"].others) == (1 if sent else 0)
    assert response.context["page"].locked is sent


@pytest.mark.parametrize("size", SIZES)
def test_decision_board_query_count(client, world, coordinator, size, django_assert_num_queries):
    plans, _reviewers = world(size)
    client.force_login(coordinator)
    url = reverse("assessment:decisions")
    client.get(url)
    # 12: the agency filter reads the chosen agency only (none here), never every agency;
    # one query reads the latest bulk decision's status; the cycle's triage tags, and the
    # tags of the page's plans, one query each.
    with django_assert_num_queries(11):
        response = client.get(url)
    assert response.context["page"].paginator.count == size
    assert response.context["counts"] == {
        "awaiting_assignment": 0,
        "in_review": 1,
        "reviews_complete": size - 2,
        "decided": 1,
    }


@pytest.mark.parametrize(
    ("name", "with_plan", "queries"),
    [
        # 11: the latest background run's status; the group counts once; the shown
        # page's count and rows; the count short of reviewers; the reviewers' load (its
        # grouped counts, then the people); the agency filter reads no agency list.
        ("assessment:assignments", False, 11),
        # 7: the reviewers' figures; the count of the decided plans the teams assessed
        # themselves (none here: no rows, criteria or means to read).
        ("assessment:calibration", False, 7),
        ("assessment:cycles", False, 4),
        # 16: the reviewers offered are two (their grouped load, then the people); the
        # rubric comes with its criteria.
        ("assessment:plan", True, 16),
        # 12: the rubric comes with its criteria.
        ("assessment:decide", True, 12),
        ("assessment:feedback", True, 6),
    ],
)
@pytest.mark.parametrize("size", SIZES)
def test_coordinator_pages_query_count(
    client, world, coordinator, name, with_plan, queries, size, django_assert_num_queries
):
    plans, _reviewers = world(size)
    user = plans[0].owner.user if name == "assessment:feedback" else coordinator
    client.force_login(user)
    url = reverse(name, args=[plans[0].pk] if with_plan else [])
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_conflicts_page_query_count(client, world, size, django_assert_num_queries):
    _plans, (reviewer, _other) = world(size)
    client.force_login(reviewer)
    url = reverse("assessment:conflicts")
    client.get(url)
    # 4: the form's agency choice reads no agency list (it is searched).
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(response.context["declared"]) == size
