"""The plan's pages on a 1366 px screen and a 375 px phone: no page wider than the screen,
scroll regions reachable by keyboard, checklist links that put the cursor in the field
below the sticky toolbar, text boxes that grow with their text, and the governor's
missions listed under their RPJMD period. Screenshots at both widths are kept."""

import pytest
from playwright.sync_api import expect

from plans.services import workflow
from tests.factories import AgentFactory, PlanFactory, complete_plan_content

from .conftest import login, screenshot
from .test_editor import PASSWORD, province  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 375, "height": 740}}


@pytest.fixture
def plans(province):  # noqa: F811 - the fixture imported above
    agent = province["agent"]
    # One plan per agent and cycle: the draft is a colleague's, with the agent in its team.
    colleague = AgentFactory(user__agency=agent.agency)
    draft = PlanFactory(cycle=province["cycle"], owner=colleague, title="Arsip digital")
    draft.co_agents.add(agent)
    submitted = complete_plan_content(
        PlanFactory(
            cycle=province["cycle"],
            owner=agent,
            title="Layanan izin praktik tenaga kesehatan daring dengan nama yang panjang",
        )
    )
    workflow.submit_plan(submitted, by=agent.user)
    workflow.withdraw_plan(submitted, by=agent.user, note="Memperbaiki target")
    workflow.submit_plan(submitted, by=agent.user)
    return {"draft": draft, "submitted": submitted}


def assert_fits(page, width: int) -> None:
    wide = page.evaluate(
        """(width) => [document.documentElement.scrollWidth, document.body.scrollWidth,
             ...[...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > width + 1
                            && !e.closest('.table-responsive, [data-ap-scroll]'))
               .slice(0, 5).map(e => e.tagName + '.' + e.className)]""",
        width,
    )
    assert wide[0] <= width and wide[1] <= width, wide


@pytest.mark.parametrize("screen", sorted(WIDTHS))
def test_plan_pages_fit_the_screen(plans, new_context, screen):
    size = WIDTHS[screen]
    page = new_context(viewport=size).new_page()
    login(page, "agen.uji", PASSWORD)
    pages = {
        "editor": f"/rencana/{plans['draft'].pk}/ubah/",
        "detail": f"/rencana/{plans['submitted'].pk}/",
        "preview": f"/rencana/{plans['submitted'].pk}/pratinjau/",
    }
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state("networkidle")
        screenshot(page, f"plan-{name}-{size['width']}")
        assert_fits(page, size["width"])


def test_scroll_regions_can_be_reached_by_keyboard_and_are_named(plans, page):
    login(page, "agen.uji", PASSWORD)
    page.goto(f"/rencana/{plans['submitted'].pk}/")
    regions = page.locator(".table-responsive")
    assert regions.count() > 0
    for i in range(regions.count()):
        region = regions.nth(i)
        expect(region).to_have_attribute("tabindex", "0")
        assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")


@pytest.mark.parametrize("screen", sorted(WIDTHS))
def test_a_checklist_link_puts_the_cursor_in_the_field_below_the_toolbar(
    plans, new_context, screen
):
    page = new_context(viewport=WIDTHS[screen]).new_page()
    login(page, "agen.uji", PASSWORD)
    page.goto(f"/rencana/{plans['draft'].pk}/ubah/")
    for label in ("Dampak internal wajib diisi.", "Akar masalah wajib diisi."):
        page.locator("#checklist-panel").get_by_role("link", name=label).click()
        field = page.get_by_label(label.removesuffix(" wajib diisi."), exact=True)
        expect(field).to_be_focused()
        # Once the (smooth) scroll has settled: below the toolbar, within the screen.
        page.wait_for_function(
            """(id) => {
                const box = document.getElementById(id).getBoundingClientRect();
                const bar = document.querySelector('.ap-editor-toolbar').getBoundingClientRect();
                return box.top >= bar.bottom && box.bottom <= window.innerHeight;
            }""",
            arg=field.get_attribute("id"),
        )


def test_text_boxes_grow_with_their_text(plans, page):
    login(page, "agen.uji", PASSWORD)
    page.goto(f"/rencana/{plans['draft'].pk}/ubah/")
    box = page.get_by_label("Akar masalah", exact=True)
    before = box.bounding_box()["height"]
    box.fill("\n".join(f"Baris ke-{i} dari uraian akar masalah." for i in range(12)))
    after = box.bounding_box()["height"]
    assert after > before * 2
    assert box.evaluate("e => e.scrollHeight <= e.clientHeight + 1")


def test_the_governor_missions_are_listed_under_their_rpjmd_period(plans, page):
    login(page, "agen.uji", PASSWORD)
    page.goto(f"/rencana/{plans['draft'].pk}/ubah/")
    group = page.locator("#id_governor_mission optgroup")
    expect(group).to_have_attribute("label", "RPJMD 2024–2026")
    expect(group.locator("option")).to_have_text(["1. Mewujudkan birokrasi yang melayani"])
