"""Time the reports (PDF, XLSX, packet batches) and print the figures for docs/performance.md.

    createdb / psql -c 'create database agenplan_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \
        python -m benchmarks.run reports

What it measures, on its own cycle `bench-reports` (155 submitted plans in 50 agencies,
each with 10 activities, 5 targets, 3 submitted reviews; most decided), built once and
reused by later runs:

1. the plan document (10 activities, 5 targets): BENCH_RENDERS renders (≥ 10), p50/p95,
   the peak of Python allocations during one render (tracemalloc) and the process's peak
   RSS after the renders (goal p50 ≤ 1.5 s, ≤ 300 MB);
2. the review packet with 3 reviews: the same;
3. the provincial summary of the 155-plan cycle: 5 renders;
4. the ZIP of the 155 review packets, rendered by a real worker started here with
   `--concurrency 2` (prefork) against the configured broker: from the request to the
   finished job (goal ≤ 3 min).

Renders 1–3 call the renderers in this process (no storage write); 4 goes end to end
(request → broker → chunks in two processes → zip in storage). Media go to a temporary
folder (AGENPLAN_MEDIA_ROOT), shared with the worker.

`--smoke`: its own cycle `bench-reports-smoke` of 3 plans in 2 agencies, 1 render each
(and the one traced), and the ZIP of those 3 packets.
"""

import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from benchmarks.common import (
    database_label,
    peak_rss_mb,
    percentiles,
    setup_django,
    smoke_mode,
)

REVIEWS_PER_PLAN = 3
WEIGHTS = (15, 20, 20, 15, 15, 15)
ROOT = Path(__file__).resolve().parent.parent


def _media_root() -> str:
    """A temporary media folder, set before Django reads its settings."""
    media = os.environ.get("AGENPLAN_MEDIA_ROOT")
    if not media:
        media = tempfile.mkdtemp(prefix="agenplan-bench-media-")
        os.environ["AGENPLAN_MEDIA_ROOT"] = media
    return media


# --- Data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    code: str  # the cycle's code
    prefix: str  # of the usernames, agency codes and names
    plans: int
    agencies: int
    reviewers: int
    nip_month: int  # NIPs are unique: each size's appointments fall in its own month


FULL = Size("bench-reports", "bench", 155, 50, 10, 3)
SMOKE = Size("bench-reports-smoke", "bench-smoke", 3, 2, REVIEWS_PER_PLAN, 6)


