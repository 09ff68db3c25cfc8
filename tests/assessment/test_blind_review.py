"""The assessment is blind (docs/domain.md), from every chair: pages, htmx partials, exports
and PDFs ask one rule, `assessment.view_scores`, and reviewer names another,
`assessment.view_reviewer_names`.

The plan under test is in review with two reviewers in a cycle that keeps reviewers
anonymous: Budi has submitted (total 76,25, which is also the plan's provisional score),
Citra has a draft (56,25 once submitted; the plan's score is then 66,25).
"""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from agents.enums import Role
from assessment.enums import DecisionOutcome
from assessment.services import assign_reviewers, decide_plan, save_review, submit_review
from plans.enums import PlanState
from plans.services.workflow import submit_plan
from reports.enums import JobStatus, ReportKind
from reports.rendering import ReportError
from reports.services import request_cycle_report, request_plan_report
from tests.factories import AgentFactory, CycleFactory, UserFactory, add_rubric, user_with_role
from tests.reports.scenario import LEVELS_A, LEVELS_B, detailed_plan

FIRST_TOTAL = "76,25"  # Budi's total, and the plan's provisional score after one review
PLAN_SCORE = "66,25"  # the mean once both are in
BUDI = "Budi Santoso, S.Sos."
CITRA = "Citra Lestari, S.T."


def _review(plan, reviewer, levels, *, submit: bool):
    assignment = plan.assignments.get(reviewer=reviewer)
    review = save_review(
        assignment,
        levels={
            code: (level, f"Komentar {code} dari {reviewer.name}") for code, level in levels.items()
        },
        overall_feedback=f"Masukan umum dari {reviewer.name}.",
        confidential_note="RAHASIA-KOORDINATOR",
        by=reviewer,
    )
    if submit:
        submit_review(review, by=reviewer)
    return review


@pytest.fixture
def world(db):
    cycle = CycleFactory(reviewer_anonymity=True)
    add_rubric(cycle)
    plan = detailed_plan(cycle, title="Layanan perizinan daring satu pintu")
    owner = plan.owner.user
    coordinator = user_with_role(Role.COORDINATOR)
    budi = user_with_role(Role.REVIEWER, name=BUDI)
    citra = user_with_role(Role.REVIEWER, name=CITRA)
    submit_plan(plan, by=owner)
    assign_reviewers(plan, reviewers=[budi, citra], by=coordinator)
    _review(plan, budi, LEVELS_A, submit=True)
    citra_review = _review(plan, citra, LEVELS_B, submit=False)
    plan.refresh_from_db()
    assert str(plan.score) == "76.25"
    return {
        "plan": plan,
        "citra_review": citra_review,
        "owner": owner,
        "colleague": AgentFactory(user__agency=plan.agency).user,
        "head": user_with_role(Role.AGENCY_HEAD, agency=plan.agency),
        "coordinator": coordinator,
        "leader": user_with_role(Role.LEADERSHIP),
        "budi": budi,
        "citra": citra,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "staff": UserFactory(is_staff=True),
    }


def _html(client, user, name, *args, **extra):
    client.force_login(user)
    response = client.get(reverse(name, args=args), **extra)
    assert response.status_code == 200
    return response.content.decode()


def _submit_citra(world):
    submit_review(world["citra_review"], by=world["citra"])
    world["plan"].refresh_from_db()


def _decide(world):
    _submit_citra(world)
    decide_plan(
        world["plan"],
        outcome=DecisionOutcome.APPROVE,
        feedback="Rencana layak dilaksanakan dengan penguatan target.",
        by=world["coordinator"],
    )
    world["plan"].refresh_from_db()


# --- The rule itself --------------------------------------------------------------------------


def test_who_sees_the_scores_while_the_plan_is_in_review(world):
    plan = world["plan"]
    sees = {
        who: world[who].has_perm("assessment.view_scores", plan)
        for who in (
            "owner",
            "colleague",
            "head",
            "coordinator",
            "leader",
            "budi",
            "citra",
            "superuser",
            "staff",
        )
    }
    assert sees == {
        "owner": False,
        "colleague": False,
        "head": False,
        "coordinator": True,
        "leader": True,
        "budi": True,
        "citra": False,
        "superuser": False,
        "staff": False,
    }


def test_after_the_decision_the_team_and_head_see_the_scores_not_colleagues(world):
    _decide(world)
    plan = world["plan"]
    assert plan.state == PlanState.APPROVED
    assert {
        who: world[who].has_perm("assessment.view_scores", plan)
        for who in ("owner", "head", "colleague", "citra", "superuser")
    } == {"owner": True, "head": True, "colleague": False, "citra": True, "superuser": False}


