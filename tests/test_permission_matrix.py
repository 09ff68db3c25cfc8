"""Every URL of the project × every chair → the expected answer (docs/architecture.md,
"Permissions and secrets").

The URLs are read from the resolver, not typed here: a new URL without a row in MATRIX
(or a reason in NOT_IN_THE_MATRIX) fails `test_every_url_of_the_resolver_has_a_row`, and
a URL whose arguments this module cannot build fails `test_permission_matrix`.

"login" means a redirect to the login page; 404 is the answer for "not yours" (an object
the user may not see), 403 for a page or an action that is not for the user's role. A
report request answers "job" (a redirect to the requester's new job) or "refused" (back
to "Laporan saya" with the reason, no job made).

The world: agency A's plan is in review with two reviewers, the first has submitted, the
second has not; the same agent's plan of an earlier cycle has been decided (approved).
Each chair is a person and the plan the URLs point at: the plan's own agent before the
decision (the plan in review) and after it (the decided plan), a colleague in agency A, an
agent and a head of agency B, the head of agency A, both reviewers, a reviewer of other
plans, the coordinator, the Sekda (leadership), the admin role, and the superuser and
staff flags without any role.

Each chair is one test that asks every URL in turn, each request inside a savepoint that
is rolled back, so that no answer depends on the ones before it.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from agents.enums import ApiAccess, ApiArea, Role
from agents.tokens import create_token
from assessment.enums import DecisionOutcome, ImportStatus
from assessment.models import ParticipantImport
from assessment.services import assign_reviewers, decide_plan, save_review, submit_review
from plans.services.workflow import submit_plan
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    UserFactory,
    add_rubric,
    complete_plan_content,
    user_with_role,
)
from tests.reports.scenario import LEVELS_A, LEVELS_B

# chair → (person, the plan its URLs point at)
CHAIRS = {
    "anonymous": (None, "plan"),
    "owner_before_decision": ("owner", "plan"),
    "owner_after_decision": ("owner", "decided"),
    "colleague": ("colleague", "plan"),
    "agent_other_agency": ("agent_other_agency", "plan"),
    "head_own_agency": ("head_own_agency", "plan"),
    "head_other_agency": ("head_other_agency", "plan"),
    "reviewer_submitted": ("reviewer_submitted", "plan"),
    "second_reviewer_before_submitting": ("reviewer_pending", "plan"),
    "reviewer_unassigned": ("reviewer_unassigned", "plan"),
    "coordinator": ("coordinator", "plan"),
    "sekda": ("leader", "plan"),
    "admin_role": ("admin_role", "plan"),
    "superuser_without_role": ("superuser", "plan"),
    "staff_without_role": ("staff", "plan"),
}

OWNER = ("owner_before_decision", "owner_after_decision")
AGENTS = (*OWNER, "colleague", "agent_other_agency")
HEADS = ("head_own_agency", "head_other_agency")
REVIEWERS = ("reviewer_submitted", "second_reviewer_before_submitting", "reviewer_unassigned")
ASSIGNED = ("reviewer_submitted", "second_reviewer_before_submitting")
NO_ROLE = ("superuser_without_role", "staff_without_role")
# Who sees the plan's content: its team, the head of its agency, its reviewers, the
# Biro Organisasi and leadership.
SEES_PLAN = (*OWNER, "head_own_agency", *ASSIGNED, "coordinator", "sekda")
# Everyone else signed in gets 404 for the plan, as for a missing one.
NOT_YOURS = (
    "colleague",
    "agent_other_agency",
    "head_other_agency",
    "reviewer_unassigned",
    "admin_role",
    *NO_ROLE,
)
SIGNED_IN = tuple(chair for chair in CHAIRS if chair != "anonymous")


def answers(default=403, *, anonymous="login", **groups) -> dict:
    """The answers of one row: `groups` maps an answer to the chairs that get it (a tuple
    of chairs, or one chair's name as keyword); everyone else gets `default`."""
    row = dict.fromkeys(CHAIRS, default)
    for answer_or_chair, chairs in groups.items():
        if answer_or_chair in CHAIRS:
            row[answer_or_chair] = chairs
            continue
        raise TypeError(answer_or_chair)
    row["anonymous"] = anonymous
    return row


def given(row: dict, answer, chairs) -> dict:
    return row | dict.fromkeys(chairs, answer)


def for_plan_viewers(answer, *, default=403, not_yours=404, **others) -> dict:
    """A plan URL: `answer` for those who see the plan unless named, 404 for the rest."""
    row = given(answers(default), not_yours, NOT_YOURS)
    row = given(row, answer, SEES_PLAN)
    return row | others


@dataclass(frozen=True)
class Row:
    answers: dict
    method: str = "get"
    data: tuple = ()
    # What a job URL points at: one of the owner's jobs ("failed", "done").
    job: str = ""
    # What a report request names: "plan" (the chair's plan) or "cycle" (its cycle).
    subject: str = ""
    extra: dict = field(default_factory=dict)


def job_request(kind, subject, row) -> Row:
    return Row(row, method="post", data=(("kind", kind),), subject=subject)


# The REST API (/api/v1/): each chair asks with its own token, which opens every area;
# without one the answer is 401, never the sign-in page.
API_MATRIX: dict[tuple[str, str], Row] = {
    ("api:me", ""): Row(answers(200, anonymous=401)),
    ("api:me", "post"): Row(answers(405, anonymous=401), method="post"),
    # Reference data: everyone signed in.
    ("api:agencies", ""): Row(answers(200, anonymous=401)),
    ("api:agencies", "post"): Row(answers(405, anonymous=401), method="post"),
    ("api:agency", ""): Row(answers(200, anonymous=401)),
    ("api:agency", "delete"): Row(answers(405, anonymous=401), method="delete"),
    ("api:cycles", ""): Row(answers(200, anonymous=401)),
    ("api:cycles", "post"): Row(answers(405, anonymous=401), method="post"),
    ("api:cycle", ""): Row(answers(200, anonymous=401)),
    ("api:cycle", "put"): Row(answers(405, anonymous=401), method="put"),
    # Plans: the list holds what the caller may open (every signed-in chair has a list);
    # one plan as on its page: 404 for everyone who may not open it.
    ("api:plans", ""): Row(answers(200, anonymous=401)),
    ("api:plans", "post"): Row(answers(405, anonymous=401), method="post"),
    ("api:plan", ""): Row(for_plan_viewers(200) | {"anonymous": 401}),
    ("api:plan", "delete"): Row(answers(405, anonymous=401), method="delete"),
    ("api:plan_feedback", ""): Row(for_plan_viewers(200) | {"anonymous": 401}),
    ("api:plan_feedback", "post"): Row(answers(405, anonymous=401), method="post"),
    # Every decision with its score: those who see every plan's scores.
    ("api:decisions", ""): Row(answers(anonymous=401, coordinator=200, sekda=200)),
    ("api:decisions", "post"): Row(
        answers(anonymous=401, coordinator=405, sekda=405), method="post"
    ),
    # The dashboard of the plan's cycle: heads (their own agency), coordinator, leadership.
    ("api:dashboard", ""): Row(
        given(answers(anonymous=401), 200, (*HEADS, "coordinator", "sekda"))
    ),
    ("api:dashboard", "post"): Row(
        given(answers(anonymous=401), 405, (*HEADS, "coordinator", "sekda")), method="post"
    ),
    # Participant sync: the coordinator's (an empty request is refused on its field).
    ("api:participant_sync", ""): Row(
        answers(anonymous=401, coordinator=400), method="post", data=(("participants", ""),)
    ),
    ("api:participant_sync", "get"): Row(answers(anonymous=401, coordinator=405)),
    # Report jobs: each person's own; the file of a finished one to its requester.
    ("api:report_jobs", ""): Row(answers(200, anonymous=401)),
    # Asking for a report: as on "Laporan saya" (201: a new job), 403 for a report the
    # caller may not ask for, 404 for a plan they may not open.
    ("api:report_jobs", "plan_document"): job_request(
        ReportKind.PLAN_DOCUMENT,
        "plan",
        given(for_plan_viewers(201, default=201), 404, NOT_YOURS) | {"anonymous": 401},
    ),
    ("api:report_jobs", "review_packet"): job_request(
        ReportKind.REVIEW_PACKET,
        "plan",
        given(for_plan_viewers(403), 201, ("coordinator", "sekda")) | {"anonymous": 401},
    ),
    ("api:report_jobs", "cycle_summary"): job_request(
        ReportKind.CYCLE_SUMMARY, "cycle", answers(anonymous=401, coordinator=201, sekda=201)
    ),
    ("api:report_jobs", "agent_portfolio"): job_request(
        ReportKind.AGENT_PORTFOLIO,
        "agent",
        given(
            answers(404, anonymous=401), 201, (*OWNER, "head_own_agency", "coordinator", "sekda")
        ),
    ),
    ("api:report_jobs", "no_such_kind"): job_request(
        "no_such_kind", "plan", answers(400, anonymous=401)
    ),
    ("api:report_job", ""): Row(given(answers(404, anonymous=401), 200, OWNER), job="failed"),
    ("api:report_job", "delete"): Row(answers(405, anonymous=401), method="delete", job="failed"),
    ("api:report_job_file", ""): Row(given(answers(404, anonymous=401), 200, OWNER), job="done"),
    ("api:report_job_file", "failed"): Row(answers(404, anonymous=401), job="failed"),
    ("api:report_job_file", "post"): Row(answers(405, anonymous=401), method="post", job="done"),
    # A plan's progress: as its "Pelaksanaan" tab, for an approved plan only (the decided
    # one); 404 for a plan in review and for anyone who may not open the plan.
    ("api:plan_progress", ""): Row(
        given(for_plan_viewers(404), 200, ("owner_after_decision",)) | {"anonymous": 401}
    ),
    ("api:plan_progress", "post"): Row(answers(405, anonymous=401), method="post"),
    # A period's report: none yet (404); writing opens it for the plan's team, refused on
    # the decided plan, which is not in implementation (400); the plan in review is 404.
    ("api:progress_report", ""): Row(answers(404, anonymous=401)),
    ("api:progress_report", "put"): Row(
        answers(404, anonymous=401, owner_after_decision=400), method="put"
    ),
    ("api:progress_report", "delete"): Row(answers(405, anonymous=401), method="delete"),
    ("api:progress_submit", ""): Row(answers(404, anonymous=401), method="post"),
    ("api:progress_submit", "get"): Row(answers(405, anonymous=401)),
    ("api:progress_evidence", ""): Row(
        answers(404, anonymous=401), method="post", data=(("link", "https://bukti.id/x"),)
    ),
    ("api:progress_evidence", "get"): Row(answers(405, anonymous=401)),
    # The schema and its documentation page are public: they describe, they hold no data.
    ("api:schema", ""): Row(answers(200, anonymous=200)),
    ("api:docs", ""): Row(answers(200, anonymous=200)),
}

MATRIX: dict[tuple[str, str], Row] = {
    # --- Accounts, notifications, language ---------------------------------------------------
    ("home", ""): Row(
        given(answers(302), 200, NO_ROLE)  # no role: the page that says whom to ask
    ),
    ("login", ""): Row(answers(200, anonymous=200)),
    # Signing out leads to the sign-in page.
    ("logout", ""): Row(answers("login"), method="post"),
    ("password_change", ""): Row(answers(200)),
    ("password_change_done", ""): Row(answers(200)),
    ("notifications", ""): Row(answers(200)),
    ("notifications_badge", ""): Row(answers(200)),
    ("notifications_read", ""): Row(answers(302), method="post"),
    ("set_language", ""): Row(
        answers(302, anonymous=302), method="post", data=(("language", "en"),)
    ),
    ("healthz", ""): Row(answers(200, anonymous=200)),
    # The browser's own request for the icon: a redirect to the static file, for anyone.
    ("favicon", ""): Row(answers(302, anonymous=302)),
    # Getting into an account: open to everyone, signed in or not. The link of a reset or
    # an invitation made up here is refused on its page (200); an invitation's link first
    # moves its secret into the session (302).
    ("password_reset", ""): Row(answers(200, anonymous=200)),
    ("password_reset_done", ""): Row(answers(200, anonymous=200)),
    ("password_reset_confirm", ""): Row(answers(200, anonymous=200)),
    ("password_reset_complete", ""): Row(answers(200, anonymous=200)),
    ("invitation_accept", ""): Row(answers(302, anonymous=302)),
    # Inviting and resending: the Biro Organisasi (by role, not by flag). With nobody
    # chosen the coordinator is sent back to the page.
    ("invitations", ""): Row(answers(coordinator=200)),
    ("invitations_send", ""): Row(answers(coordinator=302), method="post"),
    # Account security: everyone's own (no one here has two-factor sign-in yet, and the
    # roles that must have it are not set in the tests).
    # Everyone's own profile.
    ("profile", ""): Row(answers(200)),
    # Everyone's own calendar address: a new one is shown on the profile page.
    ("calendar_reset", ""): Row(answers(200), method="post"),
    # API tokens: everyone's own. Nothing chosen: the form again (400); no token of the
    # person's with that id: 404.
    ("api_token_create", ""): Row(answers(400), method="post"),
    # Revoking a token of someone else (every chair's own is revoked on its profile): 404.
    ("api_token_revoke", ""): Row(answers(404), method="post"),
    # Service accounts: the admin's page; a token of a person is no service account's (404).
    ("service_accounts", ""): Row(answers(admin_role=200)),
    ("service_accounts", "post"): Row(answers(admin_role=400), method="post"),
    ("service_account_token_revoke", ""): Row(answers(admin_role=404), method="post"),
    ("security", ""): Row(answers(200)),
    ("two_factor_enrol", ""): Row(answers(200)),
    ("two_factor_verify", ""): Row(answers(302)),
    ("two_factor_recovery_codes", ""): Row(answers(302), method="post"),
    ("two_factor_disable", ""): Row(answers(302), method="post"),
    # The session's clock: 401 without a session, never the sign-in page.
    ("session_status", ""): Row(answers(204, anonymous=401)),
    ("session_keepalive", ""): Row(answers(204, anonymous=401), method="post"),
    ("session_restored", ""): Row(answers(200)),
    # The audit trail: the Biro Organisasi and admins (by role, not by flag).
    ("audit", ""): Row(answers(coordinator=200, admin_role=200)),
    ("audit_export", ""): Row(answers(coordinator=200, admin_role=200)),
    # --- Plans: homes and the list ----------------------------------------------------------
    ("plans:my_plans", ""): Row(given(answers(), 200, AGENTS)),
    # Every agent is sent on: to a new plan, or back to "Rencana saya" with the reason.
    ("plans:start", ""): Row(
        given(answers(), 302, AGENTS), method="post", data=(("title", "Rencana baru"),)
    ),
    ("plans:list", ""): Row(answers(200)),
    # The agency search of the filters: whoever sees a plan list (every signed-in chair).
    ("agencies:search", ""): Row(answers(200)),
    ("plans:agency_plans", ""): Row(given(answers(), 200, HEADS)),
    # --- One plan -----------------------------------------------------------------------------
    ("plans:detail", ""): Row(for_plan_viewers(200)),
    # The plan is in review (or decided): the owner may try and is told why not (302).
    ("plans:submit", ""): Row(given(for_plan_viewers(403), 302, OWNER), method="post"),
    ("plans:withdraw", ""): Row(given(for_plan_viewers(403), 302, OWNER), method="post"),
    ("plans:endorse", ""): Row(for_plan_viewers(403, head_own_agency=302), method="post"),
    # The audit entry to restore travels as a parameter: without one, 404 for the team.
    ("plans:restore_text", ""): Row(given(for_plan_viewers(403), 404, OWNER), method="post"),
    # The editor: a plan in review or decided sends its owner to the read-only page.
    ("plans:edit", ""): Row(given(for_plan_viewers(403), 302, OWNER)),
    ("plans:autosave", ""): Row(given(for_plan_viewers(403), 404, OWNER), method="post"),
    ("plans:add_row", ""): Row(given(for_plan_viewers(403), 404, OWNER)),
    ("plans:resolve", ""): Row(given(for_plan_viewers(403), 302, OWNER), method="post"),
    ("plans:threads", ""): Row(for_plan_viewers(200)),
    # Ids of threads, attachments and team members travel as parameters; without one the
    # answer is 404 for those who may act, as for a missing row.
    ("plans:thread_start", ""): Row(
        given(for_plan_viewers(403), 200, (*OWNER, *ASSIGNED, "coordinator")), method="post"
    ),
    ("plans:thread_reply", ""): Row(
        given(for_plan_viewers(403), 404, (*OWNER, *ASSIGNED, "coordinator")), method="post"
    ),
    ("plans:thread_resolve", ""): Row(
        given(for_plan_viewers(403), 404, (*OWNER, *ASSIGNED, "coordinator")), method="post"
    ),
    ("plans:attachment_add", ""): Row(given(for_plan_viewers(403), 302, OWNER), method="post"),
    ("plans:attachment", ""): Row(for_plan_viewers(404)),
    ("plans:attachment_delete", ""): Row(given(for_plan_viewers(403), 404, OWNER), method="post"),
    ("plans:team_add", ""): Row(given(for_plan_viewers(403), 302, OWNER), method="post"),
    ("plans:team_remove", ""): Row(given(for_plan_viewers(403), 404, OWNER), method="post"),
    ("plans:compare", ""): Row(for_plan_viewers(200)),
    # Similar plans of other agencies: the plan's team and the Biro Organisasi; the
    # coordinator's search by free text; linking plans is the coordinator's (without a
    # plan or a link named: 404, as for a missing one).
    ("plans:similar", ""): Row(given(for_plan_viewers(403), 200, (*OWNER, "coordinator"))),
    ("plans:similar_search", ""): Row(answers(coordinator=200)),
    ("plans:link", ""): Row(given(for_plan_viewers(403), 404, ("coordinator",)), method="post"),
    # The alignment map of the plan's cycle: the Biro Organisasi and leadership.
    ("reports:alignment_map", ""): Row(answers(coordinator=200, sekda=200), subject="cycle"),
    # The agent's portfolio (the plan's owner): the agent, the head of their agency, the
    # Biro Organisasi and leadership; 404 for everyone else signed in.
    ("reports:portfolio", ""): Row(
        given(answers(404), 200, (*OWNER, "head_own_agency", "coordinator", "sekda"))
    ),
    ("plans:unlink", ""): Row(given(for_plan_viewers(403), 404, ("coordinator",)), method="post"),
    ("plans:preview", ""): Row(for_plan_viewers(200)),
    # The results page: whoever sees the plan (what it shows is `assessment.view_scores`'s
    # business, tested in tests/assessment/test_blind_review.py); a colleague gets 404.
    ("assessment:feedback", ""): Row(for_plan_viewers(200)),
    # A calendar's secret address, without signing in: a made-up secret is no one's.
    ("assessment:calendar", ""): Row(answers(404, anonymous=404)),
    # The team's self-assessment: its own page (read-only once handed in); the coordinator
    # only once the plan is decided (here it is in review), reviewers, heads and leadership
    # never (tests/assessment/test_self_assessment.py follows its content to every page).
    ("assessment:self_assessment", ""): Row(given(for_plan_viewers(403), 200, OWNER)),
    # --- The reviewer ------------------------------------------------------------------------
    ("assessment:queue", ""): Row(given(answers(), 200, REVIEWERS)),
    ("assessment:review", ""): Row(given(answers(), 200, ASSIGNED) | {"reviewer_unassigned": 404}),
    # A submitted review is locked (back to the page with a message); an empty form is
    # shown again.
    ("assessment:review", "post"): Row(
        answers(reviewer_submitted=302, second_reviewer_before_submitting=200)
        | {"reviewer_unassigned": 404},
        method="post",
    ),
    ("assessment:conflicts", ""): Row(given(answers(), 200, REVIEWERS)),
    # No such declaration of the reviewer's: 404.
    ("assessment:conflict_withdraw", ""): Row(
        given(answers(), 404, REVIEWERS), method="post", data=(("conflict", "999999"),)
    ),
    # --- The coordinator (Biro Organisasi) ---------------------------------------------------
    ("assessment:board", ""): Row(answers(coordinator=200)),
    ("assessment:cycles", ""): Row(answers(coordinator=200)),
    ("assessment:cycle_create", ""): Row(answers(coordinator=200)),
    ("assessment:cycle_edit", ""): Row(answers(coordinator=200)),
    ("assessment:cycle_clone", ""): Row(answers(coordinator=302), method="post"),
    ("assessment:rubric", ""): Row(answers(coordinator=200)),
    ("assessment:participants", ""): Row(answers(coordinator=200)),
    ("assessment:participants_example", ""): Row(answers(coordinator=200)),
    # A checked import of the coordinator's (the world's), with one refused row.
    ("assessment:participant_import", ""): Row(answers(coordinator=200)),
    ("assessment:participant_import_status", ""): Row(answers(coordinator=200)),
    ("assessment:participant_import_refused", ""): Row(answers(coordinator=200)),
    ("assessment:participant_import_confirm", ""): Row(answers(coordinator=302), method="post"),
    ("assessment:assignments", ""): Row(answers(coordinator=200)),
    ("assessment:auto_assign", ""): Row(answers(coordinator=302), method="post"),
    ("assessment:assignment_run", ""): Row(answers(coordinator=200)),
    ("assessment:plan", ""): Row(answers(coordinator=200)),
    ("assessment:reviewer_choices", ""): Row(answers(coordinator=200)),
    ("assessment:assign", ""): Row(answers(coordinator=400), method="post"),
    ("assessment:release", ""): Row(answers(coordinator=400), method="post"),
    ("assessment:reopen", ""): Row(
        answers(coordinator=404), method="post", data=(("review", "999999"),)
    ),
    ("assessment:decide", ""): Row(answers(coordinator=200)),
    ("assessment:decisions", ""): Row(answers(coordinator=200)),
    ("assessment:bulk_decide", ""): Row(answers(coordinator=302), method="post"),
    ("assessment:decision_run", ""): Row(answers(coordinator=200)),
    ("assessment:calibration", ""): Row(answers(coordinator=200)),
    # --- Implementation (monitoring) ---------------------------------------------------------
    # The plan in review has no implementation yet: its tab and reports are 404 for those who
    # see it; the decided (approved) plan's tab is its owner's to read.
    ("monitoring:plan", ""): Row(given(for_plan_viewers(404), 200, ("owner_after_decision",))),
    ("monitoring:report", ""): Row(for_plan_viewers(404)),
    # Opening a period's report: the team (told why not, 302); the other readers 403.
    ("monitoring:report", "post"): Row(given(for_plan_viewers(403), 302, OWNER), method="post"),
    # Writing a report: the team, who get 404 for a report that does not exist.
    ("monitoring:save", ""): Row(given(for_plan_viewers(403), 404, OWNER), method="post"),
    ("monitoring:submit", ""): Row(given(for_plan_viewers(403), 404, OWNER), method="post"),
    ("monitoring:evidence_add", ""): Row(given(for_plan_viewers(403), 404, OWNER), method="post"),
    ("monitoring:evidence", ""): Row(for_plan_viewers(404)),
    # Verifying: the plan's own reviewers and the coordinator (404: no report yet).
    ("monitoring:verify", ""): Row(
        given(for_plan_viewers(403), 404, (*ASSIGNED, "coordinator")), method="post"
    ),
    # Asking for a change: the team, shown the tab again with the empty request refused.
    ("monitoring:change_request", ""): Row(given(for_plan_viewers(403), 200, OWNER), method="post"),
    ("monitoring:change_decide", ""): Row(for_plan_viewers(403, coordinator=404), method="post"),
    ("monitoring:closing", ""): Row(for_plan_viewers(404)),
    # Completing: the coordinator, told that the closing report is missing.
    ("monitoring:complete", ""): Row(for_plan_viewers(403, coordinator=302), method="post"),
    ("monitoring:board", ""): Row(answers(coordinator=200)),
    ("monitoring:remind", ""): Row(answers(coordinator=302), method="post"),
    # Triage tags: the Biro Organisasi (by role, not by flag). No such tag: 404.
    ("assessment:tags", ""): Row(answers(coordinator=200)),
    ("assessment:tags", "post"): Row(
        answers(coordinator=302), method="post", data=(("name", "Perlu diskusi"),)
    ),
    ("assessment:tag_delete", ""): Row(
        answers(coordinator=404), method="post", data=(("tag", "999999"),)
    ),
    ("assessment:tag_apply", ""): Row(
        answers(coordinator=404), method="post", data=(("tag", "999999"),)
    ),
    # The wording of the cycle's messages: the Biro Organisasi (by role, not by flag).
    ("assessment:messages", ""): Row(answers(coordinator=200)),
    ("assessment:message_edit", ""): Row(
        answers(coordinator=200), data=(("kind", "decision"), ("language", "en"))
    ),
    ("assessment:message_edit", "post"): Row(
        answers(coordinator=302),
        method="post",
        data=(
            ("kind", "decision"),
            ("language", "id"),
            ("subject", "Keputusan: {judul_rencana}"),
            ("body", "Halo {nama}."),
            ("save", "1"),
        ),
    ),
    # --- Leadership's dashboard ------------------------------------------------------------------
    ("reports:dashboard", ""): Row(given(answers(), 200, (*HEADS, "coordinator", "sekda"))),
    # Its drill-down to the late targets: an agency head sees only their own agency's.
    ("reports:late_targets", ""): Row(given(answers(), 200, (*HEADS, "coordinator", "sekda"))),
    # The page of the plan's agency (agency A).
    ("reports:agency", ""): Row(
        answers(coordinator=200, sekda=200, head_own_agency=200, head_other_agency=404)
    ),
    # --- Report jobs ------------------------------------------------------------------------------
    ("report_jobs:list", ""): Row(answers(200)),
    ("report_jobs:request", "plan_document"): job_request(
        ReportKind.PLAN_DOCUMENT,
        "plan",
        given(for_plan_viewers("job", default="job"), 404, NOT_YOURS),
    ),
    # The full review packet stays with the Biro Organisasi and leadership.
    ("report_jobs:request", "review_packet"): job_request(
        ReportKind.REVIEW_PACKET,
        "plan",
        given(for_plan_viewers("refused", default="refused"), "job", ("coordinator", "sekda")),
    ),
    ("report_jobs:request", "cycle_summary"): job_request(
        ReportKind.CYCLE_SUMMARY, "cycle", answers("refused", coordinator="job", sekda="job")
    ),
    ("report_jobs:request", "plans_xlsx"): job_request(
        ReportKind.PLANS_XLSX, "cycle", answers("refused", coordinator="job", sekda="job")
    ),
    ("report_jobs:request", "scores_xlsx"): job_request(
        ReportKind.SCORES_XLSX, "cycle", answers("refused", coordinator="job", sekda="job")
    ),
    # The agent's portfolio (the plan's owner): whoever sees it on its page.
    ("report_jobs:request", "agent_portfolio"): job_request(
        ReportKind.AGENT_PORTFOLIO,
        "agent",
        given(answers(404), "job", (*OWNER, "head_own_agency", "coordinator", "sekda")),
    ),
    ("report_jobs:request", "no_such_kind"): job_request("no_such_kind", "plan", answers(404)),
    # Both jobs are the owner's (a document of the plan in review): 404 for anyone else.
    ("report_jobs:detail", ""): Row(given(answers(404), 200, OWNER), job="failed"),
    ("report_jobs:status", ""): Row(given(answers(404), 200, OWNER), job="failed"),
    ("report_jobs:retry", ""): Row(given(answers(404), 302, OWNER), method="post", job="failed"),
    ("report_jobs:download", ""): Row(given(answers(404), 200, OWNER), job="done"),
    # Not finished: no file, for its requester too.
    ("report_jobs:download", "failed"): Row(answers(404), job="failed"),
    # Public: a QR code on paper is scanned by anyone, signed in or not.
    ("report_jobs:verify", ""): Row(answers(200, anonymous=200), job="done"),
    # --- The public gallery of innovations ---------------------------------------------------
    # Public: everyone, signed in or not; neither plan is published (no consent): 404.
    ("gallery:list", ""): Row(answers(200, anonymous=200)),
    ("gallery:list", "filtered"): Row(
        answers(200, anonymous=200), data=(("q", "layanan"), ("opd", "x"), ("page", "9"))
    ),
    ("gallery:detail", ""): Row(answers(404, anonymous=404)),
    ("gallery:evidence", ""): Row(answers(404, anonymous=404)),
    ("gallery:list", "post"): Row(answers(405, anonymous=405), method="post"),
    # The team's consent: its members; everyone else who sees the plan 403, the rest 404.
    ("gallery:consent", ""): Row(given(for_plan_viewers(403), 200, OWNER)),
    ("gallery:consent", "post"): Row(
        given(for_plan_viewers(403), 302, OWNER), method="post", data=(("consent", "1"),)
    ),
    # Publishing: the coordinator (refused without the team's consent: back to the list).
    ("gallery:publishable", ""): Row(answers(coordinator=200)),
    ("gallery:publish", ""): Row(for_plan_viewers(403, coordinator=302), method="post"),
    ("gallery:unpublish", ""): Row(for_plan_viewers(403, coordinator=302), method="post"),
    **API_MATRIX,
}

# URL names of the resolver that are not the application's own pages.
NOT_IN_THE_MATRIX = {
    # The Django admin site: its access is the staff flag and Django's model permissions
    # (tests/agents/test_roles.py), never an application rule.
    "admin",
}


def _resolver_urls():
    """(name, route, converter names) of every named URL pattern, namespaces included."""

    def walk(patterns, namespace, route):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner, route + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if namespace and namespace.split(":")[0] in NOT_IN_THE_MATRIX:
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, route + str(pattern.pattern), tuple(pattern.pattern.converters)

    return list(walk(get_resolver().url_patterns, "", ""))


URLS = {name: converters for name, _route, converters in _resolver_urls()}


def test_every_url_of_the_resolver_has_a_row():
    unnamed = [route for name, route, _c in _resolver_urls() if name is None]
    assert unnamed == []
    assert set(URLS) == {name for name, _variant in MATRIX}


def test_every_row_names_every_chair():
    for key, row in MATRIX.items():
        assert set(row.answers) == set(CHAIRS), key


def _reviews(plan, reviewers, *, submit):
    for reviewer, levels, done in zip(reviewers, (LEVELS_A, LEVELS_B), submit, strict=True):
        review = save_review(
            plan.assignments.get(reviewer=reviewer),
            levels={code: (level, f"Komentar {code}") for code, level in levels.items()},
            overall_feedback="Masukan umum.",
            confidential_note="",
            by=reviewer,
        )
        if done:
            submit_review(review, by=reviewer)


@pytest.fixture
def world(cycle, coordinator, leader, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    agency_a, agency_b = AgencyFactory(), AgencyFactory()
    owner = AgentFactory(user__agency=agency_a)
    first, second = user_with_role(Role.REVIEWER), user_with_role(Role.REVIEWER)

    earlier = CycleFactory()
    add_rubric(earlier)
    decided = complete_plan_content(PlanFactory(cycle=earlier, owner=owner))
    submit_plan(decided, by=owner.user)
    assign_reviewers(decided, reviewers=[first, second], by=coordinator)
    _reviews(decided, [first, second], submit=(True, True))
    decide_plan(decided, outcome=DecisionOutcome.APPROVE, feedback="Layak.", by=coordinator)

    plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner))
    submit_plan(plan, by=owner.user)
    assign_reviewers(plan, reviewers=[first, second], by=coordinator)
    _reviews(plan, [first, second], submit=(True, False))

    failed = ReportJob.objects.create(
        requested_by=owner.user,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": plan.pk},
        status=JobStatus.FAILED,
        error="Gagal",
    )
    done = ReportJob.objects.create(
        requested_by=owner.user,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": plan.pk},
        status=JobStatus.DONE,
        progress=100,
        verification_code="MATRIXCODE234567",
        title=plan.title,
        agency_name=plan.agency.name,
        finished_at=timezone.now(),
    )
    done.file.save("rencana.pdf", ContentFile(b"%PDF-1.4 matrix"), save=True)
    people = {
        "owner": owner.user,
        "colleague": AgentFactory(user__agency=agency_a).user,
        "agent_other_agency": AgentFactory(user__agency=agency_b).user,
        "head_own_agency": user_with_role(Role.AGENCY_HEAD, agency=agency_a),
        "head_other_agency": user_with_role(Role.AGENCY_HEAD, agency=agency_b),
        "reviewer_submitted": first,
        "reviewer_pending": second,
        "reviewer_unassigned": user_with_role(Role.REVIEWER),
        "coordinator": coordinator,
        "leader": leader,
        "admin_role": user_with_role(Role.ADMIN),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "staff": UserFactory(is_staff=True),
    }
    decided.refresh_from_db()
    plan.refresh_from_db()
    every_area = dict.fromkeys(ApiArea.values, ApiAccess.WRITE)
    tokens = {
        person: create_token(person, name="matrix", scopes=every_area, by=person)[1]
        for person in people.values()
    }
    return {
        "tokens": tokens,
        # A token of a person who sits in no chair.
        "foreign_token": create_token(
            UserFactory(), name="someone else's", scopes=every_area, by=None
        )[0],
        "plans": {"plan": plan, "decided": decided},
        "people": people,
        "jobs": {"failed": failed, "done": done},
        "participant_import": ParticipantImport.objects.create(
            requested_by=coordinator,
            filename="peserta.csv",
            token="0123456789abcdef0123456789abcdef.csv",
            status=ImportStatus.CHECKED,
            rows_total=1,
            refused=1,
            refused_rows=[[2, {"nip": "1", "nama": "X"}, ["NIP 1 tidak valid"]]],
        ),
    }