def build_cycle(size: Size = FULL):
    """The benchmark's cycle; built on the first run (about a minute), reused afterwards."""
    from django.db import transaction
    from django.utils import timezone

    from agencies.enums import AgencyKind
    from agencies.models import Agency
    from agents.enums import PangkatGolongan, Role
    from agents.models import Agent, RoleGrant, User
    from agents.validators import generate_nip
    from assessment import scoring
    from assessment.enums import DecisionOutcome, ReviewState
    from assessment.models import (
        Criterion,
        CriterionLevel,
        CriterionScore,
        Decision,
        Review,
        ReviewAssignment,
        Rubric,
    )
    from plans.enums import ChangeKind, PlanState
    from plans.models import (
        ActionPlan,
        Activity,
        ChangeArea,
        CoreValue,
        Cycle,
        PlanVersion,
        Target,
    )
    from plans.sections import text_field_names
    from plans.services.content import snapshot_plan

    existing = Cycle.objects.filter(code=size.code).first()
    if existing is not None and existing.plans.count() == size.plans:
        return existing
    if existing is not None:
        raise SystemExit(f"cycle {size.code} exists but is incomplete: use a fresh database")

    rng = random.Random(5)  # noqa: S311 — benchmark data, not secrets
    tz = timezone.get_current_timezone()
    nip_seq = iter(range(1, 10_000))

    def nip():
        n = next(nip_seq)
        return generate_nip(
            birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=n * 7),
            appointment_month=dt.date(1995 + n % 20, size.nip_month, 1),
            gender="L" if n % 2 else "P",
            sequence=n % 999 + 1,
        )

    def person(username, name, agency=None, pangkat=PangkatGolongan.III_C):
        return User(
            username=username,
            name=name,
            email=f"{username}@{size.prefix}.example.go.id",
            nip=nip(),
            jabatan="Analis Kebijakan Ahli Muda",
            pangkat_golongan=pangkat,
            agency=agency,
            password="!",  # unusable
        )

    with transaction.atomic():
        areas = [
            ChangeArea.objects.get_or_create(code=f"B{i}", defaults={"name": name, "order": i})[0]
            for i, name in enumerate(
                [
                    "Manajemen Perubahan",
                    "Penataan Tatalaksana",
                    "Penataan SDM Aparatur",
                    "Penguatan Akuntabilitas",
                    "Peningkatan Kualitas Pelayanan Publik",
                ]
            )
        ]
        values = [
            CoreValue.objects.get_or_create(code=f"V{i}", defaults={"name": name, "order": i})[0]
            for i, name in enumerate(
                ["Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal"]
            )
        ]
        agencies = Agency.objects.bulk_create(
            Agency(
                code=f"{size.prefix.upper()}-{i:02d}",
                name=f"Dinas Pembanding {i:02d} Provinsi Kalimantan Timur"
                + ("" if size == FULL else f" ({size.prefix})"),
                abbreviation=f"DP{i:02d}",
                kind=AgencyKind.DINAS,
            )
            for i in range(size.agencies)
        )
        heads = User.objects.bulk_create(
            person(
                f"{size.prefix}-head-{i}", f"Dr. Kepala Dinas {i}, M.Si.", a, PangkatGolongan.IV_C
            )
            for i, a in enumerate(agencies)
        )
        RoleGrant.objects.bulk_create(
            RoleGrant(user=h, role=Role.AGENCY_HEAD, agency=a)
            for h, a in zip(heads, agencies, strict=True)
        )
        reviewers = User.objects.bulk_create(
            person(f"{size.prefix}-reviewer-{i}", f"Reviewer Pembanding {i}, S.Sos.")
            for i in range(size.reviewers)
        )
        RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.REVIEWER) for u in reviewers)
        coordinator = person(f"{size.prefix}-coordinator", "Koordinator Pembanding")
        coordinator.save()
        RoleGrant.objects.create(user=coordinator, role=Role.COORDINATOR)
        agent_users = User.objects.bulk_create(
            person(
                f"{size.prefix}-agent-{i}",
                f"Agen Pembanding {i}, S.E.",
                agencies[i % size.agencies],
            )
            for i in range(size.plans)
        )
        agents = Agent.objects.bulk_create(
            Agent(user=u, agency=u.agency, sk_number=f"800/{i}/{size.prefix.upper()}")
            for i, u in enumerate(agent_users)
        )
        now = timezone.now()
        cycle = Cycle.objects.create(
            name="Assessment Agen Perubahan (pembanding)",
            code=size.code,
            year=2027,
            drafting_opens=now - dt.timedelta(days=120),
            submission_deadline=now - dt.timedelta(days=90),
            review_starts=(now - dt.timedelta(days=89)).date(),
            review_ends=(now - dt.timedelta(days=60)).date(),
            decision_date=(now - dt.timedelta(days=50)).date(),
            implementation_start=dt.date(2027, 1, 1),
            implementation_end=dt.date(2027, 12, 1),
            reviewers_per_plan=REVIEWS_PER_PLAN,
        )
        rubric = Rubric.objects.create(name="Instrumen pembanding", cycle=cycle)
        criteria = Criterion.objects.bulk_create(
            Criterion(
                rubric=rubric,
                code=f"K{i + 1}",
                name=f"Kriteria penilaian {i + 1}",
                weight=w,
                order=i,
            )
            for i, w in enumerate(WEIGHTS)
        )
        CriterionLevel.objects.bulk_create(
            CriterionLevel(criterion=c, level=level, descriptor=f"Deskripsi tingkat {level}")
            for c in criteria
            for level in range(1, 6)
        )
        text = (
            "Uraian yang cukup panjang agar dokumen menyerupai rencana sebenarnya: data dasar, "
            "akar masalah, dan langkah perubahan yang terukur bagi perangkat daerah. "
        ) * 3
        plans = ActionPlan.objects.bulk_create(
            ActionPlan(
                cycle=cycle,
                agency=agent.agency,
                owner=agent,
                title=f"Layanan daring terpadu nomor {i + 1} untuk masyarakat",
                state=PlanState.SUBMITTED,
                change_kind=ChangeKind.DIGITALISATION,
                submitted_at=now - dt.timedelta(days=95),
                **dict.fromkeys(text_field_names(), text),
            )
            for i, agent in enumerate(agents)
        )
        Activity.objects.bulk_create(
            Activity(
                plan=p,
                order=j,
                title=f"Tahap {j + 1}: pelaksanaan kegiatan perubahan",
                output="Dokumen dan laporan",
                start_month=dt.date(2027, 1 + j, 1),
                end_month=dt.date(2027, min(12, 2 + j), 1),
                responsible="Sekretaris",
                budget=Decimal(5_000_000 + 250_000 * j),
            )
            for p in plans
            for j in range(10)
        )
        Target.objects.bulk_create(
            Target(
                plan=p,
                order=j,
                indicator=f"Indikator kinerja {j + 1}",
                unit="%",
                baseline=Decimal("35.5"),
                target_value=Decimal("85"),
                due_date=dt.date(2027, 12, 31),
                verification="Laporan bulanan",
            )
            for p in plans
            for j in range(5)
        )
        for p in plans:
            p.change_areas.add(*rng.sample(areas, 2))
            p.core_values.add(*rng.sample(values, 3))
        submitted_at = dt.datetime(2027, 2, 21, 10, tzinfo=tz)
        versions = [
            # bulk_create skips PlanVersion.save(), which fills in the plan's cycle.
            PlanVersion(
                plan=p,
                cycle_id=p.cycle_id,
                number=1,
                snapshot=snapshot_plan(p),
                created_by=p.owner.user,
            )
            for p in ActionPlan.objects.filter(cycle=cycle).select_related(
                "cycle", "agency", "owner__user", "governor_mission"
            )
        ]
        versions = PlanVersion.objects.bulk_create(versions)
        PlanVersion.objects.filter(pk__in=[v.pk for v in versions]).update(created_at=submitted_at)
        weights = {c.code: c.weight for c in criteria}
        plan_updates, decisions = [], []
        for index, version in enumerate(versions):
            plan = version.plan
            chosen = rng.sample(reviewers, REVIEWS_PER_PLAN)
            assignments = ReviewAssignment.objects.bulk_create(
                ReviewAssignment(
                    plan=plan, reviewer=r, assigned_by=coordinator, due_date=cycle.review_ends
                )
                for r in chosen
            )
            pairs = []
            for assignment in assignments:
                levels = {c.code: rng.randint(2, 5) for c in criteria}
                total = scoring.review_total(weights, levels)
                review = Review.objects.create(
                    assignment=assignment,
                    version=version,
                    state=ReviewState.SUBMITTED,
                    overall_feedback="Masukan umum reviewer untuk agen perubahan. " * 3,
                    total=total,
                    submitted_at=now - dt.timedelta(days=70),
                )
                CriterionScore.objects.bulk_create(
                    CriterionScore(
                        review=review,
                        criterion=c,
                        level=levels[c.code],
                        comment=f"Komentar untuk {c.name.lower()}: perlu data yang lebih tajam.",
                    )
                    for c in criteria
                )
                pairs.append((total, levels))
            plan.score = scoring.plan_score([t for t, _ in pairs])
            plan.review_flagged = scoring.disagreement(
                pairs, levels=cycle.disagreement_levels, points=cycle.disagreement_points
            )
            decided = index % 5 != 0
            plan.state = PlanState.APPROVED if decided else PlanState.REVIEWED
            plan_updates.append(plan)
            if decided:
                decisions.append(
                    Decision(
                        plan=plan,
                        version=version,
                        outcome=DecisionOutcome.APPROVE,
                        feedback="Rencana layak dilaksanakan.",
                        score=plan.score,
                        decided_by=coordinator,
                    )
                )
        ActionPlan.objects.bulk_update(plan_updates, ["score", "review_flagged", "state"])
        Decision.objects.bulk_create(decisions)
    return cycle


