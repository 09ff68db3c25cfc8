"""The reviewer's page at the desk: the plan stays beside the rubric and the running total
at the bottom of the screen while the criteria scroll by, and the keyboard moves through
the queue and saves, but never while the reviewer types."""

import pytest
from playwright.sync_api import expect

from agents.enums import Role
from assessment.models import Criterion
from assessment.services import assign_reviewers, decide_plan, save_review, submit_review
from plans.enums import PlanState
from plans.services.workflow import submit_plan
from tests.factories import (
    AgentFactory,
    CycleFactory,
    PlanFactory,
    add_rubric,
    complete_plan_content,
    user_with_role,
)

from .conftest import axe_violations, login, screenshot
from .test_editor import wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "rahasia-123"  # tests.factories.UserFactory


@pytest.fixture
def queue(transactional_db):
    """Three plans handed in and assigned to one reviewer, in this order of due date."""
    cycle = CycleFactory(code="assessment-2026")
    add_rubric(cycle)
    coordinator = user_with_role(Role.COORDINATOR, username="koordinator")
    reviewer = user_with_role(Role.REVIEWER, username="penilai", name="Dra. Penilai, M.Si.")
    plans = []
    for title in ("Rencana pertama", "Rencana kedua", "Rencana ketiga"):
        owner = AgentFactory()
        plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner, title=title))
        submit_plan(plan, by=owner.user)
        assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
        plans.append(plan)
    return plans


def box(locator) -> dict:
    return locator.bounding_box()


def test_the_plan_and_the_total_stay_in_view_while_scoring(queue, page):
    login(page, "penilai", PASSWORD)
    page.goto(f"/penilaian/rencana/{queue[0].pk}/")
    pane, rubric = page.locator(".ap-review-plan"), page.locator("#rubric-title")
    # Two panes side by side at 1366 px.
    assert box(pane)["x"] + box(pane)["width"] <= box(rubric)["x"]
    assert axe_violations(page) == []
    # Scoring the last criterion: the plan and the running total are still on screen.
    page.locator("#criterion-K6 input[value='5']").check()
    page.locator("#criterion-K6").scroll_into_view_if_needed()
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(200)
    height = page.viewport_size["height"]
    area = box(pane)
    assert area["y"] < height and area["y"] + area["height"] > 0
    bar = box(page.locator(".ap-review-bar"))
    assert 0 < bar["y"] and bar["y"] + bar["height"] <= height + 1
    expect(page.locator("#running-total")).to_have_text("15,00")
    screenshot(page, "review-page-scrolled")


def test_the_keyboard_moves_through_the_queue_and_saves_but_not_while_typing(queue, page):
    login(page, "penilai", PASSWORD)
    page.goto(f"/penilaian/rencana/{queue[0].pk}/")
    page.get_by_text("Pintasan keyboard").click()
    expect(page.get_by_label("Pintasan satu huruf aktif")).to_be_checked()
    # Typed into a comment, J is a letter.
    comment = page.locator("#criterion-K1 textarea")
    comment.fill("")
    comment.press_sequentially("jks")
    expect(comment).to_have_value("jks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana pertama")
    # Outside the fields: S saves the draft, J and K go to the next and previous plan.
    page.locator("#criterion-K1 input[value='4']").check()
    page.keyboard.press("s")
    expect(page.get_by_text("Draf penilaian disimpan.")).to_be_visible()
    expect(page.locator("#criterion-K1 textarea")).to_have_value("jks")
    page.keyboard.press("j")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana kedua")
    page.keyboard.press("j")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana ketiga")
    page.keyboard.press("k")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana kedua")
    # A level chosen and not saved: leaving asks first, and staying keeps it.
    page.locator("#criterion-K2 input[value='3']").check()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.keyboard.press("j")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana kedua")
    expect(page.locator("#criterion-K2 input[value='3']")).to_be_checked()
    # Switched off, the letters do nothing (and it stays off on the next page).
    page.get_by_text("Pintasan keyboard").click()
    page.get_by_label("Pintasan satu huruf aktif").uncheck()
    page.locator("body").click(position={"x": 5, "y": 300})
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("k")
    page.wait_for_timeout(300)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana kedua")
    page.get_by_role("link", name="Rencana berikutnya di antrean").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana ketiga")
    page.keyboard.press("k")
    page.wait_for_timeout(300)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rencana ketiga")


