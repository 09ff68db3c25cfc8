"""Reading through the API: the same rules and selectors as the pages (who sees which
plan, scores only after the decision, reviewers' names as the cycle says), the dashboard's
figures equal to the Sekda's page, ETags, filters and the token's scopes."""

import pytest
from django.urls import reverse

from agents.enums import Role
from assessment.enums import DecisionOutcome
from plans.enums import PlanState
from tests.factories import AgentFactory, PlanFactory, user_with_role
from tests.reports.scenario import PLAN_SCORE, reviewed_plan

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def decided():
    return reviewed_plan(anonymous=True, decide=True)


@pytest.fixture
def in_review():
    return reviewed_plan(anonymous=True, decide=False)


def test_the_plan_list_holds_the_plans_the_caller_may_open(api, decided):
    plan = decided.plan
    colleague = AgentFactory(user__agency=plan.agency).user
    PlanFactory(cycle=plan.cycle, owner=colleague.agent_profile)
    assert ids(api(decided.agent).get("/api/v1/plans/")) == [plan.pk]
    # A colleague's plan is not theirs to open: the pages list its title, the API not.
    assert plan.pk not in ids(api(colleague).get("/api/v1/plans/"))
    assert plan.pk in ids(api(decided.head).get("/api/v1/plans/"))
    everything = ids(api(decided.coordinator).get("/api/v1/plans/"))
    assert len(everything) == 2
    assert api(colleague).get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    assert api(user_with_role(Role.ADMIN)).get(f"/api/v1/plans/{plan.pk}/").status_code == 404