# --- Measurements ------------------------------------------------------------------------------


def _timed_renders(render, count: int) -> tuple[dict, dict, float]:
    """Call `render()` `count` times: wall-clock and CPU percentiles (ms), and the
    tracemalloc peak (MB) of one more render.

    CPU time (this process's user + system) is what a render costs whatever else runs on
    the machine; wall-clock time is what a user waits on an otherwise idle worker.
    """
    wall, cpu = [], []
    for _ in range(count):
        start, start_cpu = time.perf_counter(), time.process_time()
        render()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    tracemalloc.start()
    render()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return percentiles(wall), percentiles(cpu), round(peak / 1024 / 1024, 1)


def _worker_zip(cycle, coordinator) -> tuple[float, float, int, int]:
    """The ZIP of every packet, by a real worker with two processes: (wall seconds, CPU
    seconds of the worker and its processes, packets, chunks)."""
    from django.db import connection

    from agenplan.celery import app
    from reports import services
    from reports.enums import JobStatus, ReportKind
    from reports.models import ReportJob

    with app.connection_for_write() as conn:
        for queue in ("default", "reports", "mail"):
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: BLE001, S112 — the queue may not exist yet
                continue
    ReportJob.objects.filter(kind=ReportKind.CYCLE_PACKETS, params__cycle_id=cycle.pk).delete()
    log = Path(tempfile.mkstemp(prefix="bench-worker-", suffix=".log")[1])
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{db['NAME']}"),
    }
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "agenplan",
                "worker",
                "-Q",
                "reports",
                "--pool",
                "prefork",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            time.sleep(6)  # let the worker start before the clock does
            start = time.perf_counter()
            job = services.request_cycle_report(
                kind=ReportKind.CYCLE_PACKETS, cycle=cycle, by=coordinator
            )
            while True:
                job.refresh_from_db()
                if job.status in (JobStatus.DONE, JobStatus.FAILED):
                    break
                if time.perf_counter() - start > 900:
                    raise SystemExit("the ZIP took longer than 15 minutes")
                time.sleep(0.5)
            seconds = time.perf_counter() - start
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    if job.status != JobStatus.DONE:
        raise SystemExit(f"ZIP failed: {job.error}\n{log.read_text()[-3000:]}")
    packets = sum(len(chunk) for chunk in job.batch["chunks"])
    return round(seconds, 1), round(cpu, 1), packets, job.chunks_total


