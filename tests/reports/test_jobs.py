"""Report jobs with Celery running eagerly: requests, reuse, failures, retries, the batch
latch, recovery, and the job pages (list, status partial, download, verification)."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.urls import reverse
from django.utils import timezone

from agenplan.celery import app
from agents.enums import Role
from agents.models import RoleGrant
from assessment.services import decide_plan
from plans import sections
from plans.models import Activity, PlanVersion
from plans.services.common import PlanError
from plans.services.workflow import submit_plan
from reports import services
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from reports.rendering.batch import CONTENTS_NAME, INDEX_NAME, assemble
from reports.rendering.fingerprint import fingerprint_for
from reports.rendering.plan_document import load_plan, plan_document_context
from reports.selectors import jobs as job_selectors
from reports.services import storage
from reports.verification import packet_code, packet_tag
from tests.factories import AgentFactory, PlanFactory, UserFactory, user_with_role

from .scenario import detailed_plan, reviewed_plan

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def eager_retries():
    """Celery cannot retry eagerly while eager exceptions propagate (a Retry would be
    raised to the caller): let the eager task retry itself, as a worker would."""
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def _files(media: Path, job: ReportJob) -> list[str]:
    folder = media / "reports" / "jobs" / str(job.pk)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _plan_doc(scenario, capture, *, by=None):
    with capture(execute=True):
        return services.request_plan_report(
            kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=by or scenario.agent
        )


# --- Requests, reuse and the task after commit ---------------------------------------------


def test_request_creates_a_job_that_the_task_renders_after_commit(
    scenario, django_capture_on_commit_callbacks, private_media
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.request_plan_report(
            kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent
        )
    assert job.status == JobStatus.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.progress == 100
    assert job.attempts == 1
    assert job.error == ""
    assert job.title == "Layanan perizinan daring satu pintu"
    assert job.agency_name == "Dinas Penanaman Modal dan PTSP"
    assert job.started_at <= job.finished_at
    assert job.duration == job.finished_at - job.started_at
    assert len(job.verification_code) == 16
    assert _files(private_media, job) == [
        f"rencana-tindak-{scenario.plan.pk}-layanan-perizinan-daring-satu-pintu.pdf"
    ]


def test_no_task_is_enqueued_when_the_transaction_rolls_back(
    scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.request_plan_report(
                kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent
            )
            raise RuntimeError("the request fails after the job was created")
    assert callbacks == []
    assert ReportJob.objects.count() == 0


def test_identical_request_reuses_the_finished_file(scenario, django_capture_on_commit_callbacks):
    first = _plan_doc(scenario, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as callbacks:
        again = services.request_plan_report(
            kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent
        )
    assert again.pk == first.pk
    assert callbacks == []


def test_a_repeated_request_while_queued_returns_the_same_job(
    scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        first = services.request_plan_report(
            kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent
        )
        second = services.request_plan_report(
            kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent
        )
    assert second.pk == first.pk


def test_a_changed_activity_makes_a_new_plan_document(db, django_capture_on_commit_callbacks):
    scenario = reviewed_plan(decide=False)
    plan = scenario.plan
    before = fingerprint_for(ReportKind.PLAN_DOCUMENT, {"plan_id": plan.pk})
    # A draft edit of an activity's text, without touching the plan row.
    Activity.objects.filter(plan=plan, order=0).update(title="Tahap 1 yang diubah")
    after = fingerprint_for(ReportKind.PLAN_DOCUMENT, {"plan_id": plan.pk})
    assert before != after


def test_each_alignment_relation_of_the_registry_is_in_the_plan_document_fingerprint(db):
    plan = reviewed_plan(decide=False).plan
    params = {"plan_id": plan.pk}
    for name in sections.many_names():
        before = fingerprint_for(ReportKind.PLAN_DOCUMENT, params)
        # Written without touching the plan row (as the admin's inline would).
        chosen = getattr(plan, name)
        extra = chosen.model.objects.create(code=f"X{name[:4]}", name=f"Tambahan {name}")
        chosen.add(extra)
        assert fingerprint_for(ReportKind.PLAN_DOCUMENT, params) != before, name


def test_a_new_review_or_decision_changes_the_packet_and_the_cycle_fingerprints(db):
    scenario = reviewed_plan(decide=False)
    plan_params = {"plan_id": scenario.plan.pk}
    cycle_params = {"cycle_id": scenario.cycle.pk}
    packet = fingerprint_for(ReportKind.REVIEW_PACKET, plan_params)
    summary = fingerprint_for(ReportKind.CYCLE_SUMMARY, cycle_params)
    scores = fingerprint_for(ReportKind.SCORES_XLSX, cycle_params)
    document = fingerprint_for(ReportKind.PLAN_DOCUMENT, plan_params)

    decide_plan(scenario.plan, outcome="approve", feedback="", by=scenario.coordinator)
    assert fingerprint_for(ReportKind.REVIEW_PACKET, plan_params) != packet
    assert fingerprint_for(ReportKind.CYCLE_SUMMARY, cycle_params) != summary
    assert fingerprint_for(ReportKind.SCORES_XLSX, cycle_params) != scores
    # The plan document prints the plan, not its reviews; the decision changed its state,
    # which it prints nowhere but which bumps updated_at: a new document is acceptable.
    assert fingerprint_for(ReportKind.PLAN_DOCUMENT, plan_params) != document


def test_a_score_saved_without_updated_at_changes_the_cycle_fingerprint(scenario):
    params = {"cycle_id": scenario.cycle.pk}
    before = fingerprint_for(ReportKind.CYCLE_SUMMARY, params)
    type(scenario.plan).objects.filter(pk=scenario.plan.pk).update(score=12)
    assert fingerprint_for(ReportKind.CYCLE_SUMMARY, params) != before


# --- Who may ask for what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "kind", "allowed"),
    [
        ("owner", ReportKind.PLAN_DOCUMENT, True),
        # The full packet stays with the Biro Organisasi and leadership.
        ("owner", ReportKind.REVIEW_PACKET, False),
        # A colleague in the same agency sees the plan's title and state, not its content.
        ("colleague", ReportKind.PLAN_DOCUMENT, False),
        ("colleague", ReportKind.REVIEW_PACKET, False),
        ("head", ReportKind.PLAN_DOCUMENT, True),
        ("head", ReportKind.REVIEW_PACKET, False),
        ("reviewer", ReportKind.PLAN_DOCUMENT, True),
        ("reviewer", ReportKind.REVIEW_PACKET, False),
        ("stranger", ReportKind.PLAN_DOCUMENT, False),
        ("coordinator", ReportKind.REVIEW_PACKET, True),
        ("leader", ReportKind.REVIEW_PACKET, True),
        ("owner", ReportKind.CYCLE_SUMMARY, False),
        ("head", ReportKind.SCORES_XLSX, False),
        ("reviewer", ReportKind.CYCLE_PACKETS, False),
        ("coordinator", ReportKind.CYCLE_SUMMARY, True),
        ("leader", ReportKind.CYCLE_PACKETS, True),
        # Roles are explicit grants: neither the admin role nor the admin flags ask for
        # what a coordinator may.
        ("admin", ReportKind.PLANS_XLSX, False),
        ("superuser", ReportKind.SCORES_XLSX, False),
        ("superuser", ReportKind.REVIEW_PACKET, False),
        ("superuser", ReportKind.PLAN_DOCUMENT, False),
        ("staff", ReportKind.CYCLE_SUMMARY, False),
    ],
)
def test_who_may_request_which_report(scenario, who, kind, allowed):
    people = {
        "owner": scenario.agent,
        "colleague": AgentFactory(user__agency=scenario.plan.agency).user,
        "head": scenario.head,
        "reviewer": scenario.reviewers[0],
        "stranger": AgentFactory().user,
        "coordinator": scenario.coordinator,
        "leader": user_with_role(Role.LEADERSHIP),
        "admin": user_with_role(Role.ADMIN),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "staff": UserFactory(is_staff=True),
    }
    params = (
        {"plan_id": scenario.plan.pk}
        if kind in (ReportKind.PLAN_DOCUMENT, ReportKind.REVIEW_PACKET)
        else {"cycle_id": scenario.cycle.pk}
    )
    if allowed:
        job = services.request_report(kind=kind, params=params, by=people[who])
        assert job.status == JobStatus.QUEUED
    else:
        with pytest.raises(PlanError) as refused:
            services.request_report(kind=kind, params=params, by=people[who])
        assert refused.value.code == "permission_denied"
        assert ReportJob.objects.count() == 0


# --- Failures, retries, transient errors ------------------------------------------------------


def test_a_failing_render_ends_failed_with_a_message_and_can_be_retried(
    scenario, django_capture_on_commit_callbacks, monkeypatch, private_media
):
    def broken(html):
        raise RuntimeError("WeasyPrint exploded")

    monkeypatch.setattr("reports.rendering.pdf.html_to_pdf", broken)
    job = _plan_doc(scenario, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        f"Laporan gagal dibuat karena kesalahan pada server (laporan #{job.pk}). Silakan coba "
        "lagi; bila gagal lagi, hubungi admin dengan menyebutkan nomor laporan ini."
    )
    assert job.finished_at is not None
    assert not job.file
    assert services.can_retry(job) is True

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = services.retry_job(job, by=scenario.agent)
    retried.refresh_from_db()
    assert retried.pk == job.pk
    assert retried.status == JobStatus.DONE
    assert retried.attempts == 2
    assert retried.error == ""
    assert len(_files(private_media, retried)) == 1


def test_a_report_about_a_deleted_plan_fails_with_a_message(db, django_capture_on_commit_callbacks):
    plan = PlanFactory()
    agent = plan.owner.user
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.request_plan_report(kind=ReportKind.PLAN_DOCUMENT, plan=plan, by=agent)
    plan.delete()
    callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "Rencana tindak ini sudah tidak ada.")


def test_transient_errors_are_retried_then_the_job_fails_with_a_message(
    scenario, django_capture_on_commit_callbacks, monkeypatch, eager_retries
):
    calls = []

    def unavailable(job_id, *, worker=""):
        calls.append(job_id)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "run_job", unavailable)
    job = _plan_doc(scenario, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert len(calls) == 6  # the first try and max_retries = 5
    assert job.status == JobStatus.FAILED
    assert job.error == str(services.TRANSIENT_MESSAGE)


def test_a_transient_error_then_success_finishes_the_job(
    scenario, django_capture_on_commit_callbacks, monkeypatch, eager_retries
):
    real = services.run_job
    calls = []

    def flaky(job_id, *, worker=""):
        calls.append(job_id)
        if len(calls) == 1:
            raise ConnectionError("broker reset")
        return real(job_id, worker=worker)

    monkeypatch.setattr(services, "run_job", flaky)
    job = _plan_doc(scenario, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (len(calls), job.status) == (2, JobStatus.DONE)


def test_only_failed_or_stale_jobs_can_be_retried(scenario, django_capture_on_commit_callbacks):
    job = _plan_doc(scenario, django_capture_on_commit_callbacks)
    with pytest.raises(PlanError, match="Hanya laporan yang gagal"):
        services.retry_job(job, by=scenario.agent)
    stuck = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        status=JobStatus.RUNNING,
        started_at=timezone.now() - services.STALE_AFTER * 2,
        verification_code=services.new_verification_code(),
    )
    assert services.can_retry(stuck) is True
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_job(stuck, by=scenario.agent)
    stuck.refresh_from_db()
    assert stuck.status == JobStatus.DONE


def test_a_finished_job_delivered_again_is_left_alone(
    scenario, django_capture_on_commit_callbacks, private_media
):
    job = _plan_doc(scenario, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    name, finished = job.file.name, job.finished_at
    services.run_job(job.pk, worker="celery@other")
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, job.attempts) == (name, finished, 1)
    assert len(_files(private_media, job)) == 1


def test_rendering_twice_keeps_exactly_one_file(scenario, private_media):
    job = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        verification_code=services.new_verification_code(),
    )
    services.run_job(job.pk, worker="celery@a")
    # A second delivery after the job was (wrongly) left running re-renders it.
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    services.run_job(job.pk, worker="celery@b")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.worker) == (JobStatus.DONE, 2, "celery@b")
    assert len(_files(private_media, job)) == 1


# --- The batch: a cycle's packets as one ZIP ---------------------------------------------------


@pytest.fixture
def cycle_with_packets(db, settings):
    """Three reviewed plans and a draft in one cycle; two packets per chunk."""
    settings.AGENPLAN_PACKETS_PER_CHUNK = 2
    scenario = reviewed_plan()

    extra = []
    for title in ("Rencana kedua", "Rencana ketiga"):
        plan = detailed_plan(scenario.cycle, title=title, activities=3, targets=2)

        submit_plan(plan, by=plan.owner.user)
        extra.append(plan)
    detailed_plan(scenario.cycle, title="Rencana draf", activities=3, targets=2)
    return scenario, [scenario.plan, *extra]


def test_batch_renders_every_submitted_packet_into_one_zip(
    cycle_with_packets, django_capture_on_commit_callbacks, private_media
):
    scenario, plans = cycle_with_packets
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_cycle_report(
            kind=ReportKind.CYCLE_PACKETS, cycle=scenario.cycle, by=scenario.coordinator
        )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.chunks_total, job.chunks_done, job.progress) == (2, 2, 100)
    assert job.title == "Semua paket penilaian — Assessment Agen Perubahan 2026"
    assert _files(private_media, job) == [f"paket-penilaian-{scenario.cycle.code}.zip"]
    with job.file.open("rb") as fh:
        archive = zipfile.ZipFile(io.BytesIO(fh.read()))
    names = archive.namelist()
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert len(pdfs) == 3
    assert sorted(int(n.split("/paket-")[1].split("-")[0]) for n in pdfs) == sorted(
        p.pk for p in plans
    )
    contents = archive.read("daftar-isi.csv").decode("utf-8-sig").splitlines()
    assert contents[0] == "no,id_rencana,judul,perangkat_daerah,kode_verifikasi,berkas"
    assert len(contents) == 4
    code = packet_code(job_id=job.pk, job_code=job.verification_code, plan_id=scenario.plan.pk)
    assert code in contents[1] + contents[2] + contents[3]
    assert job.verification_code not in archive.read("daftar-isi.csv").decode("utf-8-sig")
    assert "_index.json" not in names


def test_a_packet_of_a_batch_is_verifiable_by_its_own_code(
    cycle_with_packets, django_capture_on_commit_callbacks, client
):
    scenario, plans = cycle_with_packets
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_cycle_report(
            kind=ReportKind.CYCLE_PACKETS, cycle=scenario.cycle, by=scenario.coordinator
        )
    job.refresh_from_db()
    code = packet_code(job_id=job.pk, job_code=job.verification_code, plan_id=plans[1].pk)
    assert code == f"{job.pk}-{plans[1].pk}-{packet_tag(job.verification_code, plans[1].pk)}"
    document = job_selectors.verify_code(code)
    assert document.title == "Rencana kedua"
    assert document.kind == "Paket penilaian (PDF)"
    assert document.part_of == job.title
    assert job_selectors.verify_code(code.lower()).title == "Rencana kedua"
    assert job_selectors.verify_code(job.verification_code) is None  # the ZIP itself prints no code
    draft_id = max(p.pk for p in type(plans[0]).objects.filter(cycle=scenario.cycle))
    draft_code = packet_code(job_id=job.pk, job_code=job.verification_code, plan_id=draft_id)
    assert job_selectors.verify_code(draft_code) is None


def test_one_packet_code_does_not_lead_to_the_other_packets_of_its_batch(
    cycle_with_packets, django_capture_on_commit_callbacks, client
):
    """Someone holding the packet of plans[1] knows its code; changing the plan id in it,
    or using the old `<job code>-<plan id>` shape, confirms nothing about the others."""
    scenario, plans = cycle_with_packets
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_cycle_report(
            kind=ReportKind.CYCLE_PACKETS, cycle=scenario.cycle, by=scenario.coordinator
        )
    job.refresh_from_db()
    held = packet_code(job_id=job.pk, job_code=job.verification_code, plan_id=plans[1].pk)
    tag = held.rsplit("-", 1)[1]
    assert client.get(reverse("report_jobs:verify", args=[held])).status_code == 200
    for other in (plans[0], plans[2]):
        guessed = f"{job.pk}-{other.pk}-{tag}"
        assert job_selectors.verify_code(guessed) is None
        response = client.get(reverse("report_jobs:verify", args=[guessed]))
        assert response.status_code == 404
        assert other.title not in response.content.decode()
        legacy = f"{job.verification_code}-{other.pk}"
        assert job_selectors.verify_code(legacy) is None
        assert client.get(reverse("report_jobs:verify", args=[legacy])).status_code == 404


def _running_batch(scenario, plans) -> ReportJob:
    return ReportJob.objects.create(
        requested_by=scenario.coordinator,
        kind=ReportKind.CYCLE_PACKETS,
        params={"cycle_id": scenario.cycle.pk},
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        attempts=1,
        worker="celery@a",
        verification_code=services.new_verification_code(),
        chunks_total=2,
        batch={
            "attempt": 1,
            "chunks": [[plans[0].pk, plans[1].pk], [plans[2].pk]],
            "done": {},
            "claims": {},
        },
    )


def test_a_chunk_delivered_twice_is_counted_once(
    cycle_with_packets, django_capture_on_commit_callbacks, private_media
):
    scenario, plans = cycle_with_packets
    job = _running_batch(scenario, plans)
    with django_capture_on_commit_callbacks() as callbacks:
        services.run_chunk(job.pk, attempt=1, index=0, worker="celery@a")
        services.run_chunk(job.pk, attempt=1, index=0, worker="celery@b")
    job.refresh_from_db()
    assert (job.chunks_done, list(job.batch["done"])) == (1, ["0"])
    assert job.progress == 50
    assert callbacks == []  # not the last chunk yet
    assert _files(private_media, job) == ["chunks/1/chunk-0000.zip"]

    with django_capture_on_commit_callbacks() as callbacks:
        services.run_chunk(job.pk, attempt=1, index=1, worker="celery@a")
    assert len(callbacks) == 1  # the last chunk enqueues the zip task
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    job.refresh_from_db()
    assert (job.status, job.chunks_done, job.progress) == (JobStatus.DONE, 2, 100)
    assert _files(private_media, job) == [f"paket-penilaian-{scenario.cycle.code}.zip"]


def test_a_chunk_of_an_earlier_attempt_is_ignored(cycle_with_packets, private_media):
    scenario, plans = cycle_with_packets
    job = _running_batch(scenario, plans)
    services.run_chunk(job.pk, attempt=0, index=0, worker="celery@a")
    job.refresh_from_db()
    assert job.chunks_done == 0
    assert _files(private_media, job) == []


def test_a_failing_chunk_fails_the_batch_and_removes_its_temporary_files(
    cycle_with_packets, django_capture_on_commit_callbacks, monkeypatch, private_media
):
    scenario, plans = cycle_with_packets
    real = services.run_chunk
    calls = []

    def second_chunk_breaks(job_id, *, attempt, index, worker=""):
        calls.append(index)
        if index == 1:
            raise RuntimeError("broken packet")
        return real(job_id, attempt=attempt, index=index, worker=worker)

    monkeypatch.setattr(services, "run_chunk", second_chunk_breaks)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_cycle_report(
            kind=ReportKind.CYCLE_PACKETS, cycle=scenario.cycle, by=scenario.coordinator
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert f"laporan #{job.pk}" in job.error
    assert _files(private_media, job) == []


def test_a_batch_without_submitted_plans_fails_with_a_message(
    db, django_capture_on_commit_callbacks
):
    plan = PlanFactory()
    coordinator = user_with_role(Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_cycle_report(
            kind=ReportKind.CYCLE_PACKETS, cycle=plan.cycle, by=coordinator
        )
    job.refresh_from_db()
    assert (job.status, job.error) == (
        JobStatus.FAILED,
        "Belum ada rencana yang diajukan pada siklus ini.",
    )


# --- Recovery after a lost worker ----------------------------------------------------------------


def test_a_restarted_node_re_enqueues_what_it_left_running(
    scenario, django_capture_on_commit_callbacks
):
    before = timezone.now() - timezone.timedelta(minutes=1)
    mine = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        status=JobStatus.RUNNING,
        started_at=before,
        attempts=1,
        worker="celery@a",
        verification_code=services.new_verification_code(),
    )
    others = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.REVIEW_PACKET,
        params={"plan_id": scenario.plan.pk},
        status=JobStatus.RUNNING,
        started_at=before,
        attempts=1,
        worker="celery@b",
        verification_code=services.new_verification_code(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        recovered = services.recover_orphaned_jobs(worker="celery@a", since=timezone.now())
    assert recovered == [mine.pk]
    mine.refresh_from_db()
    others.refresh_from_db()
    assert (mine.status, mine.attempts) == (JobStatus.DONE, 2)
    assert others.status == JobStatus.RUNNING


def test_a_restarted_node_re_enqueues_its_lost_chunks(
    cycle_with_packets, django_capture_on_commit_callbacks
):
    scenario, plans = cycle_with_packets
    job = _running_batch(scenario, plans)
    claimed = (timezone.now() - timezone.timedelta(minutes=1)).isoformat()
    job.batch["claims"] = {"0": {"worker": "celery@a", "at": claimed}}
    job.save(update_fields=["batch"])
    with django_capture_on_commit_callbacks(execute=True):
        services.recover_orphaned_jobs(worker="celery@a", since=timezone.now())
    job.refresh_from_db()
    assert (job.status, job.chunks_done) == (JobStatus.DONE, 2)


# --- Pages -------------------------------------------------------------------------------------


def test_request_view_creates_the_job_and_shows_its_page(
    scenario, client, django_capture_on_commit_callbacks
):
    client.force_login(scenario.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_jobs:request"),
            {"kind": "plan_document", "plan": scenario.plan.pk},
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("report_jobs:detail", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "Dokumen rencana tindak (PDF)" in content
    assert reverse("report_jobs:download", args=[job.pk]) in content


def test_request_view_answers_404_for_a_plan_the_user_cannot_see(scenario, client):
    client.force_login(AgentFactory().user)
    response = client.post(
        reverse("report_jobs:request"), {"kind": "plan_document", "plan": scenario.plan.pk}
    )
    assert response.status_code == 404
    assert ReportJob.objects.count() == 0


def test_request_view_refuses_cycle_reports_to_agents_with_a_message(scenario, client):
    client.force_login(scenario.agent)
    response = client.post(
        reverse("report_jobs:request"),
        {"kind": "cycle_summary", "cycle": scenario.cycle.code, "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("report_jobs:list"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Anda tidak berhak meminta laporan ini."
    ]
    assert ReportJob.objects.count() == 0


def test_status_partial_polls_while_active_and_stops_when_done(
    scenario, client, django_capture_on_commit_callbacks
):
    client.force_login(scenario.agent)
    with django_capture_on_commit_callbacks():
        job = services.request_plan_report(
            kind=ReportKind.PLAN_DOCUMENT, plan=scenario.plan, by=scenario.agent
        )
    url = reverse("report_jobs:status", args=[job.pk])
    queued = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in queued
    assert f'hx-get="{url}"' in queued
    assert "Dalam antrean" in queued
    services.run_job(job.pk)
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert reverse("report_jobs:download", args=[job.pk]) in done


def test_a_failed_job_shows_its_message_and_a_retry_button(scenario, client):
    job = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        status=JobStatus.FAILED,
        error="Pesan kegagalan yang berguna.",
    )
    client.force_login(scenario.agent)
    content = client.get(reverse("report_jobs:detail", args=[job.pk])).content.decode()
    assert "Pesan kegagalan yang berguna." in content
    assert reverse("report_jobs:retry", args=[job.pk]) in content
    assert reverse("report_jobs:status", args=[job.pk]) not in content  # no polling


def test_retry_view_re_enqueues_the_same_row(scenario, client, django_capture_on_commit_callbacks):
    job = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        status=JobStatus.FAILED,
        error="x",
        verification_code=services.new_verification_code(),
    )
    client.force_login(scenario.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert ReportJob.objects.count() == 1


def test_download_gives_the_file_to_its_requester_only(
    scenario, client, django_capture_on_commit_callbacks
):
    job = _plan_doc(scenario, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    url = reverse("report_jobs:download", args=[job.pk])
    client.force_login(scenario.agent)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"rencana-tindak-{scenario.plan.pk}-layanan-perizinan-daring-satu-pintu.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    # Reading the stream to its end closes the file (the test client closes the response).
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for other in (scenario.coordinator, scenario.head, AgentFactory().user):
        client.force_login(other)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_download_answers_404_once_the_user_may_no_longer_see_the_report(
    scenario, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_cycle_report(
            kind=ReportKind.CYCLE_SUMMARY, cycle=scenario.cycle, by=scenario.coordinator
        )
    client.force_login(scenario.coordinator)
    url = reverse("report_jobs:download", args=[job.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    RoleGrant.objects.filter(user=scenario.coordinator, role=Role.COORDINATOR).delete()
    client.force_login(type(scenario.coordinator).objects.get(pk=scenario.coordinator.pk))
    assert client.get(url).status_code == 404


def test_download_of_an_unfinished_job_is_404(scenario, client):
    job = ReportJob.objects.create(
        requested_by=scenario.agent, kind=ReportKind.PLAN_DOCUMENT, params={"plan_id": 1}
    )
    client.force_login(scenario.agent)
    assert client.get(reverse("report_jobs:download", args=[job.pk])).status_code == 404


def _jobs(user, plan, n):
    ReportJob.objects.bulk_create(
        ReportJob(
            requested_by=user,
            kind=ReportKind.PLAN_DOCUMENT if i % 2 else ReportKind.PLANS_XLSX,
            params={"plan_id": plan.pk} if i % 2 else {"cycle_id": plan.cycle_id},
            status=JobStatus.DONE if i % 3 else JobStatus.QUEUED,
        )
        for i in range(n)
    )


@pytest.mark.parametrize("count", [3, 45])
def test_my_jobs_lists_own_jobs_paginated_in_a_bounded_number_of_queries(
    scenario, client, django_assert_num_queries, count
):
    _jobs(scenario.coordinator, scenario.plan, count)
    _jobs(scenario.agent, scenario.plan, 2)  # someone else's: never listed
    client.force_login(scenario.coordinator)
    url = reverse("report_jobs:list")
    # session, user (with roles, agent profile and agency), the count, the page of jobs,
    # their plans, their cycles, the cycle picker of the request form, current cycle.
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == count
    assert len(response.context["rows"]) == min(count, 20)
    assert {row.job.requested_by_id for row in response.context["rows"]} == {
        scenario.coordinator.pk
    }
    subjects = {row.subject for row in response.context["rows"]}
    assert subjects <= {scenario.plan.title, scenario.cycle.name}
    form = response.context["cycle_form"]
    assert form.fields["cycle"].choices == [(scenario.cycle.code, scenario.cycle.name)]


def test_my_jobs_offers_no_cycle_form_to_an_agent(scenario, client):
    client.force_login(scenario.agent)
    response = client.get(reverse("report_jobs:list"))
    assert response.context["cycle_form"] is None
    assert "Belum ada laporan." in response.content.decode()


def test_job_pages_of_someone_else_are_404(scenario, client):
    job = ReportJob.objects.create(
        requested_by=scenario.coordinator,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        status=JobStatus.FAILED,
    )
    client.force_login(scenario.agent)
    for name in ("detail", "status"):
        assert client.get(reverse(f"report_jobs:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("report_jobs:retry", args=[job.pk])).status_code == 404


def test_verify_shows_what_the_document_is_and_nothing_more(
    scenario, client, django_capture_on_commit_callbacks
):
    job = _plan_doc(scenario, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    response = client.get(f"/verify/{job.verification_code}")  # anonymous, as a QR scan
    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["document"] == job_selectors.VerifiedDocument(
        code=job.verification_code,
        kind="Dokumen rencana tindak (PDF)",
        title="Layanan perizinan daring satu pintu",
        agency_name="Dinas Penanaman Modal dan PTSP",
        issued_at=job.finished_at,
        requested_by="Rina Marlina, S.Kom., M.M.",
    )
    assert "Layanan perizinan daring satu pintu" in content
    assert "Waktu layanan perizinan" not in content  # the plan's content stays private
    assert client.get(f"/verify/{job.verification_code.lower()}").status_code == 200


def test_verify_answers_404_for_unknown_or_unfinished_codes(scenario, client):
    queued = ReportJob.objects.create(
        requested_by=scenario.agent,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": scenario.plan.pk},
        verification_code=services.new_verification_code(),
    )
    assert client.get(f"/verify/{queued.verification_code}").status_code == 404
    assert client.get("/verify/AAAAAAAAAAAAAAAA").status_code == 404
    assert client.get("/verify/AAAA-xyz").status_code == 404


def test_verification_codes_are_unique_base32():
    codes = {services.new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 16 and c.isalnum() and c.isupper() for c in codes)


def test_plan_version_snapshot_is_what_the_document_prints(scenario):
    # The document prints the frozen version, not later edits of the plan row.
    type(scenario.plan).objects.filter(pk=scenario.plan.pk).update(title="Judul sesudah")

    context = plan_document_context(load_plan(scenario.plan.pk), code="X")
    assert context["body"].title == "Layanan perizinan daring satu pintu"
    assert context["version"] == PlanVersion.objects.get(plan=scenario.plan)


def test_storage_holds_one_folder_per_job(scenario, private_media):
    assert services.job_folder(7) == "reports/jobs/7"
    default_storage.save("reports/jobs/7/old.pdf", io.BytesIO(b"x"))
    job = ReportJob(pk=7)
    name = storage._store(job, "new.pdf", b"y")
    assert name == "reports/jobs/7/new.pdf"
    assert sorted(p.name for p in (private_media / "reports/jobs/7").iterdir()) == ["new.pdf"]


def test_the_batch_table_of_contents_writes_formula_like_titles_as_text():

    chunk = io.BytesIO()
    with zipfile.ZipFile(chunk, "w") as part:
        part.writestr("opd/paket-7-x.pdf", b"%PDF-1.7")
        index = [
            {
                "plan_id": 7,
                "file": "opd/paket-7-x.pdf",
                "title": '=HYPERLINK("https://contoh.invalid","Klik")',
                "agency": "@Dinas",
                "code": "1-7-ABC",
            }
        ]
        part.writestr(INDEX_NAME, json.dumps(index))
    chunk.seek(0)
    target = io.BytesIO()
    assert assemble([chunk], target) == 1
    contents = zipfile.ZipFile(target).read(CONTENTS_NAME).decode("utf-8-sig").splitlines()
    assert contents[1] == (
        '1,7,"\'=HYPERLINK(""https://contoh.invalid"",""Klik"")",\'@Dinas,1-7-ABC,opd/paket-7-x.pdf'
    )
