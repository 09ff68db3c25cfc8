"""The reviewer's queue and the coordinator's cycle board."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from agents.enums import Role
from assessment import selectors
from assessment.enums import ReviewState
from assessment.models import ReviewAssignment
from assessment.views.coordinator import ASSIGNMENT_PAGE_SIZE, LOAD_PAGE_SIZE
from assessment.views.reviewer import QUEUE_PAGE_SIZE
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.selectors import state_counts
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    user_with_role,
    wita,
)

QUEUE = reverse("assessment:queue")


def past_cycle(year=2023, **kwargs):
    """A cycle that opened years ago: never the current one."""
    return CycleFactory(
        year=year,
        drafting_opens=wita(year, 1, 2, 8, 0),
        submission_deadline=wita(year, 2, 28, 23, 59),
        review_starts=dt.date(year, 3, 1),
        review_ends=dt.date(year, 3, 31),
        decision_date=dt.date(year, 4, 10),
        implementation_start=dt.date(year, 5, 1),
        implementation_end=dt.date(year, 12, 31),
        **kwargs,
    )


BOARD = reverse("assessment:board")


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, name="Dra. Penilai, M.Si.")


# --- Antrean penilaian --------------------------------------------------------------------


def test_queue_lists_active_assignments_with_my_review_status_and_overdue_text(
    client, reviewer, cycle, assign, today, yesterday
):
    late = PlanFactory(cycle=cycle, title="Terlambat", state=PlanState.IN_REVIEW)
    drafting = PlanFactory(cycle=cycle, title="Sedang", state=PlanState.IN_REVIEW)
    sent = PlanFactory(cycle=cycle, title="Terkirim", state=PlanState.REVIEWED)
    revised = PlanFactory(cycle=cycle, title="Revisi", state=PlanState.IN_REVIEW)
    decided = PlanFactory(cycle=cycle, title="Diputuskan", state=PlanState.APPROVED)
    assign(late, reviewer, due=yesterday - dt.timedelta(days=2))
    assign(drafting, reviewer, due=today + dt.timedelta(days=3), review=ReviewState.DRAFT)
    assign(sent, reviewer, due=yesterday, review=ReviewState.SUBMITTED)
    # The review was of version 1; version 2 is the one to review now.
    assign(revised, reviewer, due=today, review=ReviewState.SUBMITTED, versions=2)
    assign(decided, reviewer, due=today, review=ReviewState.SUBMITTED)
    released = assign(PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW), reviewer, due=today)
    ReviewAssignment.objects.filter(pk=released.pk).update(
        is_active=False, released_at=released.assigned_at
    )
    assign(
        PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW),
        user_with_role(Role.REVIEWER),
        due=today,
    )

    client.force_login(reviewer)
    response = client.get(QUEUE)
    assert response.status_code == 200
    rows = [(a.plan.title, a.review_state, a.is_overdue) for a in response.context["assignments"]]
    assert rows == [
        ("Terlambat", None, True),
        ("Terkirim", "submitted", False),
        ("Revisi", None, False),
        ("Sedang", "draft", False),
    ]
    html = response.content.decode()
    assert "terlambat 3 hari" in html
    assert html.count('class="table-warning"') == 1
    # Listed four, waiting three: "Terkirim" is sent and waits for the other reviewers.
    assert [a.is_waiting for a in response.context["assignments"]] == [True, False, True, True]
    assert "3 rencana menunggu penilaian Anda, tenggat terdekat di atas." in html
    assert html.count("belum dimulai") == 2


def test_queue_lists_unresolved_threads_whose_last_comment_is_someone_elses(
    client, reviewer, cycle, assign, thread_with, today
):
    plan = PlanFactory(cycle=cycle, title="Dibimbing", state=PlanState.IN_REVIEW)
    assign(plan, reviewer, due=today)
    agent_user = plan.owner.user
    waiting = thread_with(plan, [reviewer, agent_user])
    thread_with(plan, [agent_user, reviewer])  # answered
    thread_with(plan, [reviewer, agent_user], resolved_by=reviewer)  # resolved
    thread_with(plan, [])  # empty
    thread_with(PlanFactory(cycle=cycle), [AgentFactory().user])  # not assigned to me
    client.force_login(reviewer)
    response = client.get(QUEUE)
    threads = list(response.context["threads"])
    assert threads == [waiting]
    assert (threads[0].last_author_name, threads[0].last_body) == (agent_user.name, "Pertanyaan 2")
    html = response.content.decode()
    assert "1 utas pendampingan yang komentar terakhirnya bukan dari Anda." in html
    assert f"<strong>{agent_user.name}:</strong> Pertanyaan 2" in html


def test_queue_has_a_real_empty_state(client, reviewer):
    client.force_login(reviewer)
    html = client.get(QUEUE).content.decode()
    assert "Tidak ada penugasan aktif." in html
    assert "Tidak ada utas yang menunggu jawaban Anda." in html


@pytest.mark.parametrize("size", [2, 10])
def test_queue_query_count_does_not_grow(
    client, reviewer, cycle, assign, thread_with, today, size, django_assert_num_queries
):
    for i in range(size):
        plan = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW)
        assign(plan, reviewer, due=today, review=ReviewState.DRAFT if i % 2 else None)
        thread_with(plan, [reviewer, plan.owner.user])
    client.force_login(reviewer)
    # 9: both lists are paginated, each counts its rows once; the plans waiting for the
    # reviewer are counted once; the progress reports waiting for them are one query.
    with django_assert_num_queries(9):
        response = client.get(QUEUE)
    assert len(response.context["assignments"]) == size
    assert len(response.context["threads"]) == size


def test_queue_is_paginated_and_sorted(client, reviewer, cycle, assign, today):
    for i in range(QUEUE_PAGE_SIZE + 2):
        plan = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW, title=f"Rencana {i:03d}")
        assign(plan, reviewer, due=today + dt.timedelta(days=i))
    client.force_login(reviewer)
    first = client.get(QUEUE)
    assert len(first.context["assignments"]) == QUEUE_PAGE_SIZE
    html = first.content.decode()
    assert f"{QUEUE_PAGE_SIZE + 2} rencana menunggu penilaian Anda" in html
    assert "Halaman 1 dari 2" in html
    second = client.get(QUEUE, {"page": 2})
    assert [a.plan.title for a in second.context["assignments"]] == [
        f"Rencana {i:03d}" for i in (QUEUE_PAGE_SIZE, QUEUE_PAGE_SIZE + 1)
    ]
    latest = client.get(QUEUE, {"sort": "-due"}).context["assignments"]
    assert latest[0].plan.title == f"Rencana {QUEUE_PAGE_SIZE + 1:03d}"
    by_title = client.get(QUEUE, {"sort": "title"}).context["assignments"]
    assert by_title[0].plan.title == "Rencana 000"
    assert client.get(QUEUE, {"sort": "x", "page": "y", "utas": "z"}).status_code == 200


# --- Papan siklus -------------------------------------------------------------------------


@pytest.fixture
def board_data(cycle, assign, today):
    """Two agencies' plans in several states, two reviewers with assignments."""
    a = AgencyFactory(name="Badan Satu", abbreviation="B1")
    b = AgencyFactory(name="Dinas Dua", abbreviation="D2")
    r1 = user_with_role(Role.REVIEWER, name="Reviewer Satu")
    r2 = user_with_role(Role.REVIEWER, name="Reviewer Dua")
    user_with_role(Role.REVIEWER, name="Reviewer Tiga")

    def plan(agency, state, **kwargs):
        return PlanFactory(
            cycle=cycle, owner=AgentFactory(user__agency=agency), state=state, **kwargs
        )

    plan(a, PlanState.DRAFT)
    plan(a, PlanState.DRAFT)
    waiting = plan(a, PlanState.SUBMITTED, title="Menunggu tugas")
    reviewing = plan(b, PlanState.IN_REVIEW, review_flagged=True, title="Berbeda")
    reviewed = plan(b, PlanState.REVIEWED, score=Decimal("77.50"), title="Siap diputuskan")
    plan(b, PlanState.APPROVED, review_flagged=True)
    assign(reviewing, r1, due=today)
    assign(reviewing, r2, due=today, review=ReviewState.SUBMITTED)
    assign(reviewed, r1, due=today, review=ReviewState.SUBMITTED)
    assign(reviewed, r2, due=today, review=ReviewState.SUBMITTED)
    # Another cycle's plans and assignments are not on this board.
    other = PlanFactory(cycle=past_cycle(), state=PlanState.IN_REVIEW)
    assign(other, r1, due=today)
    return {"a": a, "b": b, "waiting": waiting, "reviewing": reviewing, "reviewed": reviewed}


