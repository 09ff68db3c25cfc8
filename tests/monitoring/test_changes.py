"""Change requests apply their change: the agent states the new values of fixed targets
and activities, the coordinator sees the old beside the new, approval writes them to the
plan in one transaction (history, audit log, realisation measured again); a refusal, a
stale request and every chair that may not decide leave the plan as it was."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agents.models import ActivityLog
from monitoring.enums import ChangeState
from monitoring.models import ChangeRequest, TargetRealisation
from monitoring.services import (
    accept_report,
    decide_change,
    open_report,
    request_change,
    save_report,
    submit_report,
)
from plans.enums import TargetDirection
from plans.models import Activity, Target
from plans.selectors import plan_history
from plans.services.common import PlanError
from plans.templatetags.plan_ui import action_label
from tests.factories import AgentFactory, UserFactory

from .conftest import approved_plan


def plan_rows(plan):
    return (
        list(Target.objects.filter(plan=plan).values_list("target_value", "due_date")),
        list(Activity.objects.filter(plan=plan).values_list("start_month", "end_month")),
    )


@pytest.fixture
def target(running_plan):
    return running_plan.targets.first()


@pytest.fixture
def activity(running_plan):
    return running_plan.activities.first()


@pytest.fixture
def change(running_plan, agent, target, activity):
    cycle = running_plan.cycle
    later = (cycle.implementation_start + dt.timedelta(days=40)).replace(day=1)
    return request_change(
        running_plan,
        what="Target dinaikkan; kegiatan pertama diperpanjang satu bulan.",
        why="Anggaran perubahan disetujui.",
        by=agent.user,
        targets={target.pk: {"target_value": Decimal("120"), "due_date": None}},
        activities={activity.pk: {"start_month": None, "end_month": later}},
    )


def test_the_request_keeps_the_old_and_new_values_and_changes_nothing_yet(
    running_plan, change, target, activity
):
    before = plan_rows(running_plan)
    assert [(i["kind"], i["id"], i["field"]) for i in change.changes] == [
        ("target", target.pk, "target_value"),
        ("activity", activity.pk, "end_month"),
    ]
    assert (change.changes[0]["old"], change.changes[0]["new"]) == ("80.00", "120")
    assert change.changes[1]["old"] == activity.end_month.isoformat()
    assert plan_rows(running_plan) == before
    assert ActivityLog.objects.filter(action="change.request").count() == 1


def test_approval_applies_the_values_with_history_audit_and_new_realisation(
    running_plan, agent, plan_reviewer, coordinator, change, target, activity
):
    # A verified value of 50 from 20 towards 80 is 50 %; towards 120 it is 30 %.
    report = open_report(running_plan, period=1, by=agent.user)
    save_report(
        report,
        by=agent.user,
        lock_version=report.lock_version,
        narrative={"done_text": "Berjalan."},
        values={t.pk: (Decimal("50"), None) for t in running_plan.targets.all()},
    )
    submit_report(report, by=agent.user)
    accept_report(report, by=plan_reviewer)
    assert TargetRealisation.objects.get(target=target).counted == Decimal("50.00")

    decide_change(change, approve=True, by=coordinator, note="Sesuai APBD perubahan.")

    target.refresh_from_db()
    activity.refresh_from_db()
    assert target.target_value == Decimal("120")
    assert activity.end_month == dt.date.fromisoformat(change.changes[1]["new"])
    assert TargetRealisation.objects.get(target=target).counted == Decimal("30.00")
    change.refresh_from_db()
    assert (change.state, change.decided_by) == (ChangeState.APPROVED, coordinator)
    entry = ActivityLog.objects.get(action="change.approve")
    assert entry.data["applied"] == change.changes
    assert "80.00 → 120" in entry.note and "Sesuai APBD perubahan." in entry.note
    history = plan_history(running_plan, viewer=agent.user)
    assert any(h.action == "change.approve" and "→ 120" in h.note for h in history)
    assert action_label("change.approve") == "Perubahan disetujui dan diterapkan"


def test_refusal_leaves_the_plan_unchanged(running_plan, coordinator, change):
    before = plan_rows(running_plan)
    with pytest.raises(PlanError) as refused:
        decide_change(change, approve=False, by=coordinator)
    assert refused.value.field == "note"
    decide_change(change, approve=False, by=coordinator, note="Tidak sesuai anggaran.")
    assert plan_rows(running_plan) == before
    assert ChangeRequest.objects.get().state == ChangeState.REFUSED
    assert ActivityLog.objects.get(action="change.refuse").data["applied"] == []
    with pytest.raises(PlanError) as again:
        decide_change(change, approve=True, by=coordinator)
    assert again.value.code == "state"


def test_a_request_overtaken_by_another_change_is_refused_whole(
    running_plan, agent, coordinator, change, target
):
    other = request_change(
        running_plan,
        what="Target 100.",
        why="Revisi.",
        by=agent.user,
        targets={target.pk: {"target_value": Decimal("100")}},
    )
    decide_change(other, approve=True, by=coordinator)
    before = plan_rows(running_plan)
    with pytest.raises(PlanError) as stale:
        decide_change(change, approve=True, by=coordinator)
    assert stale.value.code == "stale"
    # Nothing of it was written, not even the activity's month.
    assert plan_rows(running_plan) == before
    assert ChangeRequest.objects.get(pk=change.pk).state == ChangeState.PENDING


@pytest.mark.parametrize("chair", ["owner", "colleague", "reviewer", "other_agent", "superuser"])
def test_who_may_not_decide_a_change(running_plan, agent, plan_reviewer, change, chair):
    people = {
        "owner": lambda: agent.user,
        "colleague": lambda: AgentFactory(agency=agent.agency).user,
        "reviewer": lambda: plan_reviewer,
        "other_agent": lambda: AgentFactory().user,
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    before = plan_rows(running_plan)
    with pytest.raises(PlanError) as refused:
        decide_change(change, approve=True, by=people[chair]())
    assert refused.value.code == "permission_denied"
    assert plan_rows(running_plan) == before
    assert ChangeRequest.objects.get().state == ChangeState.PENDING


@pytest.mark.parametrize("chair", ["colleague", "reviewer", "other_agent", "coordinator"])
def test_who_may_not_request_a_change(running_plan, agent, plan_reviewer, coordinator, chair):
    people = {
        "colleague": lambda: AgentFactory(agency=agent.agency).user,
        "reviewer": lambda: plan_reviewer,
        "other_agent": lambda: AgentFactory().user,
        "coordinator": lambda: coordinator,
    }
    target = running_plan.targets.first()
    with pytest.raises(PlanError) as refused:
        request_change(
            running_plan,
            what="x",
            why="y",
            by=people[chair](),
            targets={target.pk: {"target_value": Decimal("90")}},
        )
    assert refused.value.code == "permission_denied"
    assert not ChangeRequest.objects.exists()


def test_bad_values_are_refused_on_their_field(running_plan, agent, target, activity):
    cycle = running_plan.cycle
    after = cycle.implementation_end + dt.timedelta(days=1)
    before_start = (cycle.implementation_start - dt.timedelta(days=1)).replace(day=1)

    def ask(**rows):
        with pytest.raises(PlanError) as refused:
            request_change(running_plan, what="x", why="y", by=agent.user, **rows)
        return refused.value.field

    assert ask(targets={target.pk: {"due_date": after}}) == f"target-{target.pk}-due_date"
    assert (
        ask(activities={activity.pk: {"start_month": before_start}})
        == f"activity-{activity.pk}-start_month"
    )
    later = (activity.start_month + dt.timedelta(days=40)).replace(day=1)
    activity.end_month = later
    activity.save()
    assert (
        ask(activities={activity.pk: {"start_month": later + dt.timedelta(days=31)}})
        == f"activity-{activity.pk}-end_month"
    )
    # Nothing new (the current value again, or nothing at all).
    assert ask(targets={target.pk: {"target_value": target.target_value}}) == "changes"
    assert ask() == "changes"
    # A row of another plan.
    foreign = approved_plan(running_plan.cycle).targets.first()
    assert ask(targets={foreign.pk: {"target_value": Decimal("1")}}) == "changes"
    target.direction = TargetDirection.QUALITATIVE
    target.save()
    assert (
        ask(targets={target.pk: {"target_value": Decimal("1")}})
        == f"target-{target.pk}-target_value"
    )
    assert not ChangeRequest.objects.exists()


# --- Through the pages ------------------------------------------------------------------


def url(name, plan):
    return reverse(f"monitoring:{name}", args=[plan.pk])


def test_pages_request_show_old_and_new_and_approve(
    client, running_plan, agent, coordinator, target
):
    client.force_login(agent.user)
    page = client.get(url("plan", running_plan)).content.decode()
    assert f'name="target-{target.pk}-target_value"' in page
    refused = client.post(
        url("change_request", running_plan),
        {"what": "Naik", "why": "Anggaran", f"target-{target.pk}-due_date": "1999-01-01"},
    )
    assert refused.status_code == 200
    assert "Harus di dalam masa pelaksanaan." in refused.content.decode()
    assert not ChangeRequest.objects.exists()
    sent = client.post(
        url("change_request", running_plan),
        {"what": "Naik", "why": "Anggaran", f"target-{target.pk}-target_value": "95,5"},
    )
    assert sent.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.changes[0]["new"] == "95.5"

    client.force_login(coordinator)
    page = client.get(url("plan", running_plan)).content.decode()
    assert "Nilai lama" in page and "80" in page and "95,5" in page
    decided = client.post(url("change_decide", running_plan), {"change": change.pk, "approve": "1"})
    assert decided.status_code == 302
    target.refresh_from_db()
    assert target.target_value == Decimal("95.5")


def test_pages_refuse_the_chairs_that_may_not_decide(
    client, running_plan, agent, plan_reviewer, change
):
    before = plan_rows(running_plan)
    for user, status in (
        (agent.user, 403),
        (plan_reviewer, 403),
        (AgentFactory(agency=agent.agency).user, 404),
        (AgentFactory().user, 404),
    ):
        client.force_login(user)
        answer = client.post(
            url("change_decide", running_plan), {"change": change.pk, "approve": "1"}
        )
        assert answer.status_code == status
    assert plan_rows(running_plan) == before
    assert ChangeRequest.objects.get().state == ChangeState.PENDING