def test_reviewer_names_follow_the_cycle_setting(world):
    plan = world["plan"]
    names = {
        who: world[who].has_perm("assessment.view_reviewer_names", plan)
        for who in ("owner", "head", "coordinator", "leader", "budi", "superuser")
    }
    assert names == {
        "owner": False,
        "head": False,
        "coordinator": True,
        "leader": True,
        "budi": True,
        "superuser": False,
    }
    plan.cycle.reviewer_anonymity = False
    plan.cycle.save(update_fields=["reviewer_anonymity"])
    assert world["owner"].has_perm("assessment.view_reviewer_names", plan) is True


# --- The second reviewer, before and after submitting -----------------------------------------


def test_second_reviewer_sees_nothing_of_the_first_review_before_submitting(client, world):
    plan = world["plan"]
    review = _html(client, world["citra"], "assessment:review", plan.pk)
    detail = _html(client, world["citra"], "plans:detail", plan.pk)
    listing = _html(client, world["citra"], "plans:list")
    for html in (review, detail, listing):
        assert FIRST_TOTAL not in html
        assert f"Komentar K1 dari {BUDI}" not in html
        assert f"Masukan umum dari {BUDI}" not in html
    assert 'id="plan-score"' not in detail
    assert "Nilai reviewer lain tampil setelah Anda mengirim penilaian Anda sendiri." in review


def test_second_reviewer_sees_the_first_review_once_their_own_is_submitted(client, world):
    _submit_citra(world)
    plan = world["plan"]
    review = _html(client, world["citra"], "assessment:review", plan.pk)
    detail = _html(client, world["citra"], "plans:detail", plan.pk)
    assert FIRST_TOTAL in review
    assert BUDI in review
    assert re.search(r'id="plan-score">\s*Nilai: <strong>66,25</strong>', detail)


def test_reviewers_cannot_ask_for_the_review_packet(world):
    for who in ("budi", "citra"):
        with pytest.raises(ReportError) as refused:
            request_plan_report(kind=ReportKind.REVIEW_PACKET, plan=world["plan"], by=world[who])
        assert refused.value.code == "permission_denied"


# --- The plan's own agent and the agency head, before and after the decision -------------------


@pytest.mark.parametrize("who", ["owner", "head"])
def test_team_and_head_see_no_score_before_the_decision(client, world, who):
    plan = world["plan"]
    pages = [
        _html(client, world[who], "plans:detail", plan.pk),
        _html(client, world[who], "plans:list"),
        _html(client, world[who], "assessment:feedback", plan.pk),
    ]
    pages.append(
        _html(client, world[who], "plans:my_plans" if who == "owner" else "plans:agency_plans")
    )
    for html in pages:
        assert FIRST_TOTAL not in html
        assert f"Komentar K1 dari {BUDI}" not in html
        assert 'id="plan-score"' not in html
    with pytest.raises(ReportError):
        request_plan_report(kind=ReportKind.REVIEW_PACKET, plan=plan, by=world[who])


