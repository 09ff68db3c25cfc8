"""The agent's portfolio and the shaded alignment map on the demo province, at the desk
(1366 px) and on a phone (375 px): the demo agent's portfolio is full on the first start
and reached from their plan page, their head reaches it from the agency's list, the
alignment map of the cycle in implementation carries its realisation shading and legend;
axe-core finds no violation, no page is wider than the phone, and screenshots are kept
under test-artifacts/screenshots/."""

from pprint import pformat

import pytest

from plans.enums import PlanState
from plans.models import ActionPlan

from .conftest import axe_violations, login, screenshot
from .test_all_pages import ALL_TAGS, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 375, "height": 812}}


def _check(page, name: str, found: dict, wide: dict) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, name)
    if violations := axe_violations(page, tags=ALL_TAGS):
        found[name] = violations
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        wide[name] = width


def test_portfolio_and_shaded_alignment_map(demo_province, new_context):
    plan = (
        ActionPlan.objects.filter(owner__user__username="agen")
        .select_related("cycle")
        .order_by("cycle__submission_deadline")
        .first()
    )
    measured = (
        ActionPlan.objects.filter(state__in=[PlanState.IMPLEMENTING, PlanState.COMPLETED])
        .select_related("cycle")
        .first()
    )
    found, wide = {}, {}
    for size, viewport in WIDTHS.items():
        # The agent, from their plan's page to their portfolio.
        page = new_context(viewport=viewport).new_page()
        login(page, "agen", DEMO_PASSWORD)
        page.goto(f"/rencana/{plan.pk}/")
        page.locator("a[title='Portofolio agen perubahan']").first.click()
        page.wait_for_load_state("networkidle")
        assert "/portofolio/" in page.url
        assert page.locator("article.card").count() >= 2  # the demo agent's cycles
        roles = page.locator("#portfolio-roles tbody td.ap-num").all_inner_texts()
        assert sum(int(n) for n in roles) > 0
        assert page.locator("#portfolio-scores").count() == 1  # decided plans: scores
        _check(page, f"portfolio-agent-{size}", found, wide)
        # The head of the agency, from the agency's list of agents.
        head = new_context(viewport=viewport).new_page()
        login(head, "kepala", DEMO_PASSWORD)
        head.goto("/opd/")
        head.locator("a[title='Portofolio agen perubahan']").first.click()
        head.wait_for_load_state("networkidle")
        assert "/portofolio/" in head.url
        _check(head, f"portfolio-head-{size}", found, wide)
        # Leadership: the alignment map of the cycle in implementation, shaded.
        sekda = new_context(viewport=viewport).new_page()
        login(sekda, "sekda", DEMO_PASSWORD)
        assert sekda.goto(f"/rencana/peta-keselarasan/?cycle={measured.cycle.code}").status == 200
        assert sekda.locator("#alignment-legend").count() == 1
        assert sekda.locator("#area-value-map .ap-realisation").count() > 0
        _check(sekda, f"alignment-map-{size}", found, wide)
    assert (found, wide) == ({}, {}), pformat((found, wide), width=100)