def test_board_counts_plans_per_state_and_per_agency(client, coordinator, cycle, board_data):
    client.force_login(coordinator)
    response = client.get(BOARD)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.counts == {
        "draft": 2,
        "submitted": 1,
        "in_review": 1,
        "reviewed": 1,
        "revision_requested": 0,
        "approved": 1,
        "rejected": 0,
        "implementing": 0,
        "completed": 0,
    }
    assert board.total == 6
    assert [(row["name"], row["short_name"], row["total"]) for row in board.by_agency] == [
        ("Badan Satu", "B1", 3),
        ("Dinas Dua", "D2", 3),
    ]
    assert [count for _state, count in board.by_agency[0]["counts"]] == [2, 1, 0, 0, 0, 0, 0, 0, 0]
    assert [count for _state, count in board.by_agency[1]["counts"]] == [0, 0, 1, 1, 0, 1, 0, 0, 0]
    assert board.awaiting_assignment == [board_data["waiting"]]
    assert board.awaiting_decision == [board_data["reviewed"]]
    assert board.flagged == [board_data["reviewing"]]
    assert board.flagged_total == 1
    assert [(r.name, r.active, r.submitted, r.pending) for r in board.reviewer_load] == [
        ("Reviewer Dua", 2, 2, 0),
        ("Reviewer Satu", 2, 1, 1),
        ("Reviewer Tiga", 0, 0, 0),
    ]
    html = response.content.decode()
    assert "6 rencana tindak pada" in html
    assert '<span class="ap-state ap-state-in_review">Dalam penilaian: 1</span>' in html
    assert f"?cycle={cycle.code}&amp;agency={board_data['b'].pk}&amp;state=approved" in html


