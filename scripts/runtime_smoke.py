"""One report through the broker and a real worker, as the first coordinator would ask.

Run by scripts/check_runtime_requirements.sh with the virtualenv built from
requirements.txt alone, after `manage.py bootstrap` created the coordinator named by
AGENPLAN_COORDINATOR_USERNAME and while a Celery worker runs: creates a cycle (with a copy
of the default rubric), asks for its provincial summary (a PDF rendered by WeasyPrint in
the worker), waits for the worker to finish it and checks the file.

    python scripts/runtime_smoke.py [SECONDS]   # how long to wait (default 120)
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from agents.models import User  # noqa: E402
from assessment.services.cycle import create_cycle  # noqa: E402
from reports.enums import JobStatus, ReportKind  # noqa: E402
from reports.models import ReportJob  # noqa: E402
from reports.services.requests import request_cycle_report  # noqa: E402


def main(wait_seconds: float) -> int:
    coordinator = User.objects.get(username=os.environ["AGENPLAN_COORDINATOR_USERNAME"])
    now = timezone.now()
    today = timezone.localdate()
    cycle = create_cycle(
        {
            "name": "Uji instalasi",
            "code": f"uji-instalasi-{int(time.time())}",
            "year": today.year,
            "drafting_opens": now,
            "submission_deadline": now + dt.timedelta(days=30),
            "review_starts": today + dt.timedelta(days=31),
            "review_ends": today + dt.timedelta(days=45),
            "decision_date": today + dt.timedelta(days=50),
            "implementation_start": today + dt.timedelta(days=60),
            "implementation_end": today + dt.timedelta(days=240),
        },
        by=coordinator,
    )
    started = time.monotonic()
    job = request_cycle_report(kind=ReportKind.CYCLE_SUMMARY, cycle=cycle, by=coordinator)
    while time.monotonic() - started < wait_seconds:
        job = ReportJob.objects.get(pk=job.pk)
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    if job.status != JobStatus.DONE:
        print(
            f"runtime smoke: report job {job.pk} is {job.status} after {elapsed:.0f} s "
            f"(worker {job.worker or 'none'}): {job.error}",
            file=sys.stderr,
        )
        return 1
    with job.file.open("rb") as handle:
        head = handle.read(5)
    if head != b"%PDF-":
        print(f"runtime smoke: {job.file.name} is not a PDF ({head!r})", file=sys.stderr)
        return 1
    print(
        f"runtime smoke: the worker {job.worker} rendered {job.file.name} "
        f"({job.file.size:,} bytes) in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 120))
