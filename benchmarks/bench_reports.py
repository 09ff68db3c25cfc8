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

import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks.common import (
    database_label,
    peak_rss_mb,
    percentiles,
    setup_django,
    smoke_mode,
)
from benchmarks.reports_data import FULL, REVIEWS_PER_PLAN, SMOKE, build_cycle

ROOT = Path(__file__).resolve().parent.parent


def _media_root() -> str:
    """A temporary media folder, set before Django reads its settings."""
    media = os.environ.get("AGENPLAN_MEDIA_ROOT")
    if not media:
        media = tempfile.mkdtemp(prefix="agenplan-bench-media-")
        os.environ["AGENPLAN_MEDIA_ROOT"] = media
    return media


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
