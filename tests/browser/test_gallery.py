"""The public gallery on the demo province, signed out: the list, a search, a filter and a
plan's page at the desk (1366 px) and on a phone (375 px) pass axe-core with no violation
of any impact, fit the phone's screen, are screenshotted for people to look at, and carry
no noindex."""

from pprint import pformat

import pytest

from gallery.selectors import shown_plans

from .conftest import axe_violations, screenshot
from .test_all_pages import ALL_TAGS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_public_gallery_passes_axe_and_fits_a_phone(demo_province, new_context):
    plan = shown_plans().filter(owner__user__username="agen").get()
    paths = {
        "list": "/inovasi/",
        "search": "/inovasi/?q=layanan",
        "filtered": f"/inovasi/?opd={plan.agency_id}&tahun={plan.cycle.year}",
        "detail": f"/inovasi/{plan.pk}/",
    }
    found, wide = {}, {}
    for width in (1366, 375):
        page = new_context(viewport={"width": width, "height": 900}).new_page()
        for name, path in paths.items():
            assert page.goto(path).status == 200, path
            page.wait_for_load_state("networkidle")
            if violations := axe_violations(page, tags=ALL_TAGS):
                found[(path, width)] = violations
            if page.evaluate("document.documentElement.scrollWidth") > width:
                wide[(path, width)] = page.evaluate("document.documentElement.scrollWidth")
            assert page.locator('meta[name="robots"]').count() == 0, path
            if name in ("list", "detail"):
                screenshot(page, f"gallery-{name}-{width}")
        # The public page names its plan and shows its verified realisation.
        page.goto(paths["detail"])
        assert page.get_by_role("heading", level=1).inner_text() == plan.title
        assert page.locator("#gallery-realisation").inner_text().endswith("%")
    assert (found, wide) == ({}, {}), pformat((found, wide), width=100)


def test_the_filters_stay_in_the_url(demo_province, page):
    page.goto("/inovasi/")
    year = page.locator("#gallery-tahun option").nth(1).get_attribute("value")
    page.select_option("#gallery-tahun", year)
    page.get_by_label("Cari judul, masalah, inovasi, atau perangkat daerah").fill("layanan")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_load_state("networkidle")
    assert f"tahun={year}" in page.url and "q=layanan" in page.url
    assert page.locator("#gallery-tahun").input_value() == year
