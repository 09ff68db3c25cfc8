"""Every main page of every role on the demo province, at the desk (1366 px) and on a
phone (375 px): axe-core finds no violation of any impact (WCAG 2.2 A/AA, tap targets
included, and axe's best practices), and no page is wider than the phone's screen."""

from pprint import pformat

import pytest

from assessment.models import ReviewAssignment
from plans.models import ActionPlan
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob

from .conftest import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_PASSWORD = "agenplan-demo"
ROLES = ["agen", "kepala", "reviewer1", "koordinator", "sekda"]
ALL_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def extra_pages(username: str) -> list[str]:
    """Pages reached from lists rather than the menu: a plan, its editor, a review."""
    plan = ActionPlan.objects.filter(owner__user__username="agen").order_by("pk").first()
    if username == "agen":
        return [
            f"/rencana/{plan.pk}/",
            f"/rencana/{plan.pk}/ubah/",
            f"/rencana/{plan.pk}/pratinjau/",
            f"/rencana/{plan.pk}/bandingkan/",
            f"/rencana/{plan.pk}/pendampingan/",
            "/akun/profil/",
        ]
    if username == "koordinator":
        decided = ActionPlan.objects.exclude(decisions=None).order_by("pk").first()
        return [
            f"/koordinator/rencana/{decided.pk}/",
            f"/koordinator/rencana/{decided.pk}/keputusan/",
        ]
    if username == "sekda":
        return [f"/pimpinan/opd/{plan.agency_id}/"]
    if username == "reviewer1":
        assignment = (
            ReviewAssignment.objects.filter(reviewer__username="reviewer1", is_active=True)
            .order_by("pk")
            .first()
        )
        return [f"/penilaian/rencana/{assignment.plan_id}/"] if assignment else []
    return []


def pages_of(page, username: str) -> list[str]:
    links = page.eval_on_selector_all(
        "#ap-sidebar a.nav-link", "links => links.map(a => a.getAttribute('href'))"
    )
    return [*dict.fromkeys(links), *extra_pages(username)]


def test_every_main_page_passes_axe_at_the_desk_and_fits_a_phone(demo_province, new_context):
    found, wide = {}, {}
    for username in ROLES:
        desk = new_context().new_page()
        login(desk, username, DEMO_PASSWORD)
        phone = new_context(viewport={"width": 375, "height": 812}).new_page()
        login(phone, username, DEMO_PASSWORD)
        for path in pages_of(desk, username):
            assert desk.goto(path).status == 200, (username, path)
            desk.wait_for_load_state("networkidle")
            if violations := axe_violations(desk, tags=ALL_TAGS):
                found[(username, path)] = violations
            phone.goto(path)
            phone.wait_for_load_state("networkidle")
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > 375:
                wide[(username, path)] = width
            if violations := axe_violations(phone, tags=ALL_TAGS):
                found[(username, path, "375")] = violations
    assert (found, wide) == ({}, {}), pformat((found, wide), width=100)


def test_the_public_verification_page_passes_axe(demo_province, new_context):
    plan = ActionPlan.objects.filter(owner__user__username="agen").order_by("pk").first()
    job = ReportJob.objects.create(
        requested_by=plan.owner.user,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": plan.pk},
        status=JobStatus.DONE,
        verification_code="AP-UJI-0001",
        title=plan.title,
        agency_name=plan.agency.name,
    )
    page = new_context().new_page()
    paths = ["/verify/TIDAK-ADA", f"/verify/{job.verification_code}"]
    for path in paths:
        page.goto(path)
        assert axe_violations(page, tags=ALL_TAGS) == [], path
        assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
