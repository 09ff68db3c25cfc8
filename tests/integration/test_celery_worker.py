"""A real Celery worker process renders a report end to end (request → queued → done)."""

import pytest
from openpyxl import load_workbook

from agents.enums import Role
from reports.enums import JobStatus
from reports.models import ReportJob
from reports.services import request_plans_export
from tests.factories import CycleFactory, PlanFactory, TargetFactory, user_with_role

from .conftest import wait_for

pytestmark = pytest.mark.integration


def test_worker_renders_plans_export(celery_worker_process):
    cycle = CycleFactory()
    plans = [PlanFactory(cycle=cycle, title=f"Rencana nomor {i}") for i in range(3)]
    TargetFactory(plan=plans[0], indicator="Waktu layanan izin", unit="hari")
    coordinator = user_with_role(Role.COORDINATOR)

    job = request_plans_export(cycle=cycle, by=coordinator)
    assert job.status == JobStatus.QUEUED

    def done():
        job.refresh_from_db()
        return job.status in (JobStatus.DONE, JobStatus.FAILED)

    wait_for(done, timeout=90, worker=celery_worker_process)
    assert job.status == JobStatus.DONE, job.error
    assert job.progress == 100
    assert job.attempts == 1
    with job.file.open("rb") as fh:
        wb = load_workbook(fh)
    titles = sorted(row[1] for row in wb["Rencana"].iter_rows(min_row=2, values_only=True))
    assert titles == ["Rencana nomor 0", "Rencana nomor 1", "Rencana nomor 2"]
    targets = list(wb["Target"].iter_rows(min_row=2, values_only=True))
    assert [(t[2], t[3]) for t in targets] == [("Waktu layanan izin", "hari")]

    # An identical request with unchanged inputs reuses the finished file.
    again = request_plans_export(cycle=cycle, by=coordinator)
    assert again.pk == job.pk
    assert ReportJob.objects.count() == 1
