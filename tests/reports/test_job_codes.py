"""A finished job's page shows a verification code only when /verify/ confirms it: a PDF's
own code, never the archive of a cycle's packets (each packet inside carries its own)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob


@pytest.mark.parametrize(
    ("kind", "shown"), [(ReportKind.PLAN_DOCUMENT, True), (ReportKind.CYCLE_PACKETS, False)]
)
def test_the_job_page_shows_only_a_code_the_verification_page_confirms(
    scenario, client, kind, shown
):
    params = (
        {"cycle_id": scenario.cycle.pk}
        if kind == ReportKind.CYCLE_PACKETS
        else {"plan_id": scenario.plan.pk}
    )
    job = ReportJob.objects.create(
        requested_by=scenario.coordinator,
        kind=kind,
        params=params,
        status=JobStatus.DONE,
        verification_code="KODEUJI123",
        title="Dokumen uji",
        finished_at=timezone.now(),
    )
    client.force_login(scenario.coordinator)
    page = client.get(reverse("report_jobs:detail", args=[job.pk])).content.decode()
    verified = client.get(reverse("report_jobs:verify", args=["KODEUJI123"])).status_code
    assert ("KODEUJI123" in page, verified) == ((True, 200) if shown else (False, 404))