def test_board_shows_another_cycle_by_code(client, coordinator, cycle, board_data):
    other = past_cycle(2022, name="Assessment Lama")
    PlanFactory(cycle=other)
    client.force_login(coordinator)
    response = client.get(BOARD, {"cycle": other.code})
    board = response.context["board"]
    assert (board.cycle, board.total) == (other, 1)
    # The context strip still shows the current cycle.
    assert f"{cycle.name} — <strong>Penyusunan</strong>" in response.content.decode()
    assert client.get(BOARD, {"cycle": "tidak-ada"}).status_code == 404


def test_board_without_any_cycle_says_so(client, coordinator):
    client.force_login(coordinator)
    response = client.get(BOARD)
    assert response.context["board"] is None
    assert "Belum ada siklus assessment." in response.content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_board_query_count_does_not_grow(
    client, coordinator, cycle, assign, today, size, django_assert_num_queries
):
    for _ in range(size):
        agency = AgencyFactory()
        reviewer = user_with_role(Role.REVIEWER)
        for state in (PlanState.SUBMITTED, PlanState.IN_REVIEW, PlanState.REVIEWED):
            plan = PlanFactory(
                cycle=cycle,
                owner=AgentFactory(user__agency=agency),
                state=state,
                review_flagged=True,
            )
            if state != PlanState.SUBMITTED:
                assign(plan, reviewer, due=today, review=ReviewState.SUBMITTED)
    client.force_login(coordinator)
    # The reviewers' load is two of them: the cycle's tallies, then the people; the agency
    # rows two: the counts grouped by agency, then the agencies' names; the cycle's counts
    # are their sums.
    with django_assert_num_queries(12):
        response = client.get(BOARD)
    board = response.context["board"]
    assert board.total == size * 3
    assert board.counts == state_counts(ActionPlan.objects.filter(cycle=cycle))


