"""The implementation phase's services: entering it, reporting, verifying, completing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agents.enums import Role
from agents.models import ActivityLog, Notification
from monitoring.enums import ActivityStatus, ChangeState, ReportState
from monitoring.models import TargetRealisation
from monitoring.services import (
    accept_report,
    add_evidence,
    complete_with_closing,
    decide_change,
    enter_due_implementations,
    open_report,
    request_change,
    return_report,
    save_report,
    submit_closing_report,
    submit_report,
)
from plans.enums import PlanState, TargetDirection
from plans.services.common import PlanError
from tests.factories import AgentFactory, CycleFactory, user_with_role

from .conftest import approved_plan

PDF = b"%PDF-1.4\n%bukti\n"


def filled(report, *, by, values=None):
    targets = list(report.plan.targets.all())
    values = values or {t.pk: Decimal("50") for t in targets}
    return save_report(
        report,
        by=by,
        lock_version=report.lock_version,
        narrative={"done_text": "Aplikasi diluncurkan.", "obstacles": "Jaringan."},
        values={pk: (v, timezone.localdate()) for pk, v in values.items()},
        activities={
            a.pk: (ActivityStatus.RUNNING, a.start_month, None)
            for a in report.plan.activities.all()
        },
    )


def test_approved_plans_enter_implementation_once_the_window_opens(
    running_cycle, heard, coordinator
):
    plans = [approved_plan(running_cycle) for _ in range(3)]
    future = CycleFactory()  # window not open yet
    waiting = approved_plan(future)
    assert enter_due_implementations() == 3
    assert enter_due_implementations() == 0
    for plan in plans:
        plan.refresh_from_db()
        assert plan.state == PlanState.IMPLEMENTING
    waiting.refresh_from_db()
    assert waiting.state == PlanState.APPROVED
    assert heard == [
        (sorted(p.pk for p in plans), PlanState.APPROVED, PlanState.IMPLEMENTING, None,
         "plan.implement")
    ]  # fmt: skip
    assert ActivityLog.objects.filter(action="plan.implement", actor=None).count() == 3


def test_report_written_handed_in_and_accepted_counts(running_plan, agent, plan_reviewer):
    report = open_report(running_plan, period=1, by=agent.user)
    assert report.state == ReportState.DRAFT
    assert report.values.count() == running_plan.targets.count()
    assert open_report(running_plan, period=1, by=agent.user).pk == report.pk
    filled(report, by=agent.user)
    submit_report(report, by=agent.user)
    assert report.state == ReportState.SUBMITTED
    assert Notification.objects.filter(recipient=plan_reviewer, kind="progress_submitted").exists()
    assert not TargetRealisation.objects.exists()
    accept_report(report, by=plan_reviewer, note="Sesuai bukti.")
    # Targets go from 20 to 80: 50 is half the way.
    assert sorted(TargetRealisation.objects.values_list("counted", flat=True)) == [
        Decimal("50.00"),
        Decimal("50.00"),
    ]
    assert ActivityLog.objects.filter(action="progress.accept").count() == 1


def test_returned_report_is_answered_and_handed_in_again(running_plan, agent, plan_reviewer):
    report = filled(open_report(running_plan, period=1, by=agent.user), by=agent.user)
    submit_report(report, by=agent.user)
    target = running_plan.targets.first()
    with pytest.raises(PlanError) as refused:
        return_report(report, by=plan_reviewer, comments={})
    assert refused.value.field == "comments"
    return_report(report, by=plan_reviewer, comments={target.pk: "Lampirkan laporan SIMPEG."})
    assert report.state == ReportState.RETURNED
    assert report.values.get(target=target).comment == "Lampirkan laporan SIMPEG."
    save_report(report, by=agent.user, lock_version=report.lock_version,
                narrative={"answer": "Sudah dilampirkan."})  # fmt: skip
    submit_report(report, by=agent.user)
    assert report.state == ReportState.SUBMITTED
    assert report.answer == "Sudah dilampirkan."


def test_only_the_plans_reviewer_or_a_coordinator_verifies(running_plan, agent, coordinator):
    report = filled(open_report(running_plan, period=1, by=agent.user), by=agent.user)
    submit_report(report, by=agent.user)
    stranger = user_with_role(Role.REVIEWER)
    for user in (stranger, agent.user):
        with pytest.raises(PlanError) as refused:
            accept_report(report, by=user)
        assert refused.value.code == "permission_denied"
    accept_report(report, by=coordinator)
    assert report.state == ReportState.ACCEPTED


def test_colleague_cannot_report(running_plan, agent):
    colleague = AgentFactory(agency=agent.agency, user__agency=agent.agency)
    with pytest.raises(PlanError) as refused:
        open_report(running_plan, period=1, by=colleague.user)
    assert refused.value.code == "permission_denied"


def test_handing_in_needs_every_value_and_a_stale_save_is_refused(running_plan, agent):
    report = open_report(running_plan, period=1, by=agent.user)
    with pytest.raises(PlanError) as refused:
        submit_report(report, by=agent.user)
    assert refused.value.field == "done_text"
    save_report(report, by=agent.user, lock_version=0, narrative={"done_text": "Rapat."})
    with pytest.raises(PlanError) as refused:
        submit_report(report, by=agent.user)
    assert refused.value.field == "values"
    with pytest.raises(PlanError) as refused:
        save_report(report, by=agent.user, lock_version=0, narrative={"done_text": "x"})
    assert refused.value.code == "conflict"


def test_future_period_cannot_be_opened(running_plan, agent):
    with pytest.raises(PlanError) as refused:
        open_report(running_plan, period=8, by=agent.user)
    assert refused.value.code == "phase"


def test_evidence_files_follow_the_attachment_rules(running_plan, agent, private_media):
    report = open_report(running_plan, period=1, by=agent.user)
    ok = add_evidence(report, by=agent.user, uploaded=SimpleUploadedFile("bukti.pdf", PDF))
    assert ok.content_type == "application/pdf"
    link = add_evidence(report, by=agent.user, link="https://example.org/berita")
    assert link.link == "https://example.org/berita"
    with pytest.raises(PlanError) as refused:
        add_evidence(report, by=agent.user, uploaded=SimpleUploadedFile("x.pdf", b"MZ\x90"))
    assert refused.value.field == "file"
    with pytest.raises(PlanError) as refused:
        add_evidence(report, by=agent.user, link="javascript:alert(1)")
    assert refused.value.field == "link"


def test_lower_is_better_target_counts_its_way_down(running_plan, agent, plan_reviewer):
    target = running_plan.targets.first()
    target.direction, target.baseline, target.target_value = TargetDirection.LOWER, 14, 3
    target.save()
    report = open_report(running_plan, period=1, by=agent.user)
    others = {t.pk: Decimal("80") for t in running_plan.targets.exclude(pk=target.pk)}
    filled(report, by=agent.user, values={target.pk: Decimal("8"), **others})
    submit_report(report, by=agent.user)
    accept_report(report, by=plan_reviewer)
    row = TargetRealisation.objects.get(target=target)
    assert (row.realisation, row.counted) == (Decimal("54.55"), Decimal("54.55"))


def test_change_request_decided_by_the_coordinator(running_plan, agent, coordinator):
    target = running_plan.targets.first()
    change = request_change(
        running_plan,
        what="Naikkan target",
        why="Anggaran",
        by=agent.user,
        targets={target.pk: {"target_value": Decimal("90")}},
    )
    with pytest.raises(PlanError):
        decide_change(change, approve=False, by=coordinator)
    decide_change(change, approve=True, by=coordinator, note="Setuju")
    assert change.state == ChangeState.APPROVED
    assert ActivityLog.objects.filter(action="change.approve").count() == 1
    with pytest.raises(PlanError) as refused:
        decide_change(change, approve=True, by=agent.user)
    assert refused.value.code == "permission_denied"


def test_closing_report_then_coordinator_completes(running_plan, agent, coordinator, heard):
    with pytest.raises(PlanError) as refused:
        complete_with_closing(running_plan, by=coordinator)
    assert refused.value.code == "incomplete"
    data = {"results": "Tercapai", "internal_impact": "Cepat", "external_impact": "Puas"}
    with pytest.raises(PlanError) as refused:
        submit_closing_report(running_plan, by=agent.user, data={**data, "results": ""})
    assert refused.value.field == "results"
    submit_closing_report(running_plan, by=agent.user, data={**data, "continues": True})
    with pytest.raises(PlanError):
        complete_with_closing(running_plan, by=agent.user)
    complete_with_closing(running_plan, by=coordinator)
    assert running_plan.state == PlanState.COMPLETED
    assert heard[-1][1:3] == (PlanState.IMPLEMENTING, PlanState.COMPLETED)


def test_accepting_a_later_period_replaces_the_realisation(running_plan, agent, plan_reviewer):
    first = filled(open_report(running_plan, period=1, by=agent.user), by=agent.user)
    submit_report(first, by=agent.user)
    accept_report(first, by=plan_reviewer)
    targets = list(running_plan.targets.all())
    second = open_report(running_plan, period=2, by=agent.user)
    filled(second, by=agent.user, values={t.pk: Decimal("80") for t in targets})
    submit_report(second, by=agent.user)
    assert set(TargetRealisation.objects.values_list("counted", flat=True)) == {Decimal("50")}
    accept_report(second, by=plan_reviewer, now=timezone.now() + dt.timedelta(hours=1))
    assert set(TargetRealisation.objects.values_list("counted", flat=True)) == {Decimal("100")}
