"""The reviewer's read-only version of the plan: dates frozen in the snapshot as ISO
strings are shown as the live plan page shows them ("1 Maret 2026", "Maret 2026")."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from assessment.services import assign_reviewers
from assessment.templatetags.assessment_ui import snapshot_date
from plans.models import PlanVersion
from plans.services.workflow import submit_plan
from tests.factories import AgentFactory, PlanFactory, complete_plan_content

# Written out here rather than taken from the formats module, so the test checks the output.
MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def month_year(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def day_month_year(day: dt.date) -> str:
    return f"{day.day} {month_year(day)}"


def test_the_review_page_shows_snapshot_dates_in_indonesian(client, submitted, pool, coordinator):
    plan = submitted()
    [reviewer] = pool(1)
    assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    snapshot = PlanVersion.objects.get(plan=plan).snapshot
    activity, target = snapshot["activities"][0], snapshot["targets"][0]
    start, end = (dt.date.fromisoformat(activity[k]) for k in ("start_month", "end_month"))
    due = dt.date.fromisoformat(target["due_date"])
    client.force_login(reviewer)

    response = client.get(reverse("assessment:review", args=[plan.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert (
        f"{activity['title']} — {activity['output']} ({month_year(start)} – {month_year(end)})"
    ) in content
    assert f"{target['unit']} ({day_month_year(due)}; verifikasi: {target['verification']})" in (
        content
    )
    for iso in (activity["start_month"], activity["end_month"], target["due_date"]):
        assert iso not in content


def test_the_review_page_shows_every_field_of_activities_and_targets(
    client, cycle, pool, coordinator
):
    owner = AgentFactory()
    plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner))
    plan.activities.update(responsible="Kepala Bidang Perizinan", budget=Decimal("15000000"))
    plan.targets.update(
        baseline=Decimal("42.5"), target_value=Decimal("90"), verification="Laporan bulanan"
    )
    submit_plan(plan, by=owner.user)
    target = PlanVersion.objects.get(plan=plan).snapshot["targets"][0]
    [reviewer] = pool(1)
    assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    client.force_login(reviewer)
    content = client.get(reverse("assessment:review", args=[plan.pk])).content.decode()
    assert "Penanggung jawab: Kepala Bidang Perizinan · Anggaran: Rp 15.000.000" in content
    assert f": 42,50 → 90,00 {target['unit']} (" in content
    assert "verifikasi: Laporan bulanan)" in content


@pytest.mark.parametrize(
    ("value", "format_name", "shown"),
    [
        ("2026-03-01", "DATE_FORMAT", "1 Maret 2026"),
        ("2026-03-01", "YEAR_MONTH_FORMAT", "Maret 2026"),
        (dt.date(2026, 12, 31), "DATE_FORMAT", "31 Desember 2026"),
        ("2026-02-30", "DATE_FORMAT", "2026-02-30"),  # no such day: shown as stored
        ("Maret", "DATE_FORMAT", "Maret"),
        (None, "DATE_FORMAT", ""),
        ("", "DATE_FORMAT", ""),
    ],
)
def test_snapshot_date_formats_iso_dates_and_leaves_anything_else_alone(value, format_name, shown):
    assert snapshot_date(value, format_name) == shown


def test_the_version_is_rendered_once_and_kept(client, submitted, pool, coordinator):
    """A handed-in version never changes: its read-only rendering is kept (per language),
    so a second view of the review page does not render it again; the text is the same."""
    cache.clear()
    plan = submitted()
    [reviewer] = pool(1)
    assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    client.force_login(reviewer)
    url = reverse("assessment:review", args=[plan.pk])
    snapshot = "assessment/partials/snapshot.html"

    first = client.get(url)
    again = client.get(url)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert snapshot in [t.name for t in first.templates]
    assert snapshot not in [t.name for t in again.templates]
    assert snapshot in [t.name for t in english.templates]  # its own rendering
    title = PlanVersion.objects.get(plan=plan).snapshot["activities"][0]["title"]
    assert title in again.content.decode()
    section = first.content.decode().split('id="version-title"')[1].split("</section>")[0]
    assert section in again.content.decode()
    cache.clear()