def _arguments(name: str, converters, row: Row, world, plan) -> list:
    """The URL's arguments from its converters' names: a pattern this cannot serve (a new
    kind of argument) fails here, so that its row must say what it points at."""
    arguments = []
    for converter in converters:
        if converter == "code":
            arguments.append(world["jobs"][row.job].verification_code)
        elif converter == "pk" and name in {"api:agency"}:
            arguments.append(plan.agency_id)
        elif converter == "pk" and name in {"api:cycle", "api:dashboard"}:
            arguments.append(plan.cycle_id)
        elif converter == "pk" and name.startswith(("report_jobs:", "api:report_job")):
            arguments.append(world["jobs"][row.job].pk)
        elif converter == "pk" and name in {"api_token_revoke", "service_account_token_revoke"}:
            arguments.append(world["foreign_token"].pk)
        elif converter == "pk" and name.startswith("assessment:participant_import"):
            arguments.append(world["participant_import"].pk)
        elif converter == "pk" and name == "reports:agency":
            arguments.append(plan.agency_id)
        elif converter == "pk" and name.startswith("reports:portfolio"):
            arguments.append(plan.owner_id)
        elif converter == "pk":
            arguments.append(plan.pk)
        elif converter == "evidence":  # no evidence of the plan is public
            arguments.append(1)
        elif converter == "period":  # a reporting period of the plan's cycle
            arguments.append(1)
        elif converter in {"uidb64", "token"}:  # a reset's or invitation's link: made up
            arguments.append("MQ" if converter == "uidb64" else "x-made-up")
        else:
            raise AssertionError(f"{name}: no argument for <{converter}>")
    return arguments


