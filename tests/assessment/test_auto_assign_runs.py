"""Automatic assignment at scale: batched writes (a fixed number of queries), one notice
per reviewer, and the background run (AssignmentRun) of a big cycle."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from agenplan.cycle_cache import versions
from agents.enums import Role
from agents.models import ActivityLog, Notification, RoleGrant
from assessment.enums import RunStatus
from assessment.models import AssignmentRun, ReviewAssignment
from assessment.services import (
    PlanError,
    assign_reviewers,
    auto_assign,
    decide_plan,
    save_review,
    submit_review,
)
from assessment.services import automatic as assignment_services
from assessment.services.runs import STALE_MESSAGE, request_auto_assign
from assessment.tasks import run_auto_assign
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.workflow import submit_plan
from tests.factories import PlanFactory


@pytest.fixture
def plans(cycle):
    def make(n, state=PlanState.SUBMITTED):
        return [PlanFactory(cycle=cycle, state=state) for _ in range(n)]

    return make


@pytest.fixture
def limit(settings):
    """A small AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT, so that a few plans make a "big" cycle."""
    settings.AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT = 3
    return 3


# --- Batched writes -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [4, 20])
def test_auto_assign_costs_the_same_queries_for_n_and_5n_plans(
    cycle, coordinator, pool, plans, size, django_assert_num_queries
):
    pool(3)
    plans(size)
    ContentType.objects.get_for_model(ActionPlan)  # the audit log's type, cached per process
    # The permission (2), the reads (candidates, reviewers, co-agents, conflicts, current
    # pairs, load: 6), one batch (savepoint, lock, pairs under the lock, the assignments,
    # the reviewers' tallies (INSERT, UPDATE), the state UPDATE, the audit entries,
    # release: 9), the dashboard's per-agency figures of the agencies the batch moved
    # (the cycle, the rows made sure of, locked, the plans' figures, the weekly versions,
    # the agents, the measured targets, the upsert: 8) and the cycle's totals (locked,
    # written: 2), the notices (savepoint, counts, reviewers, INSERT, unsent rows, the
    # cycle's own wordings of messages, release: 7).
    with django_assert_num_queries(34):
        result = auto_assign(cycle, by=coordinator)
    assert (len(result.created), result.plans, result.short) == (2 * size, size, {})


def test_batches_write_what_one_by_one_wrote(cycle, coordinator, pool, plans, monkeypatch):
    monkeypatch.setattr(assignment_services, "AUTO_ASSIGN_BATCH", 3)
    reviewers = pool(4)
    made = plans(10)
    now = timezone.now()
    result = auto_assign(cycle, by=coordinator, now=now)

    assert (len(result.created), result.plans) == (20, 10)
    assert set(ActionPlan.objects.filter(cycle=cycle).values_list("state", flat=True)) == {
        PlanState.IN_REVIEW
    }
    loads = sorted(r.review_assignments.filter(is_active=True).count() for r in reviewers)
    assert loads == [5, 5, 5, 5]
    assignment = ReviewAssignment.objects.get(pk=result.created[0].pk)
    assert (assignment.assigned_by, assignment.assigned_at, assignment.due_date) == (
        coordinator,
        now,
        cycle.review_ends,
    )
    # The audit log reads as if each entry had been recorded by record_activity/transition.
    plan = made[0]
    entries = list(
        ActivityLog.objects.filter(
            content_type=ContentType.objects.get_for_model(ActionPlan), object_id=plan.pk
        )
        .order_by("id")
        .values_list(
            "actor", "action", "object_repr", "from_state", "to_state", "note", "data", "created_at"
        )
    )
    mine = plan.assignments.order_by("pk")
    assert entries == [
        *[
            (
                coordinator.pk,
                "assignment.auto",
                plan.title,
                "",
                "",
                "",
                {"reviewer_id": a.reviewer_id, "assignment_id": a.pk},
                now,
            )
            for a in mine
        ],
        (coordinator.pk, "plan.start_review", plan.title, "submitted", "in_review", "", {}, now),
    ]
    assert ActivityLog.objects.filter(action="assignment.auto").count() == 20
    assert ActivityLog.objects.filter(action="plan.start_review").count() == 10


def test_each_batch_announces_its_state_change_once_for_all_its_plans(
    cycle, coordinator, pool, plans, monkeypatch, heard
):
    """Seven plans in batches of three: three announcements (3, 3 and 1 plans), never one
    per plan; plans whose review was already running are not announced again."""
    monkeypatch.setattr(assignment_services, "AUTO_ASSIGN_BATCH", 3)
    pool(3)
    made = sorted(p.pk for p in plans(7))
    (running,) = plans(1, state=PlanState.IN_REVIEW)
    now = timezone.now()
    auto_assign(cycle, by=coordinator, now=now)
    edge = ("submitted", "in_review", coordinator, "plan.start_review")
    assert heard == [
        (made[0:3], *edge),
        (made[3:6], *edge),
        (made[6:7], *edge),
    ]
    assert running.pk not in {pk for ids, *_rest in heard for pk in ids}
    # Nothing left to start: a second run announces nothing.
    heard.clear()
    auto_assign(cycle, by=coordinator, now=now)
    assert heard == []


def test_a_batch_checks_under_its_lock_what_a_plan_still_needs(
    cycle, coordinator, pool, plans, monkeypatch
):
    """A reviewer assigned by hand between the choice and the batch is not assigned again,
    and the plan is not given a third reviewer."""
    a, b, c = pool(3)
    (plan,) = plans(1)
    real = assignment_services._assign_batch

    def meanwhile(*args, **kwargs):
        assign_reviewers(plan, reviewers=[a], by=coordinator)
        return real(*args, **kwargs)

    monkeypatch.setattr(assignment_services, "_assign_batch", meanwhile)
    result = auto_assign(cycle, by=coordinator)
    assert len(result.created) == 1
    assert sorted(plan.assignments.values_list("reviewer__username", flat=True)) == sorted(
        [a.username, result.created[0].reviewer.username]
    )
    assert plan.assignments.filter(is_active=True).count() == 2


def test_bulk_writes_still_make_the_dashboard_forget_the_cycles_figures(
    cycle, coordinator, pool, plans
):
    pool(2)
    plans(3)
    before = versions(cycle.pk)
    auto_assign(cycle, by=coordinator)
    assert versions(cycle.pk)[1] != before[1]


# --- Notifications --------------------------------------------------------------------------


def test_each_reviewer_gets_one_summary_and_one_mail_even_when_retried(
    cycle, coordinator, pool, plans, django_capture_on_commit_callbacks
):
    reviewers = pool(2)
    plans(6)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        auto_assign(cycle, by=coordinator, now=now)
    for reviewer in reviewers:
        (notification,) = reviewer.notifications.all()
        assert (notification.kind, notification.title, notification.url) == (
            "assignment",
            "6 penugasan baru",
            reverse("assessment:queue"),
        )
        assert notification.body == (
            f"Anda mendapat 6 penugasan baru pada {cycle.name}. Tenggat penilaian: "
            f"{indonesian_date(cycle.review_ends)}. Daftarnya ada di antrean penilaian Anda."
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in reviewers)
    assert {m.subject for m in mail.outbox} == {"[AgenPlan] 6 penugasan baru"}
    # The same run again (a retried task: the same moment) neither writes nor mails again.
    with django_capture_on_commit_callbacks(execute=True):
        again = auto_assign(cycle, by=coordinator, now=now)
    assert again.created == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_reviewer_with_one_new_plan_is_told_which(cycle, coordinator, pool, plans):
    cycle.reviewers_per_plan = 1
    cycle.save(update_fields=["reviewers_per_plan"])
    first, second = pool(2)
    made = plans(3)
    auto_assign(cycle, by=coordinator)
    counts = {r: r.review_assignments.count() for r in (first, second)}
    assert sorted(counts.values()) == [1, 2]
    single = min(counts, key=counts.get)
    (notification,) = single.notifications.all()
    plan = single.review_assignments.get().plan
    assert plan in made
    assert (notification.title, notification.url) == (
        f"Penugasan baru: {plan.title}",
        reverse("assessment:review", args=[plan.pk]),
    )
    other = max(counts, key=counts.get)
    assert list(other.notifications.values_list("title", flat=True)) == ["2 penugasan baru"]


def test_manual_assignment_keeps_one_notice_per_assignment(cycle, coordinator, pool, plans):
    reviewer, _other = pool(2)
    first, second = plans(2)
    assign_reviewers(first, reviewers=[reviewer], by=coordinator)
    assign_reviewers(second, reviewers=[reviewer], by=coordinator)
    assert sorted(reviewer.notifications.values_list("title", flat=True)) == sorted(
        [f"Penugasan baru: {first.title}", f"Penugasan baru: {second.title}"]
    )


def test_a_revision_goes_back_to_its_reviewers_by_itself_and_a_batch_leaves_it_to_them(
    cycle, coordinator, pool, submitted, levels_all, plans
):

    revised = submitted()
    old = pool(2)
    assign_reviewers(revised, reviewers=old, by=coordinator)
    for reviewer in old:
        review = save_review(
            revised.assignments.get(reviewer=reviewer), levels=levels_all(3), by=reviewer
        )
        submit_review(review, by=reviewer)
    decide_plan(revised, outcome="revise", feedback="Perbaiki.", by=coordinator)
    submit_plan(revised, by=revised.owner.user)
    revised.refresh_from_db()
    assert revised.state == PlanState.IN_REVIEW
    new = plans(2)
    result = auto_assign(cycle, by=coordinator)
    revised.refresh_from_db()
    assert (result.plans, len(result.created), revised.state) == (2, 4, PlanState.IN_REVIEW)
    assert revised.assignments.filter(is_active=True).count() == 2
    for reviewer in old:
        notices = reviewer.notifications.filter(kind="revision")
        assert list(notices.values_list("title", "dedupe_key")) == [
            (f"Revisi siap dinilai: {revised.title}", f"revision:{revised.pk}:2")
        ]
    assert all(p.assignments.filter(is_active=True).count() == 2 for p in new)
    restart = ActivityLog.objects.get(action="plan.resume_review", object_id=revised.pk)
    assert (restart.actor, restart.from_state, restart.to_state) == (
        None,
        "submitted",
        "in_review",
    )


# --- The background run ---------------------------------------------------------------------


def test_a_small_cycle_is_assigned_at_once_without_a_run(cycle, coordinator, pool, plans):
    pool(2)
    plans(3)
    result = request_auto_assign(cycle, by=coordinator)
    assert (len(result.created), result.plans) == (6, 3)
    assert not AssignmentRun.objects.exists()


def test_a_big_cycle_is_queued_then_the_task_assigns_it(
    cycle, coordinator, pool, plans, limit, django_capture_on_commit_callbacks
):
    reviewers = pool(2)
    plans(limit + 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = request_auto_assign(cycle, by=coordinator)
    assert (run.status, run.total, run.requested_by) == (RunStatus.QUEUED, 4, coordinator)
    assert len(callbacks) == 1  # the task, enqueued once the request commits
    assert not ReviewAssignment.objects.exists()  # nothing done inside the request
    assert ActivityLog.objects.get(action="assignment.run_queued").data == {
        "run_id": run.pk,
        "plans": 4,
    }

    run_auto_assign(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.plans, run.created, run.short, run.done, run.error) == (
        RunStatus.DONE,
        4,
        8,
        0,
        4,
        "",
    )
    assert run.started_at is not None and run.finished_at >= run.started_at
    assert ReviewAssignment.objects.filter(assigned_at=run.started_at).count() == 8
    assert [r.notifications.count() for r in reviewers] == [1, 1]

    # The message delivered again: nothing more happens.
    run_auto_assign(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.created) == (RunStatus.DONE, 8)
    assert Notification.objects.count() == 2


def test_a_run_counts_plans_short_of_reviewers(cycle, coordinator, pool, plans, limit):
    pool(1)
    plans(limit + 1)
    run = request_auto_assign(cycle, by=coordinator)
    run_auto_assign(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.plans, run.created, run.short) == (RunStatus.DONE, 4, 4, 4)


def test_a_second_request_while_a_run_is_queued_is_refused(cycle, coordinator, pool, plans, limit):
    pool(2)
    plans(limit + 1)
    first = request_auto_assign(cycle, by=coordinator)
    with pytest.raises(PlanError) as error:
        request_auto_assign(cycle, by=coordinator)
    assert error.value.code == "running"
    assert str(error.value).startswith(
        "Penugasan otomatis siklus ini sudah berjalan di latar belakang (diminta oleh "
    )
    assert list(AssignmentRun.objects.values_list("pk", flat=True)) == [first.pk]
    # Even a small request waits for the run: it would assign the same plans.
    AssignmentRun.objects.filter(pk=first.pk).update(status=RunStatus.RUNNING)
    with pytest.raises(PlanError) as exc:
        request_auto_assign(cycle, by=coordinator)
    assert (exc.value.code, str(exc.value)) == ("running", str(error.value))
    assert not ReviewAssignment.objects.exists()


def test_a_lost_run_does_not_block_the_cycle_for_ever(cycle, coordinator, pool, plans, limit):
    pool(2)
    plans(limit + 1)
    lost = request_auto_assign(cycle, by=coordinator)
    AssignmentRun.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - dt.timedelta(hours=3)
    )
    again = request_auto_assign(cycle, by=coordinator)
    lost.refresh_from_db()
    assert (lost.status, lost.error) == (RunStatus.FAILED, str(STALE_MESSAGE))
    assert (again.status, again.pk != lost.pk) == (RunStatus.QUEUED, True)


def test_a_run_stopped_by_a_transient_error_goes_on_where_it_stopped(
    cycle, coordinator, pool, plans, limit, monkeypatch
):
    reviewers = pool(2)
    plans(limit + 3)
    monkeypatch.setattr(assignment_services, "AUTO_ASSIGN_BATCH", 2)
    run = request_auto_assign(cycle, by=coordinator)
    real = assignment_services._assign_batch
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(assignment_services, "_assign_batch", flaky)
    # Called directly (not by a worker), Celery's retry raises the error itself.
    with pytest.raises(OperationalError):
        run_auto_assign(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.done, run.plans, run.created) == (RunStatus.QUEUED, 2, 2, 4)
    started = run.started_at
    assert not Notification.objects.exists()

    run_auto_assign(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.plans, run.created, run.short) == (RunStatus.DONE, 6, 12, 0)
    assert run.started_at == started
    assert ReviewAssignment.objects.count() == 12
    assert [r.notifications.get().title for r in reviewers] == ["6 penugasan baru"] * 2


def test_a_run_that_fails_says_why(cycle, coordinator, pool, plans, limit, monkeypatch):
    pool(2)
    plans(limit + 1)
    run = request_auto_assign(cycle, by=coordinator)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(assignment_services, "_assign_batch", broken)
    run_auto_assign(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == (
        RunStatus.FAILED,
        f"Penugasan otomatis gagal karena kesalahan sistem (nomor {run.pk}). Penugasan yang "
        "sudah dibuat tetap berlaku; coba lagi atau hubungi admin.",
    )
    assert run.finished_at is not None


def test_a_run_of_a_coordinator_who_lost_the_role_fails_with_the_reason(
    cycle, coordinator, pool, plans, limit
):
    pool(2)
    plans(limit + 1)
    run = request_auto_assign(cycle, by=coordinator)
    RoleGrant.objects.filter(user=coordinator, role=Role.COORDINATOR).delete()
    run_auto_assign(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == (
        RunStatus.FAILED,
        "Hanya koordinator yang dapat menugaskan.",
    )
    assert not ReviewAssignment.objects.exists()


# --- The pages ------------------------------------------------------------------------------


def test_the_view_queues_a_big_cycle_and_refuses_a_second_click(
    client, cycle, coordinator, pool, plans, limit
):
    pool(2)
    plans(limit + 1)
    client.force_login(coordinator)
    url = reverse("assessment:auto_assign")
    response = client.post(url, {"cycle": cycle.code}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Penugasan otomatis untuk 4 rencana berjalan di latar belakang; "
        "statusnya tampil di halaman ini."
    ]
    assert response.context["run"].status == RunStatus.QUEUED
    response = client.post(url, {"cycle": cycle.code}, follow=True)
    (message,) = response.context["messages"]
    assert (message.level_tag, str(message).split(" (")[0]) == (
        "error",
        "Penugasan otomatis siklus ini sudah berjalan di latar belakang",
    )
    assert AssignmentRun.objects.count() == 1


def test_the_view_assigns_a_small_cycle_at_once(client, cycle, coordinator, pool, plans):
    pool(2)
    plans(2)
    client.force_login(coordinator)
    response = client.post(reverse("assessment:auto_assign"), {"cycle": cycle.code}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["4 penugasan dibuat untuk 2 rencana."]
    assert response.context["run"] is None


def _auto_assign_button(html: str) -> str:
    """The opening tag of the "Tugaskan otomatis" button, up to its confirmation text."""
    return html.split('data-confirm="Tugaskan reviewer')[0].rsplit("<button", 1)[1]


def _run(cycle, coordinator, **fields):
    return AssignmentRun.objects.create(cycle=cycle, requested_by=coordinator, **fields)


def test_the_page_polls_a_queued_run_and_shows_its_progress(client, cycle, coordinator):
    _run(cycle, coordinator, status=RunStatus.RUNNING, total=2000, done=500)
    client.force_login(coordinator)
    page = client.get(reverse("assessment:assignments"), {"cycle": cycle.code})
    html = page.content.decode()
    poll = f'hx-get="{reverse("assessment:assignment_run")}?cycle={cycle.code}"'
    assert poll in html
    assert 'hx-trigger="every 2s"' in html
    assert "Sedang berjalan" in html
    assert "500 dari 2.000 rencana diproses." in html
    assert "disabled" in _auto_assign_button(html)
    fragment = client.get(
        reverse("assessment:assignment_run"), {"cycle": cycle.code}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert fragment.content.decode().count('id="assignment-run"') == 1
    assert poll in fragment.content.decode()
    assert "HX-Refresh" not in fragment


def test_a_poll_that_finds_the_run_ended_reloads_the_page(client, cycle, coordinator):
    run = _run(cycle, coordinator, status=RunStatus.RUNNING, total=4, done=2)
    client.force_login(coordinator)
    run.status, run.done, run.finished_at = RunStatus.DONE, 4, timezone.now()
    run.save()
    fragment = client.get(
        reverse("assessment:assignment_run"), {"cycle": cycle.code}, headers={"HX-Request": "true"}
    )
    assert fragment["HX-Refresh"] == "true"
    page = client.get(reverse("assessment:assignments"), {"cycle": cycle.code}).content.decode()
    assert "disabled" not in _auto_assign_button(page)


def test_the_page_shows_a_finished_run_without_polling(client, cycle, coordinator):
    finished = timezone.now()
    _run(
        cycle,
        coordinator,
        status=RunStatus.DONE,
        total=4,
        done=4,
        plans=4,
        created=7,
        short=1,
        started_at=finished,
        finished_at=finished,
    )
    client.force_login(coordinator)
    html = client.get(reverse("assessment:assignment_run"), {"cycle": cycle.code}).content
    html = html.decode()
    assert "hx-get" not in html
    assert "7 penugasan dibuat untuk 4 rencana." in html
    assert "1 rencana belum mendapat cukup reviewer yang bebas konflik." in html
    assert 'data-status="done"' in html


def test_the_page_shows_why_a_run_failed(client, cycle, coordinator):
    _run(cycle, coordinator, status=RunStatus.FAILED, error="Basis data tidak dapat dihubungi.")
    client.force_login(coordinator)
    html = client.get(reverse("assessment:assignments"), {"cycle": cycle.code}).content.decode()
    assert "hx-get" not in html.split('id="assignment-run"')[1].split("</div>")[0]
    assert "Gagal" in html
    assert "Basis data tidak dapat dihubungi." in html


MONTHS = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"


def indonesian_date(day) -> str:
    """A date as an Indonesian reader writes it: "9 Januari 2027"."""
    return f"{day.day} {MONTHS.split()[day.month - 1]} {day.year}"