# --- The assignments page: bounded, filtered, sorted -------------------------------------


def test_assignments_page_paginates_filters_and_sorts(client, coordinator, cycle, assign, today):
    agencies = [AgencyFactory(name="Dinas Alfa"), AgencyFactory(name="Badan Beta")]
    for i in range(ASSIGNMENT_PAGE_SIZE + 3):
        PlanFactory(
            cycle=cycle,
            owner=AgentFactory(user__agency=agencies[i % 2]),
            state=PlanState.SUBMITTED,
            title=f"Rencana {i:03d}",
        )
    short = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW, title="Kurang reviewer")
    assign(short, user_with_role(Role.REVIEWER), due=today)
    client.force_login(coordinator)
    url = reverse("assessment:assignments")
    first = client.get(url, {"cycle": cycle.code})
    assert first.context["awaiting"] == ASSIGNMENT_PAGE_SIZE + 3
    assert len(first.context["page"].object_list) == ASSIGNMENT_PAGE_SIZE
    assert first.context["short_count"] == 1
    second = client.get(url, {"cycle": cycle.code, "page": 2})
    assert [p.title for p in second.context["page"]] == [
        f"Rencana {i:03d}" for i in range(ASSIGNMENT_PAGE_SIZE, ASSIGNMENT_PAGE_SIZE + 3)
    ]
    # Nothing is cut off silently: every plan is on some page, and the pages say so.
    assert "Halaman 2 dari 2" in second.content.decode()
    by_title = client.get(url, {"cycle": cycle.code, "sort": "-title"})
    assert by_title.context["page"][0].title == f"Rencana {ASSIGNMENT_PAGE_SIZE + 2:03d}"
    filtered = client.get(
        url, {"cycle": cycle.code, "agency": agencies[1].pk, "q": "Rencana 00", "sort": "title"}
    )
    assert [p.title for p in filtered.context["page"]] == [
        "Rencana 001",
        "Rencana 003",
        "Rencana 005",
        "Rencana 007",
        "Rencana 009",
    ]
    # The filters stay in the URL of the sorting links.
    assert f"agency={agencies[1].pk}" in filtered.content.decode().split('data-sort-url="')[1]
    shown = client.get(url, {"cycle": cycle.code, "show": "short"})
    assert [p.title for p in shown.context["page"]] == ["Kurang reviewer"]
    # A bad parameter is ignored, never a 500.
    assert client.get(url, {"cycle": cycle.code, "sort": "x", "agency": "y"}).status_code == 200


def test_assignments_page_paginates_the_reviewers_load(client, coordinator, cycle):
    for i in range(LOAD_PAGE_SIZE + 2):
        user_with_role(Role.REVIEWER, name=f"Reviewer {i:02d}")
    client.force_login(coordinator)
    url = reverse("assessment:assignments")
    response = client.get(url, {"cycle": cycle.code, "beban": 2})
    assert response.context["reviewers_total"] == LOAD_PAGE_SIZE + 2
    assert [r.name for r in response.context["load"]] == [
        f"Reviewer {i:02d}" for i in range(LOAD_PAGE_SIZE, LOAD_PAGE_SIZE + 2)
    ]
    assert "beban=1" in response.content.decode()


# --- The board's agency table and reviewers: bounded -------------------------------------


