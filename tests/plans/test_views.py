"""The plan pages: the agent's home, the head's home, the plan list and the plan detail."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from agents.services import record_activity
from assessment.models import Decision, ReviewAssignment
from assessment.services import assign_reviewers
from plans import sections
from plans.enums import PlanState
from plans.list_forms import STATE_GROUP_LABELS
from plans.models import ActionPlan, ChangeArea, Comment, CommentThread, CoreValue, PlanVersion
from plans.selectors import STATE_GROUPS, member_plan_ids
from plans.services.workflow import submit_plan
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    TargetFactory,
    complete_plan_content,
    user_with_role,
    wita,
)

MY_PLANS = reverse("plans:my_plans")

# The checklist: one check per required field of the registry, two per row section (how
# many rows, and all of them inside the implementation window).
CHECKS = len(sections.required_fields()) + 2 * len(sections.row_sections())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Rencana saya -------------------------------------------------------------------------


def test_my_plans_shows_the_draft_with_deadline_and_checklist(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.get(MY_PLANS)
    assert response.status_code == 200
    [row] = response.context["current_rows"]
    assert row.plan == draft_plan
    assert row.is_owner is True
    assert row.deadline == draft_plan.cycle.submission_deadline
    assert row.days_left == 14
    # A draft without rows meets only the two "inside the implementation window" checks.
    assert (row.checklist_done, row.checklist_total) == (2, CHECKS)
    assert [item.field for item in row.missing][:3] == [
        "strategic_issue",
        "baseline_data",
        "root_cause",
    ]
    assert response.context["other_rows"] == []
    assert response.context["start_form"] is None
    html = response.content.decode()
    assert "14 hari lagi" in html
    assert f"2 dari {CHECKS} lengkap" in html
    assert f"{CHECKS - 2} hal belum lengkap:" in html
    assert "Isu strategis / masalah layanan wajib diisi." in html
    assert '<span class="ap-state ap-state-draft">Draf</span>' in html


def test_my_plans_deadline_is_the_extension_in_wita(client, agent, draft_plan):
    extended = wita(2031, 1, 31, 23, 59)
    ActionPlan.objects.filter(pk=draft_plan.pk).update(submission_extended_until=extended)
    client.force_login(agent.user)
    response = client.get(MY_PLANS)
    [row] = response.context["current_rows"]
    assert row.deadline == extended
    assert "31 Januari 2031, 23.59 WITA" in response.content.decode()


def test_my_plans_counts_complete_checklist(client, agent, complete_plan):
    client.force_login(agent.user)
    response = client.get(MY_PLANS)
    [row] = response.context["current_rows"]
    assert (row.checklist_done, row.checklist_total, row.missing) == (CHECKS, CHECKS, [])
    assert "Semua bagian lengkap; rencana siap diajukan." in response.content.decode()


def test_my_plans_counts_unread_comments_by_others_after_the_read_marker(
    client, agent, draft_plan, make_thread, mark_read
):
    reviewer = user_with_role(Role.REVIEWER)
    # Never opened: both comments by the reviewer count; the agent's own does not.
    make_thread(draft_plan, [reviewer, agent.user, reviewer])
    # Read after two comments; one more comes later.
    read = make_thread(draft_plan, [reviewer, reviewer], section="change")
    mark_read(read, agent.user, at=read.comments.last().created_at)
    read.comments.create(author=reviewer, body="Satu lagi")
    # Everything read.
    done = make_thread(draft_plan, [reviewer], section="impact")
    mark_read(done, agent.user, at=timezone.now() + dt.timedelta(seconds=1))
    client.force_login(agent.user)
    response = client.get(MY_PLANS)
    [row] = response.context["current_rows"]
    assert row.unread == 3
    assert "3 komentar belum dibaca" in response.content.decode()


def test_my_plans_lists_team_plans_and_earlier_cycles_with_decisions(client, agent, cycle):
    past = CycleFactory(
        drafting_opens=wita(2023, 1, 2, 8, 0),
        submission_deadline=wita(2023, 2, 28, 23, 59),
        review_starts=dt.date(2023, 3, 1),
        review_ends=dt.date(2023, 3, 31),
        decision_date=dt.date(2023, 4, 10),
        implementation_start=dt.date(2023, 5, 1),
        implementation_end=dt.date(2023, 12, 31),
        year=2023,
    )
    old = PlanFactory(cycle=past, owner=agent, state=PlanState.APPROVED, score=Decimal("81.25"))
    version = old.versions.get()  # frozen when it was handed in
    coordinator = user_with_role(Role.COORDINATOR)
    Decision.objects.create(
        plan=old, version=version, outcome="approve", feedback="Bagus", decided_by=coordinator
    )
    other = AgentFactory(user__agency=agent.agency)
    team = PlanFactory(cycle=cycle, owner=other)
    team.co_agents.add(agent)
    client.force_login(agent.user)
    response = client.get(MY_PLANS)
    [current] = response.context["current_rows"]
    assert (current.plan, current.is_owner) == (team, False)
    [earlier] = response.context["other_rows"]
    assert (earlier.plan, earlier.decisions_with_feedback, earlier.deadline) == (old, 1, None)
    html = response.content.decode()
    assert "Anda anggota tim" in html
    assert "81,25" in html
    # A co-agent has a plan in the cycle: no "start" form.
    assert response.context["start_form"] is None


def test_my_plans_offers_to_start_a_plan_when_the_agent_has_none(client, agent, cycle):
    client.force_login(agent.user)
    response = client.get(MY_PLANS)
    assert response.context["current_rows"] == []
    form = response.context["start_form"]
    assert (form.is_bound, list(form.fields)) == (False, ["title"])
    assert "Mulai rencana tindak" in response.content.decode()


def test_my_plans_offers_no_start_after_the_drafting_phase(client, agent):
    CycleFactory(
        drafting_opens=timezone.now() - dt.timedelta(days=60),
        submission_deadline=timezone.now() - dt.timedelta(days=1),
    )
    client.force_login(agent.user)
    response = client.get(MY_PLANS)
    assert response.context["start_form"] is None


def test_start_plan_creates_the_draft_and_opens_it(client, agent, cycle):
    client.force_login(agent.user)
    response = client.post(reverse("plans:start"), {"title": "  Layanan SIMPEL  "})
    plan = ActionPlan.objects.get(owner=agent)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:edit", args=[plan.pk])
    assert (plan.title, plan.cycle, plan.agency, plan.state) == (
        "Layanan SIMPEL",
        cycle,
        agent.agency,
        PlanState.DRAFT,
    )


def test_start_plan_shows_errors_on_the_field(client, agent, cycle):
    client.force_login(agent.user)
    response = client.post(reverse("plans:start"), {"title": ""})
    assert response.status_code == 200
    assert response.context["start_form"].errors == {"title": ["Bidang ini tidak boleh kosong."]}
    assert ActionPlan.objects.count() == 0


def test_start_plan_reports_a_refusal_of_the_service_as_a_message(client, agent, cycle):
    client.force_login(agent.user)
    client.post(reverse("plans:start"), {"title": "Pertama"})
    response = client.post(reverse("plans:start"), {"title": "Kedua"}, follow=True)
    assert response.redirect_chain == [(MY_PLANS, 302)]
    assert messages_of(response) == [
        "Rencana tindak Anda sudah dibuat sebagai draf.",
        "Anda sudah memiliki rencana tindak pada siklus ini.",
    ]
    assert ActionPlan.objects.filter(owner=agent).count() == 1


def test_start_plan_after_the_drafting_phase_is_refused(client, agent):
    CycleFactory(
        drafting_opens=timezone.now() - dt.timedelta(days=60),
        submission_deadline=timezone.now() - dt.timedelta(days=1),
    )
    client.force_login(agent.user)
    response = client.post(reverse("plans:start"), {"title": "Terlambat"}, follow=True)
    assert messages_of(response) == ["Masa penyusunan siklus ini sudah berakhir."]
    assert ActionPlan.objects.count() == 0


def test_start_plan_needs_the_agent_role_and_a_post(client, agent, cycle):
    client.force_login(user_with_role(Role.REVIEWER))
    assert client.post(reverse("plans:start"), {"title": "X"}).status_code == 403
    client.force_login(agent.user)
    assert client.get(reverse("plans:start")).status_code == 405


def _agent_home_data(agent, cycle, *, past_cycles, comments):
    reviewer = user_with_role(Role.REVIEWER)
    plan = complete_plan_content(PlanFactory(cycle=cycle, owner=agent))

    for i in range(comments):
        thread = CommentThread.objects.create(plan=plan, section="problem", started_by=reviewer)
        Comment.objects.create(thread=thread, author=reviewer, body=f"Komentar {i}")
    for year in range(past_cycles):
        past = CycleFactory(
            drafting_opens=wita(2010 + year, 1, 2, 8, 0),
            submission_deadline=wita(2010 + year, 2, 28, 23, 59),
            review_starts=dt.date(2010 + year, 3, 1),
            review_ends=dt.date(2010 + year, 3, 31),
            decision_date=dt.date(2010 + year, 4, 10),
            implementation_start=dt.date(2010 + year, 5, 1),
            implementation_end=dt.date(2010 + year, 12, 31),
            year=2010 + year,
        )
        old = complete_plan_content(PlanFactory(cycle=past, owner=agent))
        if year % 2:
            ActionPlan.objects.filter(pk=old.pk).update(state=PlanState.REVISION_REQUESTED)
        # Other agents' plans in the same agency are not "mine".
        PlanFactory(cycle=past, owner=AgentFactory(user__agency=agent.agency))


@pytest.mark.parametrize("size", [1, 6])
def test_my_plans_query_count_does_not_grow(client, agent, cycle, size, django_assert_num_queries):
    _agent_home_data(agent, cycle, past_cycles=size, comments=size)
    client.force_login(agent.user)
    # session, user (with role grants, agent profile, agency), current cycle (shared with
    # the context strip), the plans with their counts, 4 prefetches (checklist).
    with django_assert_num_queries(9):
        response = client.get(MY_PLANS)
    assert len(response.context["other_rows"]) == size


# --- Rencana OPD --------------------------------------------------------------------------


def test_agency_plans_counts_plans_and_agents_of_the_headed_agency(client, agency, cycle, head):
    cycle.head_endorsement_required = True
    cycle.save()
    a1, a2, a3 = (AgentFactory(user__agency=agency) for _ in range(3))
    draft = PlanFactory(cycle=cycle, owner=a1)
    PlanFactory(cycle=cycle, owner=a2, state=PlanState.SUBMITTED)
    endorsed = PlanFactory(cycle=cycle, owner=a3, endorsed_lock_version=1, endorsed_by=head)
    AgentFactory(user__agency=agency)  # no plan
    AgentFactory(user__agency=agency, is_active=False)  # not an agent any more
    PlanFactory(cycle=cycle)  # another agency
    client.force_login(head)
    response = client.get(reverse("plans:agency_plans"))
    assert response.status_code == 200
    [overview] = response.context["overviews"]
    assert overview.agency == agency
    assert overview.total == 3
    assert overview.counts == {
        "draft": 2,
        "submitted": 1,
        "in_review": 0,
        "reviewed": 0,
        "revision_requested": 0,
        "approved": 0,
        "rejected": 0,
        "implementing": 0,
        "completed": 0,
    }
    assert overview.awaiting_endorsement == [draft]
    assert endorsed not in overview.awaiting_endorsement
    assert (overview.agents_with_plan, overview.agents_without_plan) == (3, 1)
    html = response.content.decode()
    assert "3 agen sudah menyusun rencana, 1 agen belum." in html
    assert "Menunggu Anda ketahui" in html
    assert '<span class="ap-state ap-state-draft">Draf: 2</span>' in html
    assert f"?cycle={cycle.code}&amp;agency={agency.pk}&amp;state=draft" in html


@pytest.mark.parametrize("size", [2, 8])
def test_agency_plans_query_count_does_not_grow(
    client, agency, cycle, head, size, django_assert_num_queries
):
    for _ in range(size):
        PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agency))
        AgentFactory(user__agency=agency)
    client.force_login(head)
    with django_assert_num_queries(7):
        response = client.get(reverse("plans:agency_plans"))
    assert response.context["overviews"][0].total == size


# --- Daftar rencana -----------------------------------------------------------------------


def test_plan_list_groups_match_their_labels():
    assert set(STATE_GROUP_LABELS) == set(STATE_GROUPS)


@pytest.fixture
def listed(cycle):
    """Six plans in two agencies with states, scores, areas and values."""
    a, b = AgencyFactory(name="Badan A"), AgencyFactory(name="Dinas B")
    area = ChangeArea.objects.create(code="TL", name="Penataan Tatalaksana")
    value = CoreValue.objects.create(code="B", name="Berorientasi Pelayanan")
    rows = [
        (a, "Alfa", PlanState.DRAFT, None, False),
        (a, "Bravo", PlanState.SUBMITTED, None, False),
        (a, "Charlie", PlanState.REVIEWED, Decimal("85.00"), True),
        (b, "Delta", PlanState.APPROVED, Decimal("72.50"), False),
        (b, "Echo", PlanState.IMPLEMENTING, Decimal("100.00"), False),
        (b, "Foxtrot", PlanState.REJECTED, Decimal("19.99"), False),
    ]
    plans = {}
    for agency, title, state, score, flagged in rows:
        plan = PlanFactory(
            cycle=cycle,
            owner=AgentFactory(user__agency=agency),
            title=title,
            state=state,
            score=score,
            review_flagged=flagged,
        )
        plans[title] = plan
    plans["Charlie"].change_areas.add(area)
    plans["Delta"].change_areas.add(area)
    plans["Delta"].core_values.add(value)
    return {"a": a, "b": b, "plans": plans}


def titles(response) -> list[str]:
    return [plan.title for plan in response.context["page"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=title", ["Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]),
        ("sort=-title", ["Foxtrot", "Echo", "Delta", "Charlie", "Bravo", "Alfa"]),
        ("sort=-score", ["Echo", "Charlie", "Delta", "Foxtrot", "Bravo", "Alfa"]),
        ("state=submitted", ["Bravo"]),
        ("group=submitted_once&sort=title", ["Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]),
        ("group=approved_once&sort=title", ["Delta", "Echo"]),
        ("area=TL&sort=title", ["Charlie", "Delta"]),
        ("value=B", ["Delta"]),
        ("flagged=on", ["Charlie"]),
        ("score=80-100&sort=title", ["Charlie", "Echo"]),
        ("score=0-20", ["Foxtrot"]),
        ("q=elt", ["Delta"]),
    ],
)
def test_plan_list_filters_and_sorts(client, coordinator, listed, query, expected):
    client.force_login(coordinator)
    response = client.get(f"{reverse('plans:list')}?{query}")
    assert response.status_code == 200
    assert titles(response) == expected


def test_plan_list_filters_by_agency_and_cycle(client, coordinator, listed, cycle):
    client.force_login(coordinator)
    url = reverse("plans:list")
    response = client.get(url, {"agency": listed["b"].pk, "cycle": cycle.code, "sort": "title"})
    assert titles(response) == ["Delta", "Echo", "Foxtrot"]
    other = CycleFactory()
    assert titles(client.get(url, {"cycle": other.code})) == []


def test_plan_list_ignores_an_unknown_filter_and_says_so(client, coordinator, listed):
    client.force_login(coordinator)
    response = client.get(reverse("plans:list"), {"area": "XX", "state": "draft"})
    assert titles(response) == ["Alfa"]
    assert list(response.context["form"].errors) == ["area"]


def test_plan_list_shows_only_what_the_user_may_see(client, listed):
    agent = AgentFactory(user__agency=listed["a"])
    client.force_login(agent.user)
    response = client.get(reverse("plans:list"), {"sort": "title"})
    assert titles(response) == ["Alfa", "Bravo", "Charlie"]


def test_plan_list_keeps_filters_in_sort_and_page_links(client, coordinator, cycle):
    for i in range(51):
        PlanFactory(cycle=cycle, title=f"Rencana {i:02d}")
    client.force_login(coordinator)
    response = client.get(reverse("plans:list"), {"state": "draft", "sort": "title"})
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (51, 50, 2)
    html = response.content.decode()
    assert 'href="?state=draft&amp;sort=title&amp;page=2"' in html
    assert 'data-sort-url="?state=draft&amp;sort=-title"' in html
    assert 'aria-sort="ascending"' in html
    assert "51 rencana sesuai saringan." in html
    second = client.get(reverse("plans:list"), {"state": "draft", "sort": "title", "page": 2})
    assert titles(second) == ["Rencana 50"]


@pytest.mark.parametrize("size", [3, 30])
def test_plan_list_query_count_does_not_grow(
    client, coordinator, cycle, size, django_assert_num_queries
):
    for _ in range(size):
        plan = PlanFactory(cycle=cycle)
        plan.change_areas.add(ChangeArea.objects.get_or_create(code="TL", name="TL")[0])
    client.force_login(coordinator)
    # 9: the agency filter reads the chosen agency only (none here), never every agency.
    with django_assert_num_queries(9):
        response = client.get(reverse("plans:list"), {"area": "TL", "sort": "-score"})
    assert response.context["page"].paginator.count == size


@pytest.mark.parametrize("size", [2, 12])
def test_plan_list_of_an_agent_with_colleagues_plans_costs_the_same_at_any_size(
    client, agent, cycle, size, django_assert_num_queries
):
    """Colleagues' plans are listed by title and state (no link, no owner, no score), the
    agent's team plans with their decided scores, in a fixed number of queries."""
    for i in range(size):
        PlanFactory(
            cycle=cycle,
            owner=AgentFactory(user__agency=agent.agency),
            state=PlanState.APPROVED,
            score=Decimal("70.00"),
        )
        team = PlanFactory(
            cycle=CycleFactory(),
            owner=AgentFactory(user__agency=agent.agency),
            state=PlanState.APPROVED,
            score=Decimal(f"{60 + i}.25"),
        )
        team.co_agents.add(agent)
    client.force_login(agent.user)
    with django_assert_num_queries(9):
        response = client.get(reverse("plans:list"))
    html = response.content.decode()
    rows = list(response.context["page"])
    assert [p.content_visible for p in rows].count(False) == size
    assert html.count('class="ap-plan-listed-only"') == size
    assert "70,00" not in html
    assert "60,25" in html