def test_filters_narrow_the_list_and_refuse_bad_values_on_the_field(api, decided):
    coordinator = api(decided.coordinator)
    other = PlanFactory()
    assert ids(coordinator.get("/api/v1/plans/", {"cycle": decided.cycle.code})) == [
        decided.plan.pk
    ]
    assert ids(coordinator.get("/api/v1/plans/", {"agency": other.agency_id})) == [other.pk]
    assert ids(coordinator.get("/api/v1/plans/", {"state": PlanState.DRAFT})) == [other.pk]
    bad = coordinator.get("/api/v1/plans/", {"state": "nope", "agency": "x"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert bad.json()["fields"] == {"agency": ["Isi dengan id perangkat daerah (angka)."]}
    english = coordinator.get("/api/v1/plans/", {"state": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["fields"] == {"state": ["Unknown plan state."]}


def test_cursor_pages_walk_every_plan_once(api, decided, settings):
    for _ in range(4):
        PlanFactory(cycle=decided.cycle)
    seen, url = [], "/api/v1/plans/?page_size=2"
    while url:
        body = api(decided.coordinator).get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == 5 and len(set(seen)) == 5 and seen == sorted(seen, reverse=True)


def test_a_score_is_never_shown_to_the_team_before_the_decision(api, in_review):
    plan, agent = in_review.plan, in_review.agent
    detail = api(agent).get(f"/api/v1/plans/{plan.pk}/").json()
    assert detail["state"] == PlanState.REVIEWED and detail["score"] is None
    assert api(agent).get("/api/v1/plans/").json()["results"][0]["score"] is None
    feedback = api(agent).get(f"/api/v1/plans/{plan.pk}/feedback/").json()
    assert feedback == {"decision": None, "reviews": []}
    assert api(in_review.head).get(f"/api/v1/plans/{plan.pk}/").json()["score"] is None
    # The Biro Organisasi sees it.
    assert api(in_review.coordinator).get(f"/api/v1/plans/{plan.pk}/").json()["score"] == str(
        PLAN_SCORE
    )


def test_after_the_decision_the_team_reads_the_feedback_without_reviewers_names(api, decided):
    plan = decided.plan
    body = api(decided.agent).get(f"/api/v1/plans/{plan.pk}/feedback/").json()
    assert body["decision"]["outcome"] == DecisionOutcome.APPROVE
    assert body["decision"]["score"] == str(PLAN_SCORE)
    assert [r["reviewer"] for r in body["reviews"]] == ["Reviewer 1", "Reviewer 2"]
    # (The scenario's comments name their author; the labels do not.) No confidential note.
    assert "RAHASIA-KOORDINATOR" not in str(body)
    named = api(decided.coordinator).get(f"/api/v1/plans/{plan.pk}/feedback/").json()
    assert [r["reviewer"] for r in named["reviews"]] == [
        "Budi Santoso, S.Sos.",
        "Citra Lestari, S.T.",
    ]
    assert api(decided.agent).get(f"/api/v1/plans/{plan.pk}/").json()["score"] == str(PLAN_SCORE)


def test_a_plans_detail_has_its_content_team_and_versions_and_an_etag(api, decided):
    caller = api(decided.agent)
    response = caller.get(f"/api/v1/plans/{decided.plan.pk}/")
    body = response.json()
    assert len(body["content"]["activities"]) == 10 and len(body["content"]["targets"]) == 5
    assert [c["code"] for c in body["content"]["change_areas"]] == ["TL"]
    assert body["versions"] == [{"number": 1, "created_at": body["versions"][0]["created_at"]}]
    assert body["team"][0]["name"] == decided.agent.name
    again = caller.get(f"/api/v1/plans/{decided.plan.pk}/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    assert (
        caller.get(f"/api/v1/plans/{decided.plan.pk}/", HTTP_IF_NONE_MATCH='"other"').status_code
        == 200
    )


def test_a_token_opens_only_its_areas(api, decided):
    reference_only = api(decided.coordinator, {"reference": "read"})
    assert reference_only.get("/api/v1/cycles/").status_code == 200
    refused = reference_only.get("/api/v1/plans/")
    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")
    assert refused.json()["message"] == "Token ini tidak membuka bagian API ini."


def test_the_dashboards_figures_are_the_sekdas_page(api, client, decided):
    leader = user_with_role(Role.LEADERSHIP)
    PlanFactory(cycle=decided.cycle)
    body = api(leader).get(f"/api/v1/cycles/{decided.cycle.pk}/dashboard/").json()
    client.force_login(leader)
    page = client.get(reverse("reports:dashboard"), {"cycle": decided.cycle.code})
    overview = page.context["overview"]
    headline = overview.headline
    assert body["headline"]["plans"] == headline.plans == 2
    for name in ("agencies", "agents", "submitted", "decided", "approved", "rejected"):
        assert body["headline"][name] == getattr(headline, name), name
    assert body["headline"]["submitted_pct"] == str(headline.submitted_pct)
    assert body["scores"]["mean_score"] == str(headline.mean_score) == str(PLAN_SCORE)
    assert [(t["key"], t["count"]) for t in body["states"]] == [
        (t.key, t.count) for t in overview.states
    ]
    assert [(t["key"], t["count"]) for t in body["funnel"]] == [
        (t.key, t.count) for t in overview.funnel
    ]
    assert {a["agency"]: a["plans"] for a in body["agencies"]} == {
        row.agency_id: row.plans for row in page.context["table"].object_list
    }


def test_an_agency_head_gets_their_agencys_figures_without_scores(api, decided):
    body = api(decided.head).get(f"/api/v1/cycles/{decided.cycle.pk}/dashboard/").json()
    assert body["agency"] == decided.plan.agency_id and body["scores"] is None
    assert [a["agency"] for a in body["agencies"]] == [decided.plan.agency_id]
    other = PlanFactory(cycle=decided.cycle).agency_id
    response = api(decided.head).get(
        f"/api/v1/cycles/{decided.cycle.pk}/dashboard/", {"agency": other}
    )
    assert response.status_code == 404


def test_a_nul_in_a_filter_is_refused_on_that_parameter_not_a_500(api, decided, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "RequestGuard" not in m]
    coordinator = api(decided.coordinator)
    bad = coordinator.get("/api/v1/plans/", {"q": "air\x00", "cycle": decided.cycle.code})
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["fields"]) == (
        "invalid",
        {"q": ["Karakter NUL tidak diperbolehkan."]},
    )
    english = coordinator.get("/api/v1/decisions/", {"x\x00": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["fields"] == {"x": ["A NUL character is not allowed."]}