def test_head_dashboard_and_its_htmx_table_show_no_score(client, world):
    client.force_login(world["head"])
    page = client.get(reverse("reports:agency", args=[world["plan"].agency_id]))
    html = page.content.decode()
    assert page.context["show_scores"] is False
    assert FIRST_TOTAL not in html
    assert 'id="agency-mean"' not in html
    assert 'id="criteria-table"' not in html
    partial = client.get(
        reverse("reports:dashboard"),
        {"sort": "-score", "show": "low_score"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="agency-table",
    )
    assert partial.templates[0].name == "reports/partials/agency_table.html"
    assert "Rata-rata nilai" not in partial.content.decode()
    assert FIRST_TOTAL not in partial.content.decode()


def test_after_the_decision_the_team_reads_anonymised_feedback(client, world):
    _decide(world)
    plan = world["plan"]
    html = _html(client, world["owner"], "assessment:feedback", plan.pk)
    assert "Disetujui" in html
    assert PLAN_SCORE in html
    assert "Reviewer 1" in html and "Reviewer 2" in html
    assert f"Komentar K1 dari {BUDI}" in html
    # Anonymised: the comments carry the reviewer's name only in this fixture's text, the
    # label never does; and the coordinator's confidential note never shows.
    assert f"{BUDI} —" not in html
    assert "RAHASIA-KOORDINATOR" not in html
    detail = _html(client, world["owner"], "plans:detail", plan.pk)
    assert re.search(r'id="plan-score">\s*Nilai: <strong>66,25</strong>', detail)
    # The full packet stays with the Biro Organisasi and leadership.
    with pytest.raises(ReportError):
        request_plan_report(kind=ReportKind.REVIEW_PACKET, plan=plan, by=world["owner"])


def test_a_resubmitted_revision_is_blind_again_for_the_team(client, world):
    _submit_citra(world)
    plan = world["plan"]
    decide_plan(
        plan, outcome=DecisionOutcome.REVISE, feedback="Perbaiki target.", by=world["coordinator"]
    )
    plan.refresh_from_db()
    assert world["owner"].has_perm("assessment.view_scores", plan) is True
    submit_plan(plan, by=world["owner"])
    plan.refresh_from_db()
    assert plan.state == PlanState.IN_REVIEW  # back to its reviewers at once
    assert world["owner"].has_perm("assessment.view_scores", plan) is False
    html = _html(client, world["owner"], "plans:detail", plan.pk)
    assert PLAN_SCORE not in html


# --- Colleagues and the admin flags ------------------------------------------------------------


@pytest.mark.parametrize("who", ["colleague", "superuser", "staff"])
def test_colleague_and_admin_flags_get_404_on_the_plan_and_its_results(client, world, who):
    plan = world["plan"]
    client.force_login(world[who])
    for name in ("plans:detail", "assessment:feedback", "plans:preview", "plans:threads"):
        assert client.get(reverse(name, args=[plan.pk])).status_code == 404, name
    with pytest.raises(ReportError):
        request_plan_report(kind=ReportKind.PLAN_DOCUMENT, plan=plan, by=world[who])


def test_colleague_sees_title_and_state_only_in_the_list(client, world):
    _decide(world)
    plan = world["plan"]
    html = _html(client, world["colleague"], "plans:list")
    row = re.search(r'<tr class="ap-plan-listed-only">(.*?)</tr>', html, re.S).group(1)
    assert plan.title in row
    assert "Disetujui" in row
    assert reverse("plans:detail", args=[plan.pk]) not in html
    assert plan.owner.user.name not in html
    assert PLAN_SCORE not in html


def test_the_list_ignores_score_filters_for_those_who_may_not_see_scores(client, world):
    plan = world["plan"]
    client.force_login(world["owner"])
    response = client.get(reverse("plans:list"), {"score": "60-80", "flagged": "1"})
    assert [p.pk for p in response.context["page"]] == [plan.pk]
    client.force_login(world["coordinator"])
    response = client.get(reverse("plans:list"), {"score": "0-20"})
    assert [p.pk for p in response.context["page"]] == []


# --- Exports and PDFs ----------------------------------------------------------------------------


@pytest.fixture
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def _file(job) -> bytes:
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    with job.file.open("rb") as fh:
        return fh.read()


def test_the_packet_is_for_leadership_and_keeps_reviewers_anonymous(
    world, private_media, django_capture_on_commit_callbacks
):
    _submit_citra(world)
    with django_capture_on_commit_callbacks(execute=True):
        job = request_plan_report(
            kind=ReportKind.REVIEW_PACKET, plan=world["plan"], by=world["leader"]
        )
    text = re.sub(
        r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(_file(job))).pages)
    )
    assert "Reviewer 1 — dikirim" in text
    assert BUDI not in text.replace(f"dari {BUDI}", "")
    assert "RAHASIA-KOORDINATOR" not in text


@pytest.mark.parametrize("who", ["owner", "head", "budi", "superuser", "staff"])
def test_cycle_exports_with_scores_are_refused_to_everyone_but_the_bureau_and_leaders(world, who):
    for kind in (ReportKind.SCORES_XLSX, ReportKind.PLANS_XLSX, ReportKind.CYCLE_SUMMARY):
        with pytest.raises(ReportError) as refused:
            request_cycle_report(kind=kind, cycle=world["plan"].cycle, by=world[who])
        assert refused.value.code == "permission_denied"


def test_the_scores_export_read_by_the_coordinator_holds_the_provisional_score(
    world, private_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = request_cycle_report(
            kind=ReportKind.SCORES_XLSX, cycle=world["plan"].cycle, by=world["coordinator"]
        )
    book = load_workbook(io.BytesIO(_file(job)), read_only=True)
    values = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
    assert 76.25 in values
    assert BUDI not in values


def test_a_job_whose_requester_lost_the_role_fails_at_render_time(
    world, private_media, django_capture_on_commit_callbacks
):
    leader = world["leader"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = request_plan_report(kind=ReportKind.REVIEW_PACKET, plan=world["plan"], by=leader)
    leader.role_grants.all().delete()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "Anda tidak berhak meminta laporan ini."
    assert not job.file
