"""What the editor tells the person typing, in a real browser: autosave errors on the field
itself (is-invalid, aria-invalid, the message linked), a new row not flagged while it is
being typed, and refused uploads announced at the upload box (too large: before sending)."""

import re

import pytest
from playwright.sync_api import expect

from plans.models import Attachment
from tests.factories import PlanFactory

from .conftest import login, screenshot
from .test_editor import PASSWORD, province  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def editor(province, new_context):  # noqa: F811 - the fixture imported above
    agent = province["agent"]
    plan = PlanFactory(cycle=province["cycle"], owner=agent, title="Arsip digital kepegawaian")
    page = new_context().new_page()
    login(page, "agen.uji", PASSWORD)
    page.goto(f"/rencana/{plan.pk}/ubah/")
    return page, plan


def test_an_autosave_error_marks_its_field_and_links_the_message(editor):
    page, plan = editor
    title = page.get_by_label("Judul rencana tindak")
    title.fill("")
    title.blur()
    expect(title).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(title).to_have_attribute("aria-invalid", "true")
    described = title.get_attribute("aria-describedby") or ""
    message_ids = [i for i in described.split() if i.startswith("ap-error-")]
    assert message_ids, described
    expect(page.locator(f"#{message_ids[0]}")).to_contain_text(
        "Judul rencana tindak: Bidang ini tidak boleh kosong"
    )
    # Fixed: the mark and the link go.
    title.fill("Arsip digital kepegawaian terpadu")
    title.blur()
    expect(title).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(title).not_to_have_attribute("aria-invalid", "true")
    assert "ap-error-" not in (title.get_attribute("aria-describedby") or "")
    plan.refresh_from_db()
    assert plan.title == "Arsip digital kepegawaian terpadu"


def test_a_new_row_being_typed_is_flagged_only_once_the_user_leaves_it(editor):
    page, _plan = editor
    indicator = page.locator('[name="targets-0-indicator"]')
    unit = page.locator('[name="targets-0-unit"]')
    indicator.click()
    indicator.press_sequentially("Waktu proses")
    # The save after the pause in typing answers with the row's missing fields ...
    expect(page.locator("#errors-targets [data-error-for]").first).to_be_attached(timeout=10_000)
    # ... but nothing turns red while the person is still in the row.
    unit.focus()
    expect(page.locator("#row-targets-0 .is-invalid")).to_have_count(0)
    # Leaving the row shows what is missing.
    page.get_by_label("Judul rencana tindak").focus()
    expect(unit).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(unit).to_have_attribute("aria-invalid", "true")


def test_a_file_too_large_is_refused_at_the_upload_box_before_it_is_sent(editor, settings):
    settings.AGENPLAN_ATTACHMENT_MAX_MB = 1
    page, plan = editor
    page.reload()
    upload = page.locator('input[type="file"]')
    assert upload.get_attribute("data-max-mb") == "1"
    sent = []
    page.on("request", lambda r: sent.append(r.url) if "lampiran" in r.url else None)
    upload.set_input_files(
        {"name": "besar.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * 1_200_000}
    )
    page.get_by_role("button", name="Unggah lampiran").click()
    expect(upload).to_be_focused()
    expect(upload).to_have_attribute("aria-invalid", "true")
    message = page.locator(f"#{upload.get_attribute('id')}_too_large")
    expect(message).to_have_text("Berkas terlalu besar; maksimal 1 MB.")
    expect(message).to_be_in_viewport()
    assert sent == []
    assert not Attachment.objects.filter(plan=plan).exists()


def test_a_refused_upload_opens_the_page_at_the_upload_box_with_the_reason(editor, private_media):
    page, plan = editor
    upload = page.locator('input[type="file"]')
    upload.set_input_files(
        {"name": "catatan.pdf", "mimeType": "application/pdf", "buffer": b"bukan pdf sama sekali"}
    )
    page.get_by_role("button", name="Unggah lampiran").click()
    page.wait_for_load_state("load")
    upload = page.locator('input[type="file"]')
    expect(upload).to_be_focused()
    expect(upload).to_be_in_viewport()
    box = page.locator("#section-attachments")
    expect(box).to_contain_text("Isi berkas bukan PDF")
    screenshot(page, "editor-upload-refused")
    assert not Attachment.objects.filter(plan=plan).exists()
