"""Bulk decisions as a background run (DecisionRun): the request queues, the task decides
in batches through `transition_many`, the board shows the progress and the result, only
the coordinator may ask or look, and a message delivered twice decides nothing twice."""

import datetime as dt

import pytest
from django.core import mail
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from agents.models import ActivityLog, Notification, RoleGrant
from assessment.enums import RunStatus
from assessment.models import Decision, DecisionRun
from assessment.services import (
    assign_reviewers,
    decision_runs,
    reopen_review,
    request_bulk_decision,
    save_review,
    submit_review,
)
from assessment.tasks import run_bulk_decision
from plans.enums import PlanState
from plans.models import ActionPlan
from tests.factories import AgentFactory, user_with_role


@pytest.fixture
def reviewed(submitted, pool, coordinator, levels_all):
    """Plans both of whose reviews are in; `feedback=False` leaves the reviews' feedback
    to the agent empty."""
    reviewers = pool(2)

    def make(n=1, feedback=True):
        made = []
        for _ in range(n):
            plan = submitted()
            assign_reviewers(plan, reviewers=reviewers, by=coordinator)
            for reviewer, level in zip(reviewers, (4, 3), strict=True):
                review = save_review(
                    plan.assignments.get(reviewer=reviewer),
                    levels=levels_all(level),
                    overall_feedback=f"Masukan {level}." if feedback else "",
                    by=reviewer,
                )
                submit_review(review, by=reviewer)
            plan.refresh_from_db()
            made.append(plan)
        return made

    return make


def test_the_request_queues_a_run_and_decides_nothing_yet(
    cycle, coordinator, reviewed, django_capture_on_commit_callbacks
):
    plans = reviewed(3)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = request_bulk_decision(
            cycle,
            plans=plans[::-1],
            outcome="revise",
            feedback=" Perbaiki. ",
            by=coordinator,
            now=now,
        )
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert (run.status, run.outcome, run.feedback, run.total, run.done, run.requested_by) == (
        RunStatus.QUEUED,
        "revise",
        "Perbaiki.",
        3,
        0,
        coordinator,
    )
    assert run.plan_ids == sorted(p.pk for p in plans)
    assert not Decision.objects.exists()
    assert set(ActionPlan.objects.values_list("state", flat=True)) == {PlanState.REVIEWED}
    entry = ActivityLog.objects.get(action="decision.run_queued")
    assert (entry.actor, entry.data, entry.created_at) == (
        coordinator,
        {"run_id": run.pk, "plans": 3, "outcome": "revise"},
        now,
    )


