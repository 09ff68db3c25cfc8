"""Bad input never answers 500: NUL bytes in the path, in any query parameter and in any
form field, on every page of the application (read from the URL resolver), for the
people who can reach the most pages.

Two layers are proven separately: the request guard (agenplan.middleware) answers 400 for
a NUL in the URL before any view runs; and with the guard removed, the views' own parsing
still answers 4xx (or the page), never an error, so that the guard is a belt only.
PostgreSQL (CI) is where a NUL reaching a query fails ("A string literal cannot contain
NUL"); on SQLite the same tests prove the parsing.
"""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agents.enums import Role
from assessment.services import assign_reviewers
from plans.services.workflow import submit_plan
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    PlanFactory,
    complete_plan_content,
    user_with_role,
)
from tests.urls import app_urls

GUARD = "agenplan.request_guard.RequestGuardMiddleware"
NUL = "\x00"
# Every query or form parameter a page of AgenPlan reads by name.
PARAMETERS = (
    "cycle",
    "q",
    "page",
    "opd",
    "sort",
    "bagian",
    "dari",
    "ke",
    "tambah",
    "berkas",
    "utas",
    "agen",
    "group",
    "agency",
    "flagged",
    "state",
    "kind",
    "plan",
    "next",
    "token",
    "conflict",
    "notification",
    "assignment",
    "review",
    "reviewers",
    "outcome",
    "plans",
    "title",
    "name",
    "code",
    "action",
    "row_action",
    "sections",
)
URLS = app_urls()


@pytest.fixture
def people(cycle, coordinator, leader):
    agency = AgencyFactory()
    owner = AgentFactory(user__agency=agency)
    plan = complete_plan_content(PlanFactory(cycle=cycle, owner=owner))
    submit_plan(plan, by=owner.user)
    reviewer = user_with_role(Role.REVIEWER)
    assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    return {
        "plan": plan,
        "users": {
            "anonymous": None,
            "agent": owner.user,
            "head": user_with_role(Role.AGENCY_HEAD, agency=agency),
            "reviewer": reviewer,
            "coordinator": coordinator,
            "leadership": leader,
            "admin": user_with_role(Role.ADMIN),
        },
    }


def url_of(name, converters, plan, value="1"):
    kwargs = {}
    for key, converter in converters.items():
        kwargs[key] = plan.pk if type(converter).__name__ == "IntConverter" else value
    return reverse(name, kwargs=kwargs)


def _without_guard(settings):
    settings.MIDDLEWARE = [m for m in django_settings.MIDDLEWARE if m != GUARD]


@pytest.mark.parametrize("role", ["anonymous", "agent", "coordinator"])
def test_a_nul_in_any_query_parameter_answers_400_on_every_page(client, people, role):
    if people["users"][role] is not None:
        client.force_login(people["users"][role])
    query = dict.fromkeys(PARAMETERS, f"a{NUL}b")
    answers = {}
    for name, converters in URLS:
        answers[name] = client.get(url_of(name, converters, people["plan"]), query).status_code
    assert answers == dict.fromkeys(answers, 400)
    page = client.get(reverse("plans:list"), {"cycle": NUL})
    assert "Permintaan tidak dapat dibaca" in page.content.decode()


def test_a_nul_in_the_verification_path_answers_400(client, db):
    response = client.get("/verify/%00")
    assert response.status_code == 400
    assert client.get("/verify/AB%00CD").status_code == 400


@pytest.mark.parametrize("role", ["agent", "head", "reviewer", "coordinator", "leadership"])
def test_without_the_guard_every_page_parses_a_nul_in_the_query_without_an_error(
    client, people, settings, role
):
    """The views themselves refuse what cannot be a value (a cycle code is a slug, an id
    is a number): 4xx or the page, never a 500 (the test client re-raises any error)."""
    _without_guard(settings)
    client.force_login(people["users"][role])
    every = dict.fromkeys(PARAMETERS, NUL)
    for name, converters in URLS:
        url = url_of(name, converters, people["plan"], value=f"x{NUL}")
        # All parameters at once, and the cycle alone (read first by most pages, it would
        # hide a later parameter's error). The fuzz tests try the others one by one.
        for query in (every, {"cycle": NUL}, {"cycle": f"x{NUL}", "page": NUL}):
            response = client.get(url, query)
            assert response.status_code < 500, (name, query)


@pytest.mark.parametrize("role", ["agent", "reviewer", "coordinator", "admin"])
def test_a_nul_in_any_form_field_never_answers_500(client, people, settings, role):
    """Form posts are not refused by the guard: each form says what is wrong on its field
    (the null-character validator of every text field), or the view answers 4xx."""
    client.force_login(people["users"][role])
    data = dict.fromkeys(PARAMETERS, f"a{NUL}b")
    for name, converters in URLS:
        if name in ("logout",):
            continue
        url = url_of(name, converters, people["plan"])
        response = client.post(url, data)
        assert response.status_code < 500, name


def test_the_request_guard_comes_before_the_first_reader_of_the_body():
    middleware = django_settings.MIDDLEWARE
    assert middleware.index(GUARD) < middleware.index("django.middleware.csrf.CsrfViewMiddleware")


class _Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize(
    ("name", "with_plan", "limit_mb"),
    [
        ("plans:attachment_add", True, "10"),
        ("assessment:participants", False, "5"),
        # Any other view: DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
        ("plans:autosave", True, "2,5"),
    ],
)
def test_a_body_declared_larger_than_the_view_accepts_is_refused_unread(
    client, people, name, with_plan, limit_mb
):
    client.force_login(people["users"]["coordinator"])
    url = reverse(name, args=[people["plan"].pk] if with_plan else [])
    response = client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=batas",
        CONTENT_LENGTH=str(int(float(limit_mb.replace(",", ".")) * 1024 * 1024) + 300 * 1024),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Berkas terlalu besar" in page
    assert f"melebihi batas {limit_mb} MB" in page


def test_a_body_within_the_limit_reaches_the_view(client, people, private_media):
    """An upload of the participants file just under its limit is read, its header checked
    and its import queued."""
    client.force_login(people["users"]["coordinator"])

    upload = SimpleUploadedFile("peserta.csv", b"nip,nama,kode_opd\n" + b"x" * (4 * 1024 * 1024))
    response = client.post(reverse("assessment:participants"), {"file": upload})
    assert response.status_code == 302
