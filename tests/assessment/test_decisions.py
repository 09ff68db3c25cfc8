"""Decisions (single and bulk), what the agent then reads, and calibration."""

import datetime as dt
import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse

from agents.enums import Role
from agents.selectors import roles_of
from assessment.enums import RunStatus
from assessment.models import Decision, DecisionRun
from assessment.selectors import calibration, consolidated_feedback
from assessment.services import (
    assign_reviewers,
    decide_plan,
    request_bulk_decision,
    save_review,
    submit_review,
)
from assessment.tasks import run_bulk_decision
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.workflow import submit_plan
from plans.signals import plan_state_changed
from tests.factories import user_with_role
from tests.workbooks import sheet_rows


@pytest.fixture
def reviewed(submitted, pool, coordinator, levels_all):
    """A plan both of whose reviews are in (levels 4 and 2 everywhere)."""
    reviewers = pool(2)

    def make(first=4, second=2, feedback=("Target perlu angka.", "Perjelas dampak.")):
        plan = submitted()
        assign_reviewers(plan, reviewers=reviewers, by=coordinator)
        for reviewer, level, text in zip(reviewers, (first, second), feedback, strict=True):
            review = save_review(
                plan.assignments.get(reviewer=reviewer),
                levels=levels_all(level, comment=f"Catatan tingkat {level}"),
                overall_feedback=text,
                confidential_note="Rahasia",
                by=reviewer,
            )
            submit_review(review, by=reviewer)
        plan.refresh_from_db()
        return plan

    make.reviewers = reviewers
    return make