def test_the_task_decides_in_batches_with_one_announcement_per_batch(
    cycle, coordinator, reviewed, monkeypatch, heard, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(decision_runs, "DECISION_BATCH", 2)
    plans = reviewed(3)
    co_agent = AgentFactory(user__agency=plans[0].agency)
    plans[0].co_agents.add(co_agent)
    run = request_bulk_decision(cycle, plans=plans, outcome="reject", by=coordinator)
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_bulk_decision(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.done, run.decided, run.skipped, run.error) == (
        RunStatus.DONE,
        3,
        3,
        0,
        "",
    )
    ids = sorted(p.pk for p in plans)
    edge = ("reviewed", "rejected", coordinator, "plan.decide")
    assert heard == [(ids[:2], *edge), (ids[2:], *edge)]
    decisions = list(Decision.objects.order_by("plan_id"))
    assert [(d.plan_id, d.outcome, d.feedback, d.decided_by, d.decided_at) for d in decisions] == [
        (pk, "reject", "Masukan 4.\n\nMasukan 3.", coordinator, run.started_at) for pk in ids
    ]
    for plan, decision in zip(sorted(plans, key=lambda p: p.pk), decisions, strict=True):
        plan.refresh_from_db()
        assert (plan.state, plan.decided_at) == (PlanState.REJECTED, run.started_at)
        assert decision.version == plan.versions.get(number=1)
        assert decision.score == plan.score
    entries = ActivityLog.objects.filter(action="plan.decide").order_by("object_id")
    assert [(e.object_id, e.from_state, e.to_state, e.note) for e in entries] == [
        (pk, "reviewed", "rejected", "reject") for pk in ids
    ]
    # Each plan's team is told, once, in the app and by mail.
    notices = Notification.objects.filter(kind="decision")
    assert sorted(notices.values_list("recipient", flat=True)) == sorted(
        [p.owner.user_id for p in plans] + [co_agent.user_id]
    )
    assert notices.get(recipient=co_agent.user).dedupe_key == f"decision:{decisions[0].pk}"
    assert len(mail.outbox) == 4


def test_a_message_delivered_again_decides_nothing_twice(
    cycle, coordinator, reviewed, django_capture_on_commit_callbacks
):
    plans = reviewed(2)
    run = request_bulk_decision(cycle, plans=plans, outcome="approve", by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        run_bulk_decision(run_id=run.pk)
        run_bulk_decision(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.decided, run.skipped) == (RunStatus.DONE, 2, 0)
    assert Decision.objects.count() == 2
    assert Notification.objects.filter(kind="decision").count() == 2
    assert len(mail.outbox) == 2


def test_a_second_delivery_while_a_worker_holds_the_run_is_ignored(cycle, coordinator, reviewed):
    plans = reviewed(1)
    run = request_bulk_decision(cycle, plans=plans, outcome="approve", by=coordinator)
    now = timezone.now()
    DecisionRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=now, taken_at=now
    )
    run_bulk_decision(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.done) == (RunStatus.RUNNING, 0)
    assert not Decision.objects.exists()


def test_a_run_stopped_by_a_transient_error_goes_on_where_it_stopped(
    cycle, coordinator, reviewed, monkeypatch
):
    monkeypatch.setattr(decision_runs, "DECISION_BATCH", 1)
    plans = reviewed(3)
    run = request_bulk_decision(cycle, plans=plans, outcome="approve", by=coordinator)
    real = decision_runs._decide_batch
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(decision_runs, "_decide_batch", flaky)
    # Called directly (not by a worker), Celery's retry raises the error itself.
    with pytest.raises(OperationalError):
        run_bulk_decision(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.done, Decision.objects.count()) == (RunStatus.QUEUED, 1, 1)
    started = run.started_at
    run_bulk_decision(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.done, run.decided, run.skipped) == (RunStatus.DONE, 3, 3, 0)
    assert run.started_at == started
    assert set(Decision.objects.values_list("decided_at", flat=True)) == {started}
    assert set(ActionPlan.objects.values_list("state", flat=True)) == {PlanState.APPROVED}


def test_a_plan_that_no_longer_awaits_a_decision_is_skipped(cycle, coordinator, reviewed):
    plans = reviewed(2)
    run = request_bulk_decision(cycle, plans=plans, outcome="approve", by=coordinator)
    # Meanwhile the coordinator sends one review back to its reviewer.
    review = plans[1].assignments.first().reviews.get()
    reopen_review(review, by=coordinator, note="Periksa lagi.")
    run_bulk_decision(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.decided, run.skipped) == (RunStatus.DONE, 1, 1)
    assert list(Decision.objects.values_list("plan_id", flat=True)) == [plans[0].pk]
    plans[1].refresh_from_db()
    assert plans[1].state == PlanState.IN_REVIEW


def test_a_revision_without_any_feedback_is_refused_naming_the_plan(cycle, coordinator, reviewed):
    with_text, without = reviewed(1)[0], reviewed(1, feedback=False)[0]
    with pytest.raises(decision_runs.PlanError) as error:
        request_bulk_decision(cycle, plans=[with_text, without], outcome="revise", by=coordinator)
    assert (error.value.field, str(error.value)) == (
        "feedback",
        f"“{without.title}”: Masukan wajib diisi bila rencana perlu revisi atau ditolak.",
    )
    assert not DecisionRun.objects.exists()
    # With feedback for all, or an approval, the same choice is fine.
    run = request_bulk_decision(
        cycle, plans=[with_text, without], outcome="revise", feedback="Perbaiki.", by=coordinator
    )
    assert run.total == 2


def test_a_plan_not_awaiting_a_decision_is_refused_at_the_request(
    cycle, coordinator, reviewed, submitted
):
    other = submitted()
    with pytest.raises(decision_runs.PlanError) as error:
        request_bulk_decision(cycle, plans=[*reviewed(1), other], outcome="approve", by=coordinator)
    assert (error.value.code, str(error.value)) == (
        "invalid_transition",
        f"“{other.title}”: Keputusan hanya dapat diambil setelah semua penilaian masuk.",
    )


def test_a_run_of_a_coordinator_who_lost_the_role_fails_with_the_reason(
    cycle, coordinator, reviewed
):
    plans = reviewed(1)
    run = request_bulk_decision(cycle, plans=plans, outcome="approve", by=coordinator)
    RoleGrant.objects.filter(user=coordinator, role=Role.COORDINATOR).delete()
    run_bulk_decision(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "Hanya koordinator yang dapat memutuskan.")
    assert not Decision.objects.exists()


def test_a_run_that_fails_says_why(cycle, coordinator, reviewed, monkeypatch):
    run = request_bulk_decision(cycle, plans=reviewed(1), outcome="approve", by=coordinator)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(decision_runs, "_decide_batch", broken)
    run_bulk_decision(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == (
        RunStatus.FAILED,
        f"Keputusan massal gagal karena kesalahan sistem (nomor {run.pk}). Keputusan yang "
        "sudah diambil tetap berlaku; coba lagi atau hubungi admin.",
    )


def test_the_sweep_publishes_a_run_the_broker_never_took(cycle, coordinator, reviewed):
    run = request_bulk_decision(cycle, plans=reviewed(1), outcome="approve", by=coordinator)
    # The request's commit callback never ran (the broker was down): unpublished.
    assert run.published_at is None
    assert decision_runs.republish_queued_runs(now=timezone.now()) == []  # not yet 5 s old
    later = timezone.now() + dt.timedelta(seconds=10)
    assert decision_runs.republish_queued_runs(now=later) == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.decided, run.published_at is not None) == (RunStatus.DONE, 1, True)


# --- The board ------------------------------------------------------------------------------


def test_the_board_polls_the_progress_then_shows_the_result(client, cycle, coordinator, reviewed):
    plans = reviewed(3)
    run = request_bulk_decision(cycle, plans=plans, outcome="approve", by=coordinator)
    DecisionRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, done=1)
    client.force_login(coordinator)
    board = client.get(reverse("assessment:decisions"), {"cycle": cycle.code})
    html = board.content.decode()
    status_url = reverse("assessment:decision_run") + f"?cycle={cycle.code}"
    assert f'hx-get="{status_url}"' in html
    assert "1 dari 3 rencana diproses." in html
    assert "Keputusan massal: Disetujui" in html
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    assert fragment.templates[0].name == "assessment/partials/decision_run.html"
    assert "HX-Refresh" not in fragment
    assert 'aria-valuenow="33"' in fragment.content.decode()

    DecisionRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)
    run_bulk_decision(run_id=run.pk)
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"  # the board reloads to show the decided plans
    html = fragment.content.decode()
    assert "hx-get" not in html
    assert "3 rencana diputuskan dan timnya diberi tahu." in html


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.LEADERSHIP, Role.AGENCY_HEAD, "agent"])
def test_only_the_coordinator_asks_for_or_follows_a_bulk_decision(
    client, cycle, coordinator, reviewed, role
):
    plans = reviewed(1)
    request_bulk_decision(cycle, plans=plans, outcome="approve", by=coordinator)
    DecisionRun.objects.update(status=RunStatus.QUEUED)
    user = plans[0].owner.user if role == "agent" else user_with_role(role)
    client.force_login(user)
    status = client.get(reverse("assessment:decision_run"), {"cycle": cycle.code})
    post = client.post(
        reverse("assessment:bulk_decide"),
        {"cycle": cycle.code, "plans": [plans[0].pk], "outcome": "approve", "confirm": "1"},
    )
    assert (status.status_code, post.status_code) == (403, 403)
    with pytest.raises(decision_runs.PlanError) as error:
        request_bulk_decision(cycle, plans=plans, outcome="approve", by=user)
    assert error.value.code == "permission_denied"
    assert DecisionRun.objects.count() == 1
    assert not Decision.objects.exists()