def test_board_agency_table_is_searched_sorted_and_paginated(client, coordinator, cycle):
    agencies = [
        AgencyFactory(name=f"Dinas Nomor {i:02d}", abbreviation=f"DN{i:02d}") for i in range(27)
    ]
    for i, agency in enumerate(agencies):
        for _ in range(1 + i % 3):
            PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agency))
    client.force_login(coordinator)
    first = client.get(BOARD)
    page = first.context["agencies"]
    assert page.paginator.count == 27
    assert [row["name"] for row in page] == [f"Dinas Nomor {i:02d}" for i in range(25)]
    html = first.content.decode()
    assert html.count('title="Dinas Nomor') == 25
    assert "Halaman 1 dari 2" in html
    second = client.get(BOARD, {"page": 2})
    assert [row["name"] for row in second.context["agencies"]] == [
        "Dinas Nomor 25",
        "Dinas Nomor 26",
    ]
    busiest = client.get(BOARD, {"sort": "-total"}).context["agencies"]
    assert [row["total"] for row in busiest][:9] == [3] * 9
    assert busiest[0]["name"] == "Dinas Nomor 02"
    drafts = client.get(BOARD, {"sort": "draft"}).context["agencies"]
    assert [row["counts"][0][1] for row in drafts][:9] == [1] * 9
    found = client.get(BOARD, {"opd": "dn1", "sort": "-name"})
    assert [row["short_name"] for row in found.context["agencies"]] == [
        f"DN{i}" for i in range(19, 9, -1)
    ]
    # The search and the sort stay in the URL of the headers and the pages.
    assert "opd=dn1" in found.content.decode().split('data-sort-url="')[1].split('"')[0]
    assert client.get(BOARD, {"sort": "bogus", "page": "x"}).status_code == 200


def test_board_shows_the_busiest_reviewers_and_links_to_all(
    client, coordinator, cycle, assign, today
):
    reviewers = [user_with_role(Role.REVIEWER, name=f"Reviewer {i:02d}") for i in range(12)]
    plan = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW)
    assign(plan, reviewers[11], due=today)
    client.force_login(coordinator)
    response = client.get(BOARD)
    shown = [r.name for r in response.context["busiest"]]
    assert shown == ["Reviewer 11"] + [f"Reviewer {i:02d}" for i in range(9)]
    html = response.content.decode()
    assert "10 reviewer tersibuk dari 12." in html
    assert f'href="{reverse("assessment:assignments")}?cycle={cycle.code}"' in html


@pytest.mark.parametrize("limit", [1, 3, 4, 6])
def test_busiest_reviewers_are_the_head_of_the_whole_load(cycle, assign, today, limit):
    """The board's busiest reviewers, read without every reviewer of the deployment, are
    the first of the full load (busy ones, then idle ones by name), with its length; a
    person assigned without the reviewer role counts as on the full list."""
    reviewers = [user_with_role(Role.REVIEWER, name=f"Reviewer {i}") for i in "EDCBA"]
    unroled = AgentFactory(user__name="Reviewer C2").user
    for reviewer, plans in ((reviewers[0], 2), (reviewers[3], 1), (unroled, 1)):
        for _ in range(plans):
            assign(PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW), reviewer, due=today)
    whole = list(selectors.ReviewerLoad(cycle))
    assert [(r.name, r.active) for r in whole] == [
        ("Reviewer E", 2),
        ("Reviewer B", 1),
        ("Reviewer C2", 1),
        ("Reviewer A", 0),
        ("Reviewer C", 0),
        ("Reviewer D", 0),
    ]
    busiest, total = selectors.busiest_reviewers(cycle, limit)
    assert total == len(whole) == 6
    expected = [(r.pk, r.active, r.submitted, r.pending) for r in whole[:limit]]
    assert [(r.pk, r.active, r.submitted, r.pending) for r in busiest] == expected


def test_board_agency_figures_follow_a_change(client, coordinator, cycle):
    agency = AgencyFactory(name="Dinas Berubah")
    plan = PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agency))
    client.force_login(coordinator)
    assert client.get(BOARD).context["agencies"][0]["total"] == 1
    PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agency))
    plan.delete()
    PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agency))
    assert client.get(BOARD).context["agencies"][0]["total"] == 2
