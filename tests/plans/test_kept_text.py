"""The text a resolved conflict replaced is shown to the plan's team in the plan's
history and put back from there (the text it then replaces is kept the same way); every
kind of field comes back as it was: text, choices, numbers, dates, reference lists and
the rows of activities and targets."""

import pytest
from django.urls import reverse

from agents.models import ActivityLog
from plans import sections
from plans.enums import PlanState
from plans.models import ActionPlan, GovernorMission
from plans.services import editing
from plans.services.common import PlanError
from tests.factories import AgentFactory, PlanFactory, complete_plan_content

from .test_editor_conflicts import PROBLEM, conflict_screen

pytestmark = pytest.mark.django_db


def resolve_mine(client, plan, response, mine):
    form = {
        "lock_version": str(response.context["based_on"]),
        "sections": ["problem"],
        "base-problem": response.context["bases"]["problem"],
        "choice-problem": "mine",
        **PROBLEM,
        "root_cause": mine,
    }
    assert client.post(reverse("plans:resolve", args=[plan.pk]), form).status_code == 302


@pytest.fixture
def resolved(client, agent, draft_plan):
    """The agent's text saved over a co-agent's ("Teks rekan.") on the conflict screen."""
    colleague = AgentFactory(user__agency=agent.agency)
    draft_plan.co_agents.add(colleague)
    client.force_login(agent.user)
    response = conflict_screen(client, draft_plan, colleague.user, "Teks saya.", "Teks rekan.")
    resolve_mine(client, draft_plan, response, "Teks saya.")
    entry = ActivityLog.objects.filter(action="plan.edit", data__has_key="overwritten").get()
    return draft_plan, colleague.user, entry


def test_the_team_sees_the_replaced_text_in_the_history_and_others_do_not(client, resolved, head):
    plan, colleague, _entry = resolved
    url = reverse("plans:detail", args=[plan.pk])
    for member in (plan.owner.user, colleague):
        client.force_login(member)
        html = client.get(url).content.decode()
        assert "Teks orang lain ditimpa saat menyelesaikan konflik" in html
        assert "Akar masalah" in html and "Teks rekan." in html
        assert "Pulihkan teks ini" in html
    client.force_login(head)
    html = client.get(url).content.decode()
    assert client.get(url).status_code == 200
    assert "Teks rekan." not in html and "Pulihkan teks ini" not in html


def test_the_team_restores_the_replaced_text_and_the_text_it_replaces_is_kept(client, resolved):
    plan, colleague, entry = resolved
    client.force_login(colleague)
    response = client.post(reverse("plans:restore_text", args=[plan.pk]), {"entry": entry.pk})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.root_cause == "Teks rekan."
    restored = ActivityLog.objects.filter(action="plan.edit").latest("id")
    assert restored.actor == colleague
    assert restored.data["restored_from"] == entry.pk
    assert restored.data["overwritten"]["problem"]["root_cause"] == "Teks saya."
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Teks yang ditimpa dipulihkan" in html and "Teks saya." in html
    # Restoring the restore goes back again.
    client.post(reverse("plans:restore_text", args=[plan.pk]), {"entry": restored.pk})
    plan.refresh_from_db()
    assert plan.root_cause == "Teks saya."


def test_restoring_is_refused_once_the_plan_is_handed_in_and_for_another_plans_entry(
    client, resolved, cycle
):
    plan, _colleague, entry = resolved
    client.force_login(plan.owner.user)
    ActionPlan.objects.filter(pk=plan.pk).update(state=PlanState.SUBMITTED)
    response = client.post(
        reverse("plans:restore_text", args=[plan.pk]), {"entry": entry.pk}, follow=True
    )
    assert "tidak dapat diubah" in response.content.decode()
    plan.refresh_from_db()
    assert plan.root_cause == "Teks saya."
    other = PlanFactory(cycle=cycle, agency=plan.agency)
    other.co_agents.add(plan.owner)  # a plan the agent may edit too
    url = reverse("plans:restore_text", args=[other.pk])
    assert client.post(url, {"entry": entry.pk}).status_code == 404
    assert client.post(url, {"entry": "x"}).status_code == 404


def test_every_kind_of_field_comes_back_as_it_was(agent, draft_plan):
    plan = complete_plan_content(draft_plan)
    plan.activities.update(responsible="Kepala Bidang", budget="12500000")
    mission = GovernorMission.objects.create(period="RPJMD 2024–2029", number=2, text="Misi")
    ActionPlan.objects.filter(pk=plan.pk).update(governor_mission=mission)
    keys = ["change", "alignment", "activities", "targets"]
    before = sections.freeze_content(ActionPlan.objects.get(pk=plan.pk))
    plan = ActionPlan.objects.get(pk=plan.pk)
    saved = editing.save_plan_sections(
        plan,
        data={
            "change": {"innovation": "Baru", "change_kind": "", "novelty": "Baru"},
            "alignment": {
                "change_areas": [],
                "core_values": [],
                "governor_mission": None,
                "alignment_notes": "",
                "roadmap_link": "",
            },
            "activities": [],
            "targets": [],
        },
        based_on=plan.lock_version,
        by=agent.user,
        keep_overwritten=True,
    )
    assert sorted(saved.sections) == sorted(keys)
    entry = ActivityLog.objects.filter(action="plan.edit").latest("id")
    editing.restore_overwritten(ActionPlan.objects.get(pk=plan.pk), entry=entry, by=agent.user)
    after = sections.freeze_content(ActionPlan.objects.get(pk=plan.pk))
    fields = [name for key in keys for name in sections.section(key).field_names()]
    assert {name: after[name] for name in fields} == {name: before[name] for name in fields}
    for rows in ("activities", "targets"):
        strip = [{k: v for k, v in row.items() if k != "order"} for row in after[rows]]
        assert strip == [{k: v for k, v in row.items() if k != "order"} for row in before[rows]]
        assert len(after[rows]) >= 1
    assert after["activities"][0]["budget"] == "12500000"
    assert before["governor_mission"] and before["change_areas"]


def test_an_entry_without_kept_text_restores_nothing(agent, draft_plan):
    editing.save_plan_sections(
        draft_plan,
        data={"problem": PROBLEM | {"root_cause": "Baru"}},
        based_on=draft_plan.lock_version,
        by=agent.user,
    )
    entry = ActivityLog.objects.filter(action="plan.edit").latest("id")
    with pytest.raises(PlanError) as refused:
        editing.restore_overwritten(draft_plan, entry=entry, by=agent.user)
    assert refused.value.code == "invalid"
