"""Conflicts only where there is one: two people (or two tabs) editing different sections
save without a conflict screen; the same section changed by both shows it, with nothing
chosen for the user, a merge that keeps the common text once, and the overwritten text
kept in the plan's history and restorable."""

import re

import pytest
from django.urls import reverse

from agents.models import ActivityLog
from plans.models import ActionPlan, Activity
from plans.services import editing
from tests.factories import ActivityFactory, AgentFactory

from .test_editor import autosave_url, edit_url, page_data

pytestmark = pytest.mark.django_db


def opened(client, plan) -> dict:
    """The editor as a browser opened it: every field, the version and the fingerprints."""
    response = client.get(edit_url(plan))
    data = page_data(response)
    data.update({f"base-{key}": value for key, value in response.context["bases"].items()})
    return data


def colleague_saves(plan, by, section, values):
    """A team member saves one section from a page opened now."""
    plan = ActionPlan.objects.get(pk=plan.pk)
    return editing.save_plan_sections(
        plan,
        data={section: values},
        based_on=plan.lock_version,
        bases={section: editing.section_fingerprint(plan, section)},
        by=by,
    )


@pytest.fixture
def team(client, agent, draft_plan):
    """The agent's editor open in the browser, and a co-agent of the plan."""
    co_agent = AgentFactory(user__agency=agent.agency)
    draft_plan.co_agents.add(co_agent)
    client.force_login(agent.user)
    return client, draft_plan, co_agent.user


PROBLEM = {"strategic_issue": "", "baseline_data": "", "root_cause": ""}
RISKS = {"stakeholders": "", "risks": "", "mitigation": ""}


def test_autosave_of_a_section_nobody_else_changed_is_saved_though_the_plan_moved_on(team):
    client, plan, colleague = team
    page = opened(client, plan)
    colleague_saves(plan, colleague, "risks", RISKS | {"risks": "Risiko dari rekan."})
    response = client.post(
        autosave_url(plan, "problem"),
        page | {"root_cause": "Akar masalah saya."},
        HTTP_HX_REQUEST="true",
    )
    assert "HX-Retarget" not in response
    html = response.content.decode()
    assert "Tersimpan" in html
    plan.refresh_from_db()
    assert (plan.root_cause, plan.risks) == ("Akar masalah saya.", "Risiko dari rekan.")
    # The page learns the new fingerprint of the section it saved.
    fingerprint = editing.section_fingerprint(plan, "problem")
    assert re.search(rf'name="base-problem"\s+id="id_base-problem"\s+value="{fingerprint}"', html)


def test_two_tabs_saving_different_sections_in_turn_never_conflict(team):
    client, plan, _colleague = team
    first, second = opened(client, plan), opened(client, plan)
    for i in range(3):
        for tab, section, field in ((first, "problem", "root_cause"), (second, "risks", "risks")):
            response = client.post(
                autosave_url(plan, section), tab | {field: f"Tulisan {i}"}, HTTP_HX_REQUEST="true"
            )
            assert "HX-Retarget" not in response, (i, section)
            tab[f"base-{section}"] = response.context["bases"][section]
            tab[field] = f"Tulisan {i}"
    plan.refresh_from_db()
    assert (plan.root_cause, plan.risks) == ("Tulisan 2", "Tulisan 2")


