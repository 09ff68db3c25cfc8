"""Every URL of the pages × every role → the expected answer (STYLE.md, SPEC.md §9).

"login" means a redirect to the login page; 404 is the answer for "not yours" (an object
the user may not see), 403 for a page or an action that is not for the user's role.
The plan under test belongs to agency A and is in review by one assigned reviewer.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import resolve, reverse
from django.utils import timezone

from agents.enums import Role
from assessment.services import assign_reviewers
from plans.services import submit_plan
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from tests.factories import AgencyFactory, AgentFactory, user_with_role

ROLES = [
    "anonymous",
    "agent_owner",
    "agent_same_agency",
    "agent_other_agency",
    "head_own_agency",
    "head_other_agency",
    "reviewer_assigned",
    "reviewer_unassigned",
    "coordinator",
    "leadership",
]


def row(anonymous="login", **others):
    """Expected answers of one URL; roles not named answer `default` (or 403)."""
    default = others.pop("default", 403)
    answers = {role: others.get(role, default) for role in ROLES}
    answers["anonymous"] = anonymous
    return answers


AGENTS = {"agent_owner": 200, "agent_same_agency": 200, "agent_other_agency": 200}
HEADS = {"head_own_agency": 200, "head_other_agency": 200}
REVIEWERS = {"reviewer_assigned": 200, "reviewer_unassigned": 200}
NOT_YOURS = {
    "agent_other_agency": 404,
    "head_other_agency": 404,
    "reviewer_unassigned": 404,
}

# (URL name, uses the plan's id, method, POST data as pairs) → expected answer per role.
MATRIX = {
    ("home", False, "get", None): row(default=302),
    ("login", False, "get", None): row(anonymous=200, default=200),
    ("logout", False, "post", None): row(anonymous="login", default=302),
    ("password_change", False, "get", None): row(default=200),
    ("password_change_done", False, "get", None): row(default=200),
    ("plans:my_plans", False, "get", None): row(**AGENTS),
    # Every agent is sent on: to the new plan, or (the owner, who already has a plan in
    # the cycle) back to "Rencana saya" with the refusal as a message.
    ("plans:start", False, "post", (("title", "Rencana baru"),)): row(
        agent_owner=302, agent_same_agency=302, agent_other_agency=302
    ),
    ("plans:list", False, "get", None): row(default=200),
    ("plans:detail", True, "get", None): row(
        agent_owner=200,
        agent_same_agency=200,
        head_own_agency=200,
        reviewer_assigned=200,
        coordinator=200,
        leadership=200,
        **NOT_YOURS,
    ),
    # The plan is in review: the owner may try, and is told why not (a message, 302).
    ("plans:submit", True, "post", None): row(agent_owner=302, **NOT_YOURS),
    ("plans:withdraw", True, "post", None): row(agent_owner=302, **NOT_YOURS),
    ("plans:endorse", True, "post", None): row(head_own_agency=302, **NOT_YOURS),
    ("plans:agency_plans", False, "get", None): row(**HEADS),
    ("assessment:queue", False, "get", None): row(**REVIEWERS),
    ("assessment:board", False, "get", None): row(coordinator=200),
    ("reports:dashboard", False, "get", None): row(coordinator=200, leadership=200, **HEADS),
    # --- Assessment (issue 4) ---------------------------------------------------------------
    # The review page: the assigned reviewer only; another reviewer gets 404, never the plan.
    ("assessment:review", True, "get", None): row(reviewer_assigned=200, reviewer_unassigned=404),
    ("assessment:review", True, "post", None): row(reviewer_assigned=200, reviewer_unassigned=404),
    ("assessment:conflicts", False, "get", None): row(**REVIEWERS),
    # No such declaration of the reviewer's: 404.
    ("assessment:conflict_withdraw", False, "post", (("conflict", "999999"),)): row(
        reviewer_assigned=404, reviewer_unassigned=404
    ),
    ("assessment:cycles", False, "get", None): row(coordinator=200),
    ("assessment:cycle_create", False, "get", None): row(coordinator=200),
    ("assessment:cycle_edit", False, "get", None): row(coordinator=200),
    ("assessment:cycle_clone", False, "post", None): row(coordinator=302),
    ("assessment:rubric", False, "get", None): row(coordinator=200),
    ("assessment:participants", False, "get", None): row(coordinator=200),
    ("assessment:participants_confirm", False, "post", (("token", "x.csv"),)): row(coordinator=302),
    ("assessment:assignments", False, "get", None): row(coordinator=200),
    ("assessment:auto_assign", False, "post", None): row(coordinator=302),
    ("assessment:assignment_run", False, "get", None): row(coordinator=200),
    ("assessment:plan", True, "get", None): row(coordinator=200),
    ("assessment:assign", True, "post", None): row(coordinator=400),
    ("assessment:release", True, "post", None): row(coordinator=400),
    ("assessment:reopen", True, "post", (("review", "999999"),)): row(coordinator=404),
    ("assessment:decide", True, "get", None): row(coordinator=200),
    ("assessment:decisions", False, "get", None): row(coordinator=200),
    ("assessment:bulk_decide", False, "post", None): row(coordinator=302),
    ("assessment:calibration", False, "get", None): row(coordinator=200),
    # What the plan's people read after a decision: whoever may see the plan.
    ("assessment:feedback", True, "get", None): row(
        agent_owner=200,
        agent_same_agency=200,
        head_own_agency=200,
        reviewer_assigned=200,
        coordinator=200,
        leadership=200,
        **NOT_YOURS,
    ),
}


@pytest.fixture
def world(cycle, coordinator, leader):
    """People in every role around one plan of agency A that is in review."""
    agency_a, agency_b = AgencyFactory(), AgencyFactory()
    owner = AgentFactory(user__agency=agency_a)
    from tests.factories import PlanFactory, complete_plan_content

    plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner))
    submit_plan(plan, by=owner.user)
    assigned = user_with_role(Role.REVIEWER)
    assign_reviewers(plan, reviewers=[assigned], by=coordinator)
    people = {
        "anonymous": None,
        "agent_owner": owner.user,
        "agent_same_agency": AgentFactory(user__agency=agency_a).user,
        "agent_other_agency": AgentFactory(user__agency=agency_b).user,
        "head_own_agency": user_with_role(Role.AGENCY_HEAD, agency=agency_a),
        "head_other_agency": user_with_role(Role.AGENCY_HEAD, agency=agency_b),
        "reviewer_assigned": assigned,
        "reviewer_unassigned": user_with_role(Role.REVIEWER),
        "coordinator": coordinator,
        "leadership": leader,
    }
    return {"plan": plan, "people": people}


CASES = [
    pytest.param(key, role, expected, id=f"{key[0]}-{role}")
    for key, answers in MATRIX.items()
    for role, expected in answers.items()
]


@pytest.mark.parametrize(("key", "role", "expected"), CASES)
def test_permission_matrix(client, world, key, role, expected):
    name, with_plan, method, data = key
    url = reverse(name, args=[world["plan"].pk] if with_plan else [])
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url, dict(data or ()))
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


def test_the_matrix_covers_every_url_of_the_pages():
    from django.urls import get_resolver

    names = set()
    for namespace in ("plans", "assessment", "reports", "report_jobs"):
        resolver = get_resolver().namespace_dict[namespace][1]
        names |= {f"{namespace}:{n}" for n in resolver.reverse_dict if isinstance(n, str)}
    names |= {"home", "login", "logout", "password_change", "password_change_done"}
    assert names == {key[0] for key in MATRIX}


# --- The dashboard's agency page (issue 6): its URL names an agency, not the plan --------
# Rows added after CASES is built, so that the coverage test above sees the URL name while
# the test below runs them with the plan's agency (agency A) as the argument.
AGENCY_MATRIX = {
    ("reports:agency", False, "get", None): row(
        coordinator=200, leadership=200, head_own_agency=200, head_other_agency=404
    ),
}
MATRIX.update(AGENCY_MATRIX)


@pytest.mark.parametrize(
    ("key", "role", "expected"),
    [
        pytest.param(key, role, expected, id=f"{key[0]}-{role}")
        for key, answers in AGENCY_MATRIX.items()
        for role, expected in answers.items()
    ],
)
def test_permission_matrix_of_agency_pages(client, world, key, role, expected):
    name, _with_plan, method, _data = key
    url = reverse(name, args=[world["plan"].agency_id])
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url)
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected


# --- The plan editor and the pages around it (issue 3) -------------------------------------
#
# The plan is in review, so its owner is sent back to the read-only page (302) where an
# edit needs a draft. Ids of threads, attachments and team members travel as parameters;
# without one the answer is 404 for those who may act, as for a missing row.

VIEWERS = {
    "agent_owner": 200,
    "agent_same_agency": 200,
    "head_own_agency": 200,
    "reviewer_assigned": 200,
    "coordinator": 200,
    "leadership": 200,
}


def _only(answer, *roles):
    return dict.fromkeys(roles, answer)


EDITOR_MATRIX = {
    ("plans:edit", True, "get", None): row(agent_owner=302, **NOT_YOURS),
    ("plans:autosave", True, "post", None): row(agent_owner=404, **NOT_YOURS),
    ("plans:add_row", True, "get", None): row(agent_owner=404, **NOT_YOURS),
    ("plans:resolve", True, "post", None): row(agent_owner=302, **NOT_YOURS),
    ("plans:threads", True, "get", None): row(**VIEWERS, **NOT_YOURS),
    ("plans:thread_start", True, "post", None): row(
        **_only(200, "agent_owner", "reviewer_assigned", "coordinator"), **NOT_YOURS
    ),
    ("plans:thread_reply", True, "post", None): row(
        **_only(404, "agent_owner", "reviewer_assigned", "coordinator"), **NOT_YOURS
    ),
    ("plans:thread_resolve", True, "post", None): row(
        **_only(404, "agent_owner", "reviewer_assigned", "coordinator"), **NOT_YOURS
    ),
    ("plans:attachment_add", True, "post", None): row(agent_owner=302, **NOT_YOURS),
    ("plans:attachment", True, "get", None): row(**_only(404, *VIEWERS), **NOT_YOURS),
    ("plans:attachment_delete", True, "post", None): row(agent_owner=404, **NOT_YOURS),
    ("plans:team_add", True, "post", None): row(agent_owner=302, **NOT_YOURS),
    ("plans:team_remove", True, "post", None): row(agent_owner=404, **NOT_YOURS),
    ("plans:compare", True, "get", None): row(**VIEWERS, **NOT_YOURS),
    ("plans:preview", True, "get", None): row(**VIEWERS, **NOT_YOURS),
}
MATRIX.update(EDITOR_MATRIX)


@pytest.mark.parametrize(
    ("key", "role", "expected"),
    [
        pytest.param(key, role, expected, id=f"{key[0]}-{role}")
        for key, answers in EDITOR_MATRIX.items()
        for role, expected in answers.items()
    ],
)
def test_permission_matrix_of_the_editor_pages(client, world, key, role, expected):
    test_permission_matrix(client, world, key, role, expected)


# --- Report jobs: "Laporan saya", requests, one job, its file, the printed code -----------
#
# Both jobs are the plan owner's (a document of the plan): anyone else's lookup is 404, as
# for a missing job. The second element of a key names what the URL or the form points at:
# None, one of the owner's jobs ("failed", or "done" with its file), the done job's printed
# verification code ("code"), or the subject of a request ("plan": the plan under test,
# "cycle": its cycle). A request answers "job" (a redirect to the requester's new job of
# that kind) or "refused" (back to "Laporan saya" with the reason, no job made); who may ask
# is `reports.services.may_see_subject`: a plan's document whoever sees the plan, its
# review packet not the agent's colleagues nor reviewers (`view_review_packet`), a cycle's
# reports coordinators and leaders (`can_request_cycle_reports`).

ASKS = {"agent_owner": "job", "head_own_agency": "job", "coordinator": "job", "leadership": "job"}
NOT_MINE = {role: 404 for role in ROLES if role not in ("anonymous", "agent_owner")}

JOB_MATRIX = {
    ("report_jobs:list", None, "get", None): row(default=200),
    ("report_jobs:request", "plan", "post", (("kind", ReportKind.PLAN_DOCUMENT),)): row(
        **ASKS, agent_same_agency="job", reviewer_assigned="job", **NOT_YOURS
    ),
    ("report_jobs:request", "plan", "post", (("kind", ReportKind.REVIEW_PACKET),)): row(
        **ASKS, agent_same_agency="refused", reviewer_assigned="refused", **NOT_YOURS
    ),
    ("report_jobs:request", "cycle", "post", (("kind", ReportKind.CYCLE_SUMMARY),)): row(
        default="refused", coordinator="job", leadership="job"
    ),
    ("report_jobs:request", "cycle", "post", (("kind", ReportKind.PLANS_XLSX),)): row(
        default="refused", coordinator="job", leadership="job"
    ),
    ("report_jobs:request", "plan", "post", (("kind", "no_such_kind"),)): row(default=404),
    ("report_jobs:detail", "failed", "get", None): row(agent_owner=200, **NOT_MINE),
    ("report_jobs:status", "failed", "get", None): row(agent_owner=200, **NOT_MINE),
    ("report_jobs:retry", "failed", "post", None): row(agent_owner=302, **NOT_MINE),
    ("report_jobs:download", "done", "get", None): row(agent_owner=200, **NOT_MINE),
    # Not finished: no file, for its requester too.
    ("report_jobs:download", "failed", "get", None): row(default=404),
    # Public: a QR code on paper is scanned by anyone, signed in or not.
    ("report_jobs:verify", "code", "get", None): row(anonymous=200, default=200),
}
MATRIX.update(JOB_MATRIX)


@pytest.fixture
def report_jobs(world, settings, tmp_path):
    """Two jobs of the plan owner about the plan: one failed, one done with its file."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    plan, owner = world["plan"], world["people"]["agent_owner"]
    failed = ReportJob.objects.create(
        requested_by=owner,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": plan.pk},
        status=JobStatus.FAILED,
        error="Gagal",
    )
    done = ReportJob.objects.create(
        requested_by=owner,
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
    return {"failed": failed, "done": done}


@pytest.mark.parametrize(
    ("key", "role", "expected"),
    [
        pytest.param(
            key,
            role,
            expected,
            id=f"{key[0]}-{key[1]}-{dict(key[3] or ()).get('kind', key[2])}-{role}",
        )
        for key, answers in JOB_MATRIX.items()
        for role, expected in answers.items()
    ],
)
def test_permission_matrix_of_report_jobs(client, world, report_jobs, key, role, expected):
    name, subject, method, data = key
    data = dict(data or ())
    args = []
    if subject in report_jobs:
        args = [report_jobs[subject].pk]
    elif subject == "code":
        args = [report_jobs["done"].verification_code]
    elif subject == "plan":
        data["plan"] = str(world["plan"].pk)
    elif subject == "cycle":
        data["cycle"] = world["plan"].cycle.code
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(reverse(name, args=args), data)
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif expected == "job":
        assert response.status_code == 302
        match = resolve(response["Location"])
        assert match.view_name == "report_jobs:detail"
        job = ReportJob.objects.get(pk=match.kwargs["pk"])
        assert (job.requested_by, job.kind) == (user, data["kind"])
    elif expected == "refused":
        assert response.status_code == 302
        assert response["Location"] == reverse("report_jobs:list")
        assert not ReportJob.objects.filter(requested_by=user, kind=data["kind"]).exists()
    else:
        assert response.status_code == expected
    if response.streaming:  # the download: the file itself, then the handle closed
        assert b"".join(response.streaming_content) == b"%PDF-1.4 matrix"
        response.close()