def test_decide_page_prefills_consolidated_feedback_without_confidential_notes(
    client, coordinator, reviewed
):
    plan = reviewed()
    assert plan.state == PlanState.REVIEWED
    client.force_login(coordinator)
    page = client.get(reverse("assessment:decide", args=[plan.pk]))
    assert page.context["form"].initial["feedback"] == "Target perlu angka.\n\nPerjelas dampak."
    assert consolidated_feedback(plan) == "Target perlu angka.\n\nPerjelas dampak."
    data = page.context["data"]
    assert (data.score, data.flagged) == (Decimal("50.00"), True)
    assert data.criterion_means == {c.pk: Decimal("3.00") for c in data.criteria}
    response = client.post(
        reverse("assessment:decide", args=[plan.pk]),
        {"outcome": "revise", "feedback": "Perbaiki target."},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == PlanState.REVISION_REQUESTED
    decision = Decision.objects.get(plan=plan)
    assert (decision.outcome, decision.feedback, decision.score) == (
        "revise",
        "Perbaiki target.",
        Decimal("50.00"),
    )
    assert plan.owner.user.notifications.filter(kind="decision").count() == 1


def checked_outcomes(html: str) -> list[str]:
    """The values of the outcome radios the page ticks."""
    radios = re.findall(r'<input[^>]*name="outcome"[^>]*>', html)
    return [re.search(r'value="(\w+)"', tag).group(1) for tag in radios if " checked" in tag]


def test_the_decision_form_chooses_no_outcome_for_a_flagged_plan(client, coordinator, reviewed):
    flagged, agreed = reviewed(first=4, second=2), reviewed(first=4, second=4)
    assert (flagged.review_flagged, agreed.review_flagged) == (True, False)
    client.force_login(coordinator)
    page = client.get(reverse("assessment:decide", args=[flagged.pk]))
    assert page.context["form"].initial.get("outcome") is None
    assert checked_outcomes(page.content.decode()) == []
    page = client.get(reverse("assessment:decide", args=[agreed.pk]))
    assert checked_outcomes(page.content.decode()) == ["approve"]


def test_reject_without_feedback_is_refused_on_the_field(client, coordinator, reviewed):
    plan = reviewed()
    client.force_login(coordinator)
    response = client.post(
        reverse("assessment:decide", args=[plan.pk]), {"outcome": "reject", "feedback": ""}
    )
    assert response.context["form"].errors == {
        "feedback": ["Masukan wajib diisi bila rencana perlu revisi atau ditolak."]
    }


def test_bulk_decision_asks_for_confirmation_then_decides_all_in_the_background(
    client, coordinator, reviewed, django_capture_on_commit_callbacks
):
    plans = [reviewed(), reviewed()]
    client.force_login(coordinator)
    url = reverse("assessment:bulk_decide")
    data = {"cycle": plans[0].cycle.code, "plans": [p.pk for p in plans], "outcome": "approve"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert [p.pk for p in response.context["plans"]] == [p.pk for p in plans]
    assert not Decision.objects.exists()
    assert not DecisionRun.objects.exists()
    # The run's task is published once the request commits (and runs at once: eager).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    response = client.get(response.url)
    run = DecisionRun.objects.get()
    assert (run.status, run.total, run.done, run.decided, run.skipped) == (
        RunStatus.DONE,
        2,
        2,
        2,
        0,
    )
    assert list(Decision.objects.order_by("plan_id").values_list("outcome", "feedback")) == [
        ("approve", "Target perlu angka.\n\nPerjelas dampak."),
        ("approve", "Target perlu angka.\n\nPerjelas dampak."),
    ]
    assert [str(m) for m in response.context["messages"]] == [
        "Keputusan untuk 2 rencana berjalan di latar belakang; statusnya tampil di halaman ini."
    ]
    # The board shows the run's result.
    assert response.context["run"] == run
    assert "2 rencana diputuskan dan timnya diberi tahu." in response.content.decode()


def test_bulk_decision_refuses_a_plan_not_awaiting_decision(
    client, coordinator, reviewed, submitted
):
    plan = reviewed()
    other = submitted()
    client.force_login(coordinator)
    response = client.post(
        reverse("assessment:bulk_decide"),
        {
            "cycle": plan.cycle.code,
            "plans": [plan.pk, other.pk],
            "outcome": "approve",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert not Decision.objects.exists()
    assert not DecisionRun.objects.exists()


def render_feedback(plan, user):
    return Template("{% load assessment_ui %}{% plan_feedback plan user %}").render(
        Context({"plan": plan, "user": user})
    )


def test_agent_sees_nothing_before_the_decision(reviewed):
    plan = reviewed()
    html = render_feedback(plan, plan.owner.user)
    assert "Belum ada keputusan" in html
    assert "Target perlu angka" not in html


def test_agent_sees_decision_score_feedback_and_comments_without_reviewer_names(
    client, coordinator, reviewed, django_assert_max_num_queries
):
    plan = reviewed()
    decide_plan(plan, outcome="revise", feedback="Gabungan: perbaiki target.", by=coordinator)
    names = [r.name for r in reviewed.reviewers]

    # As on a page: the plan comes with its cycle, the user's roles are known already.
    plan = type(plan).objects.select_related("cycle").get(pk=plan.pk)
    roles_of(plan.owner.user)
    with django_assert_max_num_queries(3):
        html = render_feedback(plan, plan.owner.user)
    assert "Gabungan: perbaiki target." in html
    assert "Reviewer 1" in html and "Reviewer 2" in html
    assert "50,00" in html
    assert "Rahasia" not in html
    assert all(name not in html for name in names)
    # The page for the agent.
    client.force_login(plan.owner.user)
    page = client.get(reverse("assessment:feedback", args=[plan.pk])).content.decode()
    assert "Gabungan: perbaiki target." in page
    assert all(name not in page for name in names)
    # With anonymity off the agent sees the names; a coordinator always does.
    plan.cycle.reviewer_anonymity = False
    plan.cycle.save(update_fields=["reviewer_anonymity"])
    plan = type(plan).objects.get(pk=plan.pk)
    html = render_feedback(plan, plan.owner.user)
    assert [name in html for name in names] == [True, True], html


def test_coordinator_sees_names_even_with_anonymity(coordinator, reviewed):
    plan = reviewed()
    decide_plan(plan, outcome="approve", feedback="", by=coordinator)
    html = render_feedback(plan, user_with_role(Role.COORDINATOR))
    assert all(r.name in html for r in reviewed.reviewers)


def test_calibration_compares_each_reviewer_with_co_reviewers(client, coordinator, reviewed):
    reviewed(first=5, second=3)  # 100 vs 50
    reviewed(first=4, second=2)  # 75 vs 25
    first, second = reviewed.reviewers
    rows = {
        r.reviewer_id: r
        for r in calibration(reviewed.reviewers[0].review_assignments.first().plan.cycle)
    }
    assert (rows[first.pk].count, rows[first.pk].mean, rows[first.pk].co_mean) == (
        2,
        Decimal("87.50"),
        Decimal("37.50"),
    )
    assert rows[first.pk].spread == Decimal("12.50")
    assert rows[first.pk].difference == Decimal("50.00")
    assert rows[second.pk].difference == Decimal("-50.00")
    client.force_login(coordinator)
    page = client.get(reverse("assessment:calibration"))
    assert [r.reviewer_id for r in page.context["page"]] == [second.pk, first.pk]


def test_calibration_is_paginated_and_exported_whole(client, coordinator, reviewed, monkeypatch):
    reviewed(first=5, second=3)
    first, second = reviewed.reviewers
    monkeypatch.setattr("assessment.views.coordinator.CALIBRATION_PAGE_SIZE", 1)
    client.force_login(coordinator)
    url = reverse("assessment:calibration")
    pages = [client.get(url, {"page": n}).context["page"] for n in (1, 2)]
    assert [[r.reviewer_id for r in page] for page in pages] == [[second.pk], [first.pk]]
    assert pages[0].paginator.num_pages == 2
    response = client.get(url, {"unduh": "xlsx", "page": 2})
    rows = sheet_rows(response)
    assert rows[0][:2] == ("Reviewer", "Penilaian")
    assert [row[:3] for row in rows[1:]] == [(second.name, 1, 50.0), (first.name, 1, 100.0)]


# --- The number of the decided version ---------------------------------------------------------


def _revised_and_reviewed_again(plan, reviewers, coordinator, levels_all, *, now=None):
    """Sent back for revision on version 1, handed in again as version 2 (its reviewers
    resume) and reviewed again."""
    decide_plan(plan, outcome="revise", feedback="Perbaiki.", by=coordinator, now=now)
    assert plan.decided_version_number == 1
    submit_plan(plan, by=plan.owner.user)
    plan.refresh_from_db()
    # Until it is decided again, the plan keeps the number its last decision judged.
    assert (plan.state, plan.decided_version_number) == (PlanState.IN_REVIEW, 1)
    for reviewer in reviewers:
        review = save_review(
            plan.assignments.get(reviewer=reviewer), levels=levels_all(3), by=reviewer
        )
        submit_review(review, by=reviewer)
    plan.refresh_from_db()
    assert plan.state == PlanState.REVIEWED
    return plan


def test_a_decision_keeps_the_number_of_the_version_it_judged(coordinator, reviewed, levels_all):
    plan = reviewed()
    assert plan.decided_version_number is None
    _revised_and_reviewed_again(plan, reviewed.reviewers, coordinator, levels_all)
    decision = decide_plan(plan, outcome="approve", feedback="", by=coordinator)
    assert (decision.version.number, plan.decided_version_number) == (2, 2)
    assert ActionPlan.objects.get(pk=plan.pk).decided_version_number == 2


def test_a_decision_run_keeps_each_plans_decided_version_number(
    cycle, coordinator, reviewed, levels_all, django_capture_on_commit_callbacks
):
    again = _revised_and_reviewed_again(reviewed(), reviewed.reviewers, coordinator, levels_all)
    once = reviewed()
    run = request_bulk_decision(cycle, plans=[again, once], outcome="approve", by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        run_bulk_decision(run_id=run.pk)
    decided = dict(
        ActionPlan.objects.filter(pk__in=[again.pk, once.pk]).values_list(
            "pk", "decided_version_number"
        )
    )
    assert decided == {again.pk: 2, once.pk: 1}
    judged = dict(
        Decision.objects.filter(outcome="approve").values_list("plan_id", "version__number")
    )
    assert judged == decided


def test_receivers_of_a_decision_run_see_each_plans_number(
    cycle, coordinator, reviewed, levels_all, django_capture_on_commit_callbacks
):
    """The plans a decision run announces hold the numbers its UPDATE wrote, not the
    subquery that wrote them."""
    again = _revised_and_reviewed_again(reviewed(), reviewed.reviewers, coordinator, levels_all)
    once = reviewed()
    heard = {}

    def listen(sender, plans, **kwargs):
        heard.update({plan.pk: plan.decided_version_number for plan in plans})

    plan_state_changed.connect(listen, dispatch_uid="test.decided_numbers")
    try:
        run = request_bulk_decision(cycle, plans=[again, once], outcome="approve", by=coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            run_bulk_decision(run_id=run.pk)
    finally:
        plan_state_changed.disconnect(dispatch_uid="test.decided_numbers")
    assert heard == {again.pk: 2, once.pk: 1}


def test_the_migration_fills_the_number_from_each_plans_latest_decision(
    coordinator, reviewed, submitted, levels_all
):
    """Latest by time, then by id: two decisions at the same moment are told apart by
    their order."""
    moment = dt.datetime(2026, 4, 6, 9, tzinfo=dt.UTC)
    plan = _revised_and_reviewed_again(
        reviewed(), reviewed.reviewers, coordinator, levels_all, now=moment
    )
    decide_plan(plan, outcome="approve", feedback="", by=coordinator, now=moment)
    once = reviewed()
    decide_plan(once, outcome="reject", feedback="Tidak layak.", by=coordinator)
    waiting = reviewed()
    undecided = submitted()
    ActionPlan.objects.update(decided_version_number=None)
    fill = importlib.import_module("assessment.migrations.0012_fill_decided_version_number").fill

    def filled():
        fill(apps, None)
        return dict(ActionPlan.objects.values_list("pk", "decided_version_number"))

    assert filled() == {plan.pk: 2, once.pk: 1, waiting.pk: None, undecided.pk: None}
    # The revision's decision made later than the approval: it is the latest.
    Decision.objects.filter(plan=plan, version__number=1).update(
        decided_at=moment + dt.timedelta(hours=1)
    )
    assert filled()[plan.pk] == 1