def test_the_review_page_fits_a_phone(queue, new_context):
    page = new_context(viewport={"width": 375, "height": 812}).new_page()
    login(page, "penilai", PASSWORD)
    page.goto(f"/penilaian/rencana/{queue[0].pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "review-page-phone")


@pytest.fixture
def revision(transactional_db):
    """A plan both reviewers scored, sent back for revision by the coordinator."""
    cycle = CycleFactory(code="assessment-2026")
    add_rubric(cycle)
    coordinator = user_with_role(Role.COORDINATOR, username="koordinator")
    reviewers = [
        user_with_role(Role.REVIEWER, username=f"penilai{i}", name=f"Penilai {i}") for i in (1, 2)
    ]
    owner = AgentFactory(user__username="agen.revisi")
    plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner, title="Izin daring"))
    submit_plan(plan, by=owner.user)
    assign_reviewers(plan, reviewers=reviewers, by=coordinator)
    codes = Criterion.objects.filter(rubric__cycle=cycle).values_list("code", flat=True)
    for reviewer in reviewers:
        review = save_review(
            plan.assignments.get(reviewer=reviewer),
            levels={code: (3, "Cukup") for code in codes},
            overall_feedback="Cukup",
            by=reviewer,
        )
        submit_review(review, by=reviewer)
    decide_plan(plan, outcome="revise", feedback="Perjelas anggaran.", by=coordinator)
    return plan


def test_a_resubmitted_revision_is_scored_by_the_same_reviewers_from_the_diff(
    revision, new_context
):
    plan = revision
    agent = new_context().new_page()
    agent.on("dialog", lambda dialog: dialog.accept())
    login(agent, "agen.revisi", PASSWORD)
    agent.goto(f"/rencana/{plan.pk}/ubah/")
    agent.get_by_label("Akar masalah").fill("Berkas kertas berpindah meja tanpa pelacakan.")
    agent.locator('[name="activities-0-responsible"]').fill("Sekretaris Dinas")
    agent.locator('[name="activities-0-budget"]').fill("17.500.000")
    agent.locator('[name="targets-0-verification"]').fill("Dasbor daring")
    agent.locator('[name="targets-0-verification"]').blur()
    wait_saved(agent)
    agent.get_by_role("button", name="Ajukan rencana").click()
    expect(agent.locator(".alert").first).to_contain_text("Rencana sudah diajukan")
    plan.refresh_from_db()
    assert (plan.state, plan.versions.count()) == (PlanState.IN_REVIEW, 2)

    for username in ("penilai1", "penilai2"):
        page = new_context().new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        login(page, username, PASSWORD)
        expect(page.get_by_role("link", name="Izin daring")).to_be_visible()
        page.get_by_role("link", name="Izin daring").click()
        diff = page.locator("section[aria-labelledby='diff-title']")
        expect(diff).to_contain_text("Perubahan sejak versi 1 yang Anda nilai (sekarang versi 2)")
        for label in ("Akar masalah", "Kegiatan dan jadwal", "Target"):
            expect(diff.get_by_role("heading", name=label, exact=False).first).to_be_visible()
        added = diff.locator("ins.ap-added")
        for text in ("pelacakan", "Sekretaris Dinas", "17.500.000", "Dasbor daring"):
            expect(added.filter(has_text=text).first).to_be_visible()
        # The changes sit beside the rubric, scored without leaving them.
        pane, rubric = page.locator(".ap-review-plan"), page.locator("#rubric-title")
        assert pane.bounding_box()["x"] + pane.bounding_box()["width"] <= rubric.bounding_box()["x"]
        for code in range(1, 7):
            page.locator(f"#criterion-K{code} input[value='4']").check()
        page.get_by_label("Masukan untuk agen").fill("Anggaran sudah jelas.")
        screenshot(page, f"review-revision-{username}")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Kirim penilaian").click()
        expect(page.get_by_text("Penilaian dikirim dan terkunci.")).to_be_visible()
    plan.refresh_from_db()
    assert plan.state == PlanState.REVIEWED