def test_autosave_of_a_section_changed_by_both_shows_the_conflict(team):
    client, plan, colleague = team
    page = opened(client, plan)
    colleague_saves(plan, colleague, "problem", PROBLEM | {"root_cause": "Teks rekan."})
    response = client.post(
        autosave_url(plan, "problem"),
        page | {"root_cause": "Teks saya."},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Retarget"] == "#main"
    assert [e["section"] for e in response.context["entries"]] == ["problem"]
    plan.refresh_from_db()
    assert plan.root_cause == "Teks rekan."


def test_rows_added_by_a_colleague_are_kept_when_i_edit_another_section(team):
    client, plan, colleague = team
    page = opened(client, plan)
    start = plan.cycle.implementation_start
    row = {
        "title": "Rapat koordinasi",
        "output": "Notulen",
        "start_month": start,
        "end_month": start,
        "responsible": "Sekretaris",
        "budget": None,
    }
    colleague_saves(plan, colleague, "activities", [row])
    response = client.post(
        autosave_url(plan, "identity"), page | {"title": "Judul baru"}, HTTP_HX_REQUEST="true"
    )
    assert "HX-Retarget" not in response
    assert list(Activity.objects.filter(plan=plan).values_list("title", flat=True)) == [
        "Rapat koordinasi"
    ]


def test_whole_page_post_keeps_a_colleagues_section_and_conflicts_only_where_both_wrote(team):
    client, plan, colleague = team
    ActivityFactory(plan=plan, title="Kegiatan awal")
    page = opened(client, plan)
    colleague_saves(plan, colleague, "risks", RISKS | {"risks": "Risiko dari rekan."})
    colleague_saves(plan, colleague, "impact", {"impact_internal": "Dampak rekan."})
    response = client.post(
        edit_url(plan),
        page | {"impact_internal": "Dampak saya.", "root_cause": "Akar masalah saya."},
    )
    assert response.status_code == 200
    assert [e["section"] for e in response.context["entries"]] == ["impact"]
    plan.refresh_from_db()
    # Mine where only I wrote, theirs where only they wrote, theirs until I choose.
    assert plan.root_cause == "Akar masalah saya."
    assert plan.risks == "Risiko dari rekan."
    assert plan.impact_internal == "Dampak rekan."
    assert list(plan.activities.values_list("title", flat=True)) == ["Kegiatan awal"]


def test_the_same_change_made_by_both_is_no_conflict(team):
    client, plan, colleague = team
    page = opened(client, plan)
    colleague_saves(plan, colleague, "problem", PROBLEM | {"root_cause": "Sama."})
    response = client.post(
        autosave_url(plan, "problem"), page | {"root_cause": "Sama."}, HTTP_HX_REQUEST="true"
    )
    assert "HX-Retarget" not in response


def conflict_screen(client, plan, colleague, mine: str, theirs: str):
    page = opened(client, plan)
    colleague_saves(plan, colleague, "problem", PROBLEM | {"root_cause": theirs})
    return client.post(autosave_url(plan, "problem"), page | {"root_cause": mine})


def test_the_conflict_screen_preselects_no_choice_and_refuses_a_save_without_one(team):
    client, plan, colleague = team
    response = conflict_screen(client, plan, colleague, "Teks saya.", "Teks rekan.")
    html = response.content.decode()
    radios = re.findall(r'<input type="radio"[^>]*>', html)
    assert len(radios) == 3
    assert not [r for r in radios if "checked" in r]
    form = {
        "lock_version": str(response.context["based_on"]),
        "sections": ["problem"],
        "base-problem": response.context["bases"]["problem"],
        **PROBLEM,
        "root_cause": "Teks saya.",
    }
    refused = client.post(reverse("plans:resolve", args=[plan.pk]), form)
    assert refused.status_code == 200
    assert "Pilih teks yang dipakai untuk setiap bagian." in refused.content.decode()
    plan.refresh_from_db()
    assert plan.root_cause == "Teks rekan."
    url = reverse("plans:resolve", args=[plan.pk])
    chosen = client.post(url, form | {"choice-problem": "mine"})
    assert chosen.status_code == 302
    plan.refresh_from_db()
    assert plan.root_cause == "Teks saya."


def test_the_merge_box_holds_the_common_text_once(team):
    client, plan, colleague = team
    common = "Izin praktik diproses manual selama 14 hari kerja."
    response = conflict_screen(
        client,
        plan,
        colleague,
        f"{common} Berkas menumpuk di loket.",
        f"{common} Data 1.240 berkas pada 2025.",
    )
    [field] = [f for f in response.context["entries"][0]["fields"] if f["name"] == "root_cause"]
    assert field["merged"] == f"{common} Data 1.240 berkas pada 2025. Berkas menumpuk di loket."
    assert field["merged"].count(common) == 1


def test_the_text_a_resolved_conflict_overwrote_is_kept_in_the_plans_history(team):
    client, plan, colleague = team
    response = conflict_screen(client, plan, colleague, "Teks saya.", "Teks rekan.")
    form = {
        "lock_version": str(response.context["based_on"]),
        "sections": ["problem"],
        "base-problem": response.context["bases"]["problem"],
        "choice-problem": "mine",
        **PROBLEM,
        "root_cause": "Teks saya.",
    }
    client.post(reverse("plans:resolve", args=[plan.pk]), form)
    plan.refresh_from_db()
    assert plan.root_cause == "Teks saya."
    entry = ActivityLog.objects.filter(action="plan.edit", actor=plan.owner.user).latest("id")
    assert entry.data["overwritten"]["problem"]["root_cause"] == "Teks rekan."
    # An ordinary save keeps no copy.
    assert not ActivityLog.objects.filter(
        action="plan.edit", actor=colleague, data__has_key="overwritten"
    ).exists()
