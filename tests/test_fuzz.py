"""Generated bad input (Hypothesis) against the filters, the forms and the participants
import: never a 500, never a half-written import.

Each test runs AGENPLAN_FUZZ_EXAMPLES examples (30 by default, so CI stays quick);
`make fuzz` sets AGENPLAN_FUZZ_TOTAL=10000, shared equally by the tests, and prints the
number of examples run and of errors found.
"""

import os

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import Agency
from agents.enums import Role
from agents.models import Agent, User
from assessment.import_files import ImportFileError, read_rows
from assessment.services import import_participants
from plans.models import Cycle
from tests.factories import user_with_role

FUZZ_TESTS = 6
TOTAL = int(os.environ.get("AGENPLAN_FUZZ_TOTAL", "0"))
EXAMPLES = TOTAL // FUZZ_TESTS if TOTAL else int(os.environ.get("AGENPLAN_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RUN = {"examples": 0, "errors": 0}

# Text a user (or an attacker) may type: any Unicode, and the classics of bad input.
NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "%00",
        "\u202e",
        "\ufeff",
        '=HYPERLINK("x")',
        "' OR 1=1 --",
        "../../etc/passwd",
        "9" * 40,
        "-1",
        "",
        " ",
        "𝕏" * 300,
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=300))
PARAMETERS = (
    "cycle",
    "q",
    "page",
    "opd",
    "sort",
    "group",
    "agency",
    "flagged",
    "who",
    "area",
    "tahun",
    "status",
)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    print(f"\nfuzz: {RUN['examples']} examples, {RUN['errors']} errors")  # noqa: T201


def _count(response) -> int:
    RUN["examples"] += 1
    if response.status_code >= 500:
        RUN["errors"] += 1
    return response.status_code


@pytest.fixture
def coordinator_client(client, cycle):
    client.force_login(user_with_role(Role.COORDINATOR))
    return client


FILTER_PAGES = (
    "plans:list",
    "assessment:decisions",
    "assessment:board",
    "assessment:assignments",
    "assessment:calibration",
    "report_jobs:list",
    "audit",
    "gallery:publishable",
)


@FUZZ
@given(
    page=st.sampled_from(FILTER_PAGES),
    query=st.dictionaries(st.sampled_from(PARAMETERS), TEXT, max_size=4),
)
def test_filters_never_answer_500(coordinator_client, page, query):
    assert _count(coordinator_client.get(reverse(page), query)) < 500


@FUZZ
@given(query=st.dictionaries(st.sampled_from(PARAMETERS), TEXT, max_size=4))
def test_the_public_gallery_never_answers_500(client, cycle, query):
    """Anonymous, any query string: a page (200), or 400 for what the request guard refuses."""
    assert _count(client.get(reverse("gallery:list"), query)) in (200, 400)


@FUZZ
@given(code=TEXT)
def test_the_verification_page_never_answers_500(client, db, code):
    response = client.get(f"/verify/{code.replace('/', '')}" if code.strip("/") else "/verify/x")
    assert _count(response) in (400, 404)


FORMS = {
    "assessment:cycle_create": ("name", "code", "year", "drafting_opens", "reviewers_per_plan"),
    "assessment:conflicts": ("agency", "agent_nip", "reason"),
    "plans:start": ("title",),
    "assessment:rubric": (
        "criteria-TOTAL_FORMS",
        "criteria-INITIAL_FORMS",
        "criteria-0-code",
        "criteria-0-weight",
        "criteria-0-name",
    ),
}


@FUZZ
@given(form=st.sampled_from(sorted(FORMS)), values=st.lists(TEXT, min_size=5, max_size=5))
def test_forms_never_answer_500_and_refused_posts_write_nothing(client, cycle, form, values):
    roles = {"assessment:conflicts": Role.REVIEWER, "plans:start": Role.AGENT}
    client.force_login(user_with_role(roles.get(form, Role.COORDINATOR)))
    before = (Cycle.objects.count(), Agency.objects.count())
    data = dict(zip(FORMS[form], values, strict=False))
    status = _count(client.post(reverse(form), data))
    assert status < 500
    if status != 302:  # refused: the page again, with the errors
        assert (Cycle.objects.count(), Agency.objects.count()) == before


COLUMNS = ("nip", "nama", "email", "jabatan", "pangkat_golongan", "kode_opd", "nama_opd")


@FUZZ
@given(content=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)))
def test_any_file_is_read_or_refused_with_a_message(db, content):
    RUN["examples"] += 1
    for name in ("peserta.csv", "peserta.xlsx"):
        try:
            read_rows(name, content)
        except ImportFileError as error:
            assert str(error.message)


@FUZZ
@given(
    rows=st.lists(
        st.fixed_dictionaries({column: TEXT for column in COLUMNS}), min_size=1, max_size=5
    )
)
def test_an_import_of_any_rows_writes_all_or_nothing(db, rows):
    RUN["examples"] += 1
    before = (User.objects.count(), Agent.objects.count(), Agency.objects.count())
    plan = import_participants(list(enumerate(rows, start=2)), by=None)
    after = (User.objects.count(), Agent.objects.count(), Agency.objects.count())
    if not plan.ok:
        assert after == before
    else:
        assert after[0] - before[0] == plan.created