@pytest.mark.parametrize("size", [2, 12])
def test_plan_list_of_a_reviewer_asks_for_their_reviews_once(
    client, cycle, size, django_assert_num_queries
):
    reviewer = user_with_role(Role.REVIEWER)
    for i in range(size):
        plan = PlanFactory(cycle=cycle, state=PlanState.IN_REVIEW, score=Decimal(f"{50 + i}.75"))
        ReviewAssignment.objects.create(
            plan=plan, reviewer=reviewer, assigned_by=reviewer, due_date=cycle.review_ends
        )
    client.force_login(reviewer)
    # The same as an agent's list: the reviews they submitted are read once, not per plan.
    with django_assert_num_queries(9):
        response = client.get(reverse("plans:list"))
    assert response.context["page"].paginator.count == size
    # No review of theirs is submitted: no plan's provisional score shows.
    assert "50,75" not in response.content.decode()


# --- The plan detail ----------------------------------------------------------------------


def test_detail_shows_every_section_activities_targets_and_history(client, agent, complete_plan):
    client.force_login(agent.user)
    response = client.get(reverse("plans:detail", args=[complete_plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for entry in sections.all_sections():
        assert f"{entry.number}. {entry.label}</h2>" in html
    assert "Versi yang diajukan" in html
    assert "Riwayat" in html
    assert "Isi root_cause yang lengkap." in html
    assert "Penataan Tatalaksana" in html
    assert html.count("1.000.000") == 3  # each activity's budget, Indonesian format
    assert html.count("Laporan bulanan") == 2
    assert response.context["actions"] == {
        "edit": True,
        "submit": True,
        "withdraw": False,
        "endorse": False,
    }
    assert response.context["missing"] == []


def test_detail_is_404_for_a_plan_of_another_agency(client, complete_plan):
    stranger = AgentFactory()
    client.force_login(stranger.user)
    assert client.get(reverse("plans:detail", args=[complete_plan.pk])).status_code == 404
    assert client.get(reverse("plans:detail", args=[999999])).status_code == 404


def test_submit_from_the_detail_page_freezes_a_version(client, agent, complete_plan):
    client.force_login(agent.user)
    response = client.post(reverse("plans:submit", args=[complete_plan.pk]), follow=True)
    complete_plan.refresh_from_db()
    assert complete_plan.state == PlanState.SUBMITTED
    assert messages_of(response) == ["Rencana sudah diajukan ke Biro Organisasi."]
    assert response.context["actions"] == {
        "edit": False,
        "submit": False,
        "withdraw": True,
        "endorse": False,
    }
    history = response.context["history"]
    assert [(e.action, e.from_state, e.to_state, e.note) for e in history] == [
        ("plan.submit", "draft", "submitted", "v1")
    ]
    assert "Versi 1" in response.content.decode()


def test_submit_refusal_is_a_message_in_indonesian(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.post(reverse("plans:submit", args=[draft_plan.pk]), follow=True)
    draft_plan.refresh_from_db()
    assert draft_plan.state == PlanState.DRAFT
    [message] = messages_of(response)
    assert message == ("Rencana belum lengkap; lengkapi hal yang ditandai di daftar kelengkapan.")


def test_withdraw_returns_the_plan_to_draft(client, agent, complete_plan):
    client.force_login(agent.user)
    client.post(reverse("plans:submit", args=[complete_plan.pk]))
    response = client.post(reverse("plans:withdraw", args=[complete_plan.pk]), follow=True)
    complete_plan.refresh_from_db()
    assert complete_plan.state == PlanState.DRAFT
    assert messages_of(response) == [
        "Rencana sudah diajukan ke Biro Organisasi.",
        "Pengajuan rencana sudah ditarik; Anda dapat mengubahnya lagi.",
    ]


def test_head_endorses_and_the_agent_can_then_submit(client, agent, head, complete_plan):
    complete_plan.cycle.head_endorsement_required = True
    complete_plan.cycle.save()
    client.force_login(agent.user)
    refused = client.post(reverse("plans:submit", args=[complete_plan.pk]), follow=True)
    assert messages_of(refused) == [
        "Rencana harus diketahui kepala perangkat daerah sebelum diajukan."
    ]
    client.force_login(head)
    page = client.get(reverse("plans:detail", args=[complete_plan.pk]))
    assert page.context["actions"] == {
        "edit": False,
        "submit": False,
        "withdraw": False,
        "endorse": True,
    }
    endorsed = client.post(reverse("plans:endorse", args=[complete_plan.pk]), follow=True)
    assert messages_of(endorsed) == ["Rencana sudah Anda ketahui (mengetahui)."]
    assert endorsed.context["actions"]["endorse"] is False
    client.force_login(agent.user)
    client.post(reverse("plans:submit", args=[complete_plan.pk]))
    complete_plan.refresh_from_db()
    assert complete_plan.state == PlanState.SUBMITTED


def test_actions_are_post_only(client, agent, complete_plan):
    client.force_login(agent.user)
    for name in ("plans:submit", "plans:withdraw", "plans:endorse"):
        assert client.get(reverse(name, args=[complete_plan.pk])).status_code == 405


def test_history_hides_reviewer_names_from_the_agent_when_the_cycle_says_so(
    client, agent, complete_plan, coordinator
):

    reviewer = user_with_role(Role.REVIEWER, name="Dr. Rahasia, M.Si.")
    submit_plan(complete_plan, by=agent.user)
    assign_reviewers(complete_plan, reviewers=[reviewer], by=coordinator)

    record_activity(actor=reviewer, action="review.submit", obj=complete_plan)
    client.force_login(agent.user)
    history = client.get(reverse("plans:detail", args=[complete_plan.pk])).context["history"]
    assert [(e.action, e.actor_name) for e in history] == [
        ("plan.submit", agent.user.name),
        ("assignment.create", coordinator.name),
        ("plan.start_review", coordinator.name),
        ("review.submit", "Reviewer"),
    ]
    client.force_login(coordinator)
    history = client.get(reverse("plans:detail", args=[complete_plan.pk])).context["history"]
    assert history[-1].actor_name == "Dr. Rahasia, M.Si."
    assert ReviewAssignment.objects.filter(plan=complete_plan).count() == 1


@pytest.mark.parametrize("activities", [3, 12])
def test_detail_query_count_does_not_grow(
    client, agent, complete_plan, activities, django_assert_num_queries
):
    for _ in range(activities - 3):
        ActivityFactory(plan=complete_plan)
        TargetFactory(plan=complete_plan)
    client.force_login(agent.user)
    # 16: one of them the plan's links to plans of other agencies (kolaborasi, replikasi).
    with django_assert_num_queries(16):
        response = client.get(reverse("plans:detail", args=[complete_plan.pk]))
    assert len(response.context["plan"].activities.all()) == activities


def test_plan_list_filters_by_the_week_of_submission(client, coordinator, cycle):
    """The dashboard's "submissions per week" bars land on that week's plans (WITA weeks)."""
    monday = dt.date(2026, 11, 9)
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    in_week = PlanFactory(cycle=cycle, title="Diajukan Senin pagi")
    last_minute = PlanFactory(cycle=cycle, title="Diajukan Minggu malam")
    next_week = PlanFactory(cycle=cycle, title="Diajukan minggu berikutnya")
    for plan, moment in (
        (in_week, start + dt.timedelta(hours=8)),
        (last_minute, start + dt.timedelta(days=7, seconds=-1)),
        (next_week, start + dt.timedelta(days=7)),
    ):
        PlanVersion.objects.create(
            plan=plan, number=1, snapshot={}, created_by=plan.owner.user, created_at=moment
        )
    client.force_login(coordinator)
    response = client.get(
        reverse("plans:list"), {"cycle": cycle.code, "submitted_week": "2026-11-09"}
    )
    assert response.status_code == 200
    titles = sorted(p.title for p in response.context["page"].object_list)
    assert titles == ["Diajukan Minggu malam", "Diajukan Senin pagi"]


def test_member_plan_ids_are_the_agents_own_and_team_plans(agent, cycle):
    own = PlanFactory(cycle=cycle, owner=agent)
    team = PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agent.agency))
    team.co_agents.add(agent)
    PlanFactory(cycle=cycle, owner=AgentFactory(user__agency=agent.agency))  # a colleague's
    for who in (agent, agent.pk):
        found = ActionPlan.objects.filter(pk__in=member_plan_ids(who))
        assert sorted(found.values_list("pk", flat=True)) == sorted([own.pk, team.pk])
