"""An ended session never loses typed text: the editor keeps the unsaved section (on the
page and in localStorage), says the session has ended, and saves it once the person has
signed in again in a new tab. Before the idle end, the page warns and "Tetap masuk"
keeps the session.

Screenshots: test-artifacts/screenshots/session-expired-editor.png and session-warning.png.
"""

import json
import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from plans.models import ActionPlan
from tests.factories import AgentFactory, CycleFactory, PlanFactory, add_rubric

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "rahasia-123"
EXPIRED = "Sesi berakhir — masuk lagi untuk menyimpan"


@pytest.fixture
def plan(transactional_db):
    cycle = CycleFactory(name="Assessment Agen Perubahan 2026")
    add_rubric(cycle)
    agent = AgentFactory(user__username="agen.uji", user__name="Rina Kartika, S.E.")
    return PlanFactory(cycle=cycle, owner=agent, agency=agent.agency, title="Izin daring")


def wait_saved(page):
    page.wait_for_function(
        "() => !document.querySelector("
        "'.ap-editor-section[data-ap-dirty], .ap-editor-section[data-ap-pending]')",
        timeout=20_000,
    )
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Tersimpan \d\d\.\d\d"))


def kept_drafts(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries(Object.keys(localStorage)
            .filter(k => k.startsWith('agenplan:draft:'))
            .map(k => [k, JSON.parse(localStorage.getItem(k))]))"""
    )


def test_text_typed_after_the_session_ended_is_kept_and_saved_after_signing_in(plan, new_context):
    context = new_context()
    editor = context.new_page()
    login(editor, "agen.uji", PASSWORD)
    editor.goto(f"/rencana/{plan.pk}/ubah/")
    field = editor.get_by_label("Isu strategis / masalah layanan")
    field.fill("Izin diproses manual.")
    field.blur()
    wait_saved(editor)

    # The session ends on the server (as after the idle time or a sign-out elsewhere).
    Session.objects.all().delete()
    typed = "Izin diproses manual selama 14 hari kerja; berkas kertas berpindah meja."
    field.fill(typed)
    field.blur()

    expect(editor.locator("#ap-session-expired")).to_be_visible()
    expect(editor.locator("#ap-session-expired")).to_contain_text(EXPIRED)
    expect(editor.locator("#save-status")).to_have_text(EXPIRED)
    # Nothing was swapped in: the text is on the page, marked unsaved, and kept.
    expect(field).to_have_value(typed)
    expect(editor.locator("#section-problem")).to_have_attribute("data-ap-dirty", "")
    drafts = kept_drafts(editor)
    key = f"agenplan:draft:/rencana/{plan.pk}/ubah/#section-problem"
    assert drafts[key]["fields"]["strategic_issue"] == typed
    assert ActionPlan.objects.get(pk=plan.pk).strategic_issue == "Izin diproses manual."
    screenshot(editor, "session-expired-editor")

    # Signing in again from the notice's link, in a new tab.
    link = editor.get_by_role("link", name="Masuk lagi (tab baru)")
    assert link.get_attribute("target") == "_blank"
    with context.expect_page() as new_tab:
        link.click()
    signin = new_tab.value
    signin.get_by_label("Nama pengguna").fill("agen.uji")
    signin.get_by_label("Kata sandi").fill(PASSWORD)
    signin.get_by_role("button", name="Masuk").click()
    expect(signin.get_by_role("heading", level=1)).to_have_text("Anda sudah masuk lagi")

    # The editor hears of it, takes the new CSRF token and saves what waited.
    editor.bring_to_front()
    wait_saved(editor)
    expect(editor.locator("#ap-session-expired")).to_be_hidden()
    assert ActionPlan.objects.get(pk=plan.pk).strategic_issue == typed
    assert kept_drafts(editor) == {}


def test_a_kept_section_comes_back_when_the_page_is_opened_again(plan, new_context):
    page = new_context().new_page()
    login(page, "agen.uji", PASSWORD)
    page.goto(f"/rencana/{plan.pk}/ubah/")
    lock = page.locator("#id_lock_version").input_value()
    key = f"agenplan:draft:/rencana/{plan.pk}/ubah/#section-problem"
    draft = {"lock": lock, "kept": 0, "fields": {"strategic_issue": "Teks yang tertunda."}}
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, json.dumps(draft)])
    page.reload()
    expect(page.get_by_label("Isu strategis / masalah layanan")).to_have_value(
        "Teks yang tertunda."
    )
    wait_saved(page)
    assert ActionPlan.objects.get(pk=plan.pk).strategic_issue == "Teks yang tertunda."
    assert kept_drafts(page) == {}


def test_a_warning_before_the_idle_end_and_stay_signed_in(plan, new_context, settings):
    settings.AGENPLAN_SESSION_IDLE_MINUTES = 1
    settings.AGENPLAN_SESSION_WARNING_SECONDS = 57
    page = new_context().new_page()
    login(page, "agen.uji", PASSWORD)
    warning = page.locator("#ap-session-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=20_000)
    expect(warning).to_contain_text("Sesi Anda akan berakhir sebentar lagi")
    screenshot(page, "session-warning")
    with page.expect_response(lambda r: r.url.endswith("/akun/sesi/tetap/")) as answer:
        page.get_by_role("button", name="Tetap masuk").click()
    assert answer.value.status == 204
    assert answer.value.headers["x-session-remaining"] == "60"
    expect(warning).to_be_hidden()