def _api_answer(client, url, row: Row, data: dict, secret: str | None):
    """An API request with the chair's token (JSON body), not its session."""
    client.logout()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    if row.method in {"get", "delete"}:
        return getattr(client, row.method)(url, data, **headers)
    return getattr(client, row.method)(
        url, json.dumps(data), content_type="application/json", **headers
    )


def _answer(client, name, row: Row, world, user, plan):
    data = dict(row.data)
    if row.subject == "plan":
        data["plan"] = str(plan.pk)
    elif row.subject == "cycle":
        data["cycle"] = plan.cycle.code
    elif row.subject == "agent":
        data["agent"] = str(plan.owner_id)
    url = reverse(name, args=_arguments(name, URLS[name], row, world, plan))
    if name.startswith("api:"):
        response = _api_answer(client, url, row, data, world["tokens"].get(user))
    else:
        response = getattr(client, row.method)(url, data)
    if response.streaming:  # the download: the file itself, then the handle closed
        assert b"".join(response.streaming_content) == b"%PDF-1.4 matrix"
        # Closing sends request_finished, whose close_old_connections would close the
        # connection the rest of this test's requests share (as the test client avoids).
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("login")):
        return "login"
    if row.subject and response.status_code == 302:
        match = resolve(location.split("?")[0])
        if match.view_name == "report_jobs:detail":
            job = ReportJob.objects.get(pk=match.kwargs["pk"])
            assert (job.requested_by, job.kind) == (user, data["kind"])
            return "job"
        if location == reverse("report_jobs:list"):
            assert not ReportJob.objects.filter(requested_by=user, kind=data["kind"]).exists()
            return "refused"
    return response.status_code


@pytest.mark.parametrize("chair", list(CHAIRS))
def test_permission_matrix(client, world, chair):
    person, plan_key = CHAIRS[chair]
    user = world["people"][person] if person else None
    plan = world["plans"][plan_key]
    got, expected = {}, {}
    for (name, variant), row in MATRIX.items():
        if user is not None:
            client.force_login(user)  # again: the row before may have signed out
        with transaction.atomic():
            got[(name, variant)] = _answer(client, name, row, world, user, plan)
            transaction.set_rollback(True)
        expected[(name, variant)] = row.answers[chair]
    assert got == expected
