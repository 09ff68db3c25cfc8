"""First journey: each role signs in on the demo province and lands on its own home.

A screenshot of each home is kept (test-artifacts/screenshots/), and axe-core checks
each page for WCAG 2.1 A/AA violations.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_PASSWORD = "agenplan-demo"

HOMES = [
    # (username, path of the home, its heading)
    ("agen", "/rencana/", "Rencana saya"),
    ("kepala", "/opd/", "Rencana OPD"),
    ("reviewer1", "/penilaian/", "Antrean penilaian"),
    ("koordinator", "/koordinator/", "Papan siklus"),
    ("sekda", "/pimpinan/", "Dashboard provinsi"),
]


def test_each_role_signs_in_and_sees_its_home(demo_province, new_context):
    for username, path, heading in HOMES:
        context = new_context()
        page = context.new_page()
        login(page, username, DEMO_PASSWORD)
        expect(page).to_have_url(re.compile(re.escape(path) + r"$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        # The agency and the cycle are visible on every page.
        expect(page.locator(".ap-context")).to_contain_text("Assessment Agen Perubahan")
        screenshot(page, f"home-{username}")
        assert axe_violations(page) == [], f"accessibility violations on {path}"
        context.close()


def test_wrong_password_is_refused_with_a_message_in_indonesian(demo_province, page):
    login(page, "agen", "bukan-sandinya")
    expect(page.locator("form[action='/masuk/']")).to_contain_text(
        "Nama pengguna atau kata sandi salah"
    )
    expect(page).to_have_url(re.compile(r"/masuk/$"))


def test_agent_home_on_a_phone(demo_province, new_context):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    login(page, "agen", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana saya")
    screenshot(page, "home-agen-phone")
