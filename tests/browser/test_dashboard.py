"""The Sekda's dashboard in a real browser: the charts are drawn, a click on a bar lands on
the list of exactly the plans behind it, the page passes axe-core, and it is kept as
screenshots at 1366×768 and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from plans.enums import PlanState
from plans.models import ActionPlan
from plans.selectors import current_cycle

from .conftest import axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_PASSWORD = "agenplan-demo"


def bar_centre(page, canvas_selector: str, index: int) -> dict:
    """The page coordinates of the middle of bar `index` of a Chart.js chart."""
    return page.evaluate(
        """([selector, index]) => {
            const canvas = document.querySelector(selector);
            const chart = Chart.getChart(canvas);
            const bar = chart.getDatasetMeta(0).data[index].getProps(['x', 'y', 'base'], true);
            const box = canvas.getBoundingClientRect();
            const horizontal = chart.options.indexAxis === 'y';
            return {
                x: box.left + (horizontal ? (bar.x + bar.base) / 2 : bar.x),
                y: box.top + (horizontal ? bar.y : (bar.y + bar.base) / 2),
            };
        }""",
        [canvas_selector, index],
    )


def test_sekda_clicks_a_chart_bar_and_lands_on_its_plans(demo_province, new_context):
    cycle = current_cycle()
    submitted = ActionPlan.objects.filter(cycle=cycle, state=PlanState.SUBMITTED).count()
    assert submitted > 0
    page = new_context().new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, "sekda", DEMO_PASSWORD)
    page.goto("/pimpinan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard provinsi")
    expect(page.locator("#kpi-submitted")).to_have_text(
        str(ActionPlan.objects.filter(cycle=cycle, state__in=PlanState.SUBMITTED_ONCE).count())
    )
    # Every chart is drawn from the table beneath it.
    charts = page.locator("canvas[data-chart]")
    assert charts.count() == 6
    for i in range(charts.count()):
        expect(charts.nth(i)).to_have_attribute("data-chart-ready", "1")
    screenshot(page, "dashboard-sekda-1366")
    assert axe_violations(page) == []

    states = [s.value for s in PlanState]
    canvas = 'canvas[data-chart-source="states-table"]'
    page.locator(canvas).scroll_into_view_if_needed()
    point = bar_centre(page, canvas, states.index(PlanState.SUBMITTED))
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/rencana/daftar/\?"))
    assert f"cycle={cycle.code}" in page.url
    assert "state=submitted" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar rencana")
    expect(page.locator("table caption")).to_contain_text(f"{submitted} rencana sesuai saringan")
    assert errors == []

    # The agency table searches in place (htmx), keeping the search in the URL.
    page.goto("/pimpinan/")
    page.get_by_label("Cari perangkat daerah").fill("Dinkes")
    expect(page.locator("#agencies-table tbody tr")).to_have_count(1)
    expect(page.locator("#agencies-table tbody")).to_contain_text("Dinas Kesehatan")
    assert "q=Dinkes" in page.url
    # The agency's own page: its plans, agents and scores per criterion.
    page.locator("#agencies-table tbody").get_by_role(
        "link", name=re.compile("Kesehatan")
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dinas Kesehatan")
    expect(page.locator("#criteria-table")).to_be_visible()
    screenshot(page, "dashboard-agency-1366")
    assert axe_violations(page) == []


def test_dashboard_on_a_phone_and_for_the_agency_head(demo_province, new_context):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    login(page, "sekda", DEMO_PASSWORD)
    page.goto("/pimpinan/")
    expect(page.locator('canvas[data-chart-source="scores-table"]')).to_have_attribute(
        "data-chart-ready", "1"
    )
    # Nothing wider than the phone: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "dashboard-sekda-phone")
    head = new_context().new_page()
    login(head, "kepala", DEMO_PASSWORD)
    head.goto("/pimpinan/")
    expect(head.get_by_role("heading", level=1)).to_have_text("Dashboard perangkat daerah")
    expect(head.locator("#agencies-table tbody tr")).to_have_count(1)
    screenshot(head, "dashboard-kepala-1366")
