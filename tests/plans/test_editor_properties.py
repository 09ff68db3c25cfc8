"""Property tests of the editor's forms: arbitrary text, numbers and dates in every field
give either a saved section or errors on the fields, never a 500, never a lost section."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.models import ActionPlan, Activity, Target

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

texts = st.text(max_size=400)
numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats().map(str),
    st.text(max_size=16),
    st.just(""),
)
dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.text(max_size=12),
    st.just(""),
)
# A row id as a browser could post it: any integer the database can compare with a key
# (a signed 64-bit column on SQLite and PostgreSQL alike), or stray text.
row_ids = st.integers(min_value=-(2**63), max_value=2**63 - 1)
months = st.one_of(
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}"),
    st.text(max_size=10),
    st.just(""),
)


def autosave(client, plan, section, data):
    url = reverse("plans:autosave", args=[plan.pk]) + f"?bagian={section}"
    plan.refresh_from_db()
    return client.post(
        url, {"lock_version": str(plan.lock_version), **data}, HTTP_HX_REQUEST="true"
    )


def refused(response) -> bool:
    return "Belum tersimpan" in response.content.decode()


@pytest.fixture
def editing(client, agent, draft_plan):
    ActionPlan.objects.filter(pk=draft_plan.pk).update(mitigation="Bagian lain yang tersimpan")
    client.force_login(agent.user)
    return client, draft_plan


@SETTINGS
@given(strategic_issue=texts, baseline_data=texts, root_cause=texts)
def test_problem_section_saves_or_names_the_field(
    editing, strategic_issue, baseline_data, root_cause
):
    client, plan = editing
    plan.refresh_from_db()
    before = (plan.strategic_issue, plan.baseline_data, plan.root_cause)
    data = {
        "strategic_issue": strategic_issue,
        "baseline_data": baseline_data,
        "root_cause": root_cause,
    }
    response = autosave(client, plan, "problem", data)
    assert response.status_code == 200
    plan.refresh_from_db()
    after = (plan.strategic_issue, plan.baseline_data, plan.root_cause)
    if refused(response):
        assert after == before
        assert 'data-invalid="id_' in response.content.decode()
    else:
        assert after == (strategic_issue.strip(), baseline_data.strip(), root_cause.strip())
    assert plan.mitigation == "Bagian lain yang tersimpan"


@SETTINGS
@given(title=st.text(max_size=300))
def test_title_saves_or_names_the_field(editing, title):
    client, plan = editing
    plan.refresh_from_db()
    before = plan.title
    response = autosave(client, plan, "identity", {"title": title})
    assert response.status_code == 200
    plan.refresh_from_db()
    if refused(response):
        assert plan.title == before
    else:
        assert plan.title == title.strip()
        assert 0 < len(plan.title) <= 255


@SETTINGS
@given(
    indicator=st.text(max_size=300),
    unit=st.text(max_size=80),
    baseline=numbers,
    target_value=numbers,
    due_date=dates,
    verification=texts,
)
def test_target_row_saves_or_names_the_field(
    editing, indicator, unit, baseline, target_value, due_date, verification
):
    client, plan = editing
    before = list(Target.objects.filter(plan=plan).values_list("pk", "indicator"))
    data = {
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-indicator": indicator,
        "targets-0-unit": unit,
        "targets-0-baseline": baseline,
        "targets-0-target_value": target_value,
        "targets-0-due_date": due_date,
        "targets-0-verification": verification,
    }
    response = autosave(client, plan, "targets", data)
    assert response.status_code == 200
    after = list(Target.objects.filter(plan=plan).values_list("pk", "indicator"))
    if refused(response):
        assert after == before
        assert 'data-invalid="id_targets-0-' in response.content.decode()
    else:
        # A row left entirely blank is skipped; any other row is saved whole.
        for target in Target.objects.filter(plan=plan):
            assert target.indicator == indicator.strip()
            assert (
                plan.cycle.implementation_start <= target.due_date <= plan.cycle.implementation_end
            )
        assert Target.objects.filter(plan=plan).count() == (1 if indicator.strip() else 0)
        Target.objects.filter(plan=plan).delete()
    plan.refresh_from_db()
    assert plan.mitigation == "Bagian lain yang tersimpan"


@SETTINGS
@given(
    title=st.text(max_size=300),
    start=months,
    end=months,
    budget=numbers,
    output=texts,
)
def test_activity_row_saves_or_names_the_field(editing, title, start, end, budget, output):
    client, plan = editing
    before = Activity.objects.filter(plan=plan).count()
    data = {
        "activities-TOTAL_FORMS": "1",
        "activities-INITIAL_FORMS": "0",
        "activities-0-title": title,
        "activities-0-output": output,
        "activities-0-start_month": start,
        "activities-0-end_month": end,
        "activities-0-budget": budget,
        "activities-0-responsible": "",
    }
    response = autosave(client, plan, "activities", data)
    assert response.status_code == 200
    if refused(response):
        assert Activity.objects.filter(plan=plan).count() == before
    else:
        # A row left entirely blank is skipped; any other row is saved whole.
        for activity in Activity.objects.filter(plan=plan):
            assert activity.title == title.strip()
            assert activity.start_month <= activity.end_month
            assert activity.budget is None or activity.budget >= 0
        assert Activity.objects.filter(plan=plan).count() == (1 if title.strip() else 0)
        Activity.objects.filter(plan=plan).delete()


@SETTINGS
@given(
    areas=st.lists(st.one_of(row_ids, st.text(max_size=6)), max_size=4),
    mission=st.one_of(row_ids, st.text(max_size=6)),
    notes=texts,
)
def test_alignment_with_arbitrary_choices_saves_or_names_the_field(editing, areas, mission, notes):
    client, plan = editing
    data = {
        "change_areas": [str(a) for a in areas],
        "core_values": [str(a) for a in areas],
        "governor_mission": str(mission),
        "alignment_notes": notes,
        "roadmap_link": "",
    }
    response = autosave(client, plan, "alignment", data)
    assert response.status_code == 200
    plan.refresh_from_db()
    if not refused(response):
        assert plan.alignment_notes == notes.strip()


@SETTINGS
@given(title=st.text(max_size=300), root_cause=texts, baseline=numbers, due_date=dates)
def test_whole_page_post_saves_or_shows_errors(editing, title, root_cause, baseline, due_date):
    client, plan = editing
    plan.refresh_from_db()
    data = {
        "lock_version": str(plan.lock_version),
        "title": title,
        "root_cause": root_cause,
        "activities-TOTAL_FORMS": "0",
        "activities-INITIAL_FORMS": "0",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-indicator": "Indikator",
        "targets-0-unit": "%",
        "targets-0-baseline": baseline,
        "targets-0-target_value": "10",
        "targets-0-due_date": due_date,
        "targets-0-verification": "Laporan",
        "mitigation": "Bagian lain yang tersimpan",
    }
    response = client.post(reverse("plans:edit", args=[plan.pk]), data)
    assert response.status_code in (200, 302)
    plan.refresh_from_db()
    if response.status_code == 302:
        assert plan.title == title.strip()
        assert plan.root_cause == root_cause.strip()
    else:
        # Errors are on their fields; the typed text is still on the page.
        forms = response.context["forms"]
        assert any(
            f.errors
            for f in forms.values()
            if hasattr(f, "errors") and not isinstance(f.errors, list)
        ) or any(any(row.errors for row in f.forms) for f in forms.values() if hasattr(f, "forms"))
    assert plan.mitigation == "Bagian lain yang tersimpan"
    Target.objects.filter(plan=plan).delete()