def main(argv: list[str]) -> int:
    _media_root()
    setup_django()
    from django.core.management import call_command

    from agents.models import User
    from assessment.models import Review
    from plans.models import ActionPlan
    from reports.enums import ReportKind
    from reports.models import ReportJob
    from reports.rendering.cycle_summary import render_cycle_summary
    from reports.rendering.plan_document import render_plan_document
    from reports.rendering.review_packet import render_review_packet
    from reports.services import new_verification_code

    smoke = smoke_mode(argv)
    scale = SMOKE if smoke else FULL
    renders = 1 if smoke else max(10, int(os.environ.get("BENCH_RENDERS", "12")))
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    cycle = build_cycle(scale)
    built = round(time.perf_counter() - started, 1)
    coordinator = User.objects.get(username=f"{scale.prefix}-coordinator")
    plan = ActionPlan.objects.filter(cycle=cycle).order_by("pk").first()
    assert plan.activities.count() == 10 and plan.targets.count() == 5
    assert Review.objects.filter(version__plan=plan).count() == REVIEWS_PER_PLAN

    def job(kind, **params):
        return ReportJob(
            requested_by=coordinator,
            kind=kind,
            params=params,
            verification_code=new_verification_code(),
        )

    lines = [
        f"bench_reports on {database_label()}, {os.cpu_count()} cores, load {os.getloadavg()}; "
        f"cycle {scale.code}: {scale.plans} plans, {scale.agencies} agencies "
        f"(data ready in {built} s)"
    ]
    rss_start = peak_rss_mb()
    doc = job(ReportKind.PLAN_DOCUMENT, plan_id=plan.pk)
    first = time.perf_counter()
    size = len(render_plan_document(doc).content)
    cold = round((time.perf_counter() - first) * 1000, 1)
    stats, cpu, traced = _timed_renders(lambda: render_plan_document(doc), renders)
    lines.append(
        f"plan document (10 activities, 5 targets, {size // 1024} KB): first {cold} ms, "
        f"wall {stats}, CPU {cpu}, tracemalloc peak {traced} MB, peak RSS {peak_rss_mb()} MB "
        f"(process start {rss_start} MB)"
    )
    packet = job(ReportKind.REVIEW_PACKET, plan_id=plan.pk)
    size = len(render_review_packet(packet).content)
    stats, cpu, traced = _timed_renders(lambda: render_review_packet(packet), renders)
    lines.append(
        f"review packet (3 reviews, {size // 1024} KB): wall {stats}, CPU {cpu}, "
        f"tracemalloc peak {traced} MB, peak RSS {peak_rss_mb()} MB"
    )
    summary = job(ReportKind.CYCLE_SUMMARY, cycle_id=cycle.pk)
    size = len(render_cycle_summary(summary).content)
    stats, cpu, traced = _timed_renders(lambda: render_cycle_summary(summary), min(renders, 5))
    lines.append(
        f"cycle summary ({scale.plans} plans, {size // 1024} KB): wall {stats}, CPU {cpu}, "
        f"tracemalloc peak {traced} MB, peak RSS {peak_rss_mb()} MB"
    )
    for line in lines:
        print(line, flush=True)
    if "--no-zip" not in argv:
        seconds, cpu, packets, chunks = _worker_zip(cycle, coordinator)
        print(
            f"ZIP of {packets} review packets in {chunks} chunks, 1 worker × 2 processes "
            f"(prefork): {seconds} s from request to done, {cpu} s CPU in the worker",
            flush=True,
        )
    print(f"load average at the end: {os.getloadavg()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
