"""Cycle management and rubrics (coordinator)."""

import datetime as dt

import pytest
from django.urls import reverse

from assessment.models import Criterion, CriterionScore, Rubric
from assessment.services import (
    PlanError,
    assign_reviewers,
    clone_cycle,
    save_review,
    save_rubric,
    submit_review,
    update_cycle,
)
from plans.models import Cycle
from tests.factories import CycleFactory, add_rubric, wita


def cycle_post(**overrides):
    data = {
        "name": "Assessment Agen Perubahan 2027",
        "code": "assessment-2027",
        "year": "2027",
        "description": "",
        "drafting_opens": "2027-01-04T08:00",
        "submission_deadline": "2027-02-26T23:59",
        "review_starts": "2027-03-01",
        "review_ends": "2027-03-31",
        "revision_deadline": "",
        "decision_date": "2027-04-09",
        "implementation_start": "2027-05-01",
        "implementation_end": "2027-12-31",
        "reviewers_per_plan": "2",
        "disagreement_levels": "2",
        "disagreement_points": "20",
        "reviewer_anonymity": "on",
        "min_activities": "3",
        "min_targets": "2",
        "score_method": "mean",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_a_cycle_with_a_copy_of_the_default_rubric(client, coordinator):
    template = add_rubric(CycleFactory())  # then detach: the template has no cycle
    template.cycle = None
    template.save(update_fields=["cycle"])
    client.force_login(coordinator)
    response = client.post(reverse("assessment:cycle_create"), cycle_post())
    assert response.status_code == 302
    cycle = Cycle.objects.get(code="assessment-2027")
    assert (cycle.year, cycle.reviewers_per_plan, cycle.reviewer_anonymity) == (2027, 2, True)
    assert cycle.submission_deadline == wita(2027, 2, 26, 23, 59)
    rubric = Rubric.objects.get(cycle=cycle)
    assert list(rubric.criteria.values_list("code", "weight")) == [
        ("K1", 15),
        ("K2", 20),
        ("K3", 20),
        ("K4", 15),
        ("K5", 15),
        ("K6", 15),
    ]


def test_cycle_dates_out_of_order_get_a_message_on_the_field(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("assessment:cycle_create"),
        cycle_post(submission_deadline="2027-01-01T08:00", review_ends="2027-02-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "submission_deadline": ["Batas pengajuan harus setelah dibuka."],
        "review_ends": ["Penilaian berakhir tidak boleh sebelum penilaian dimulai."],
    }
    assert not Cycle.objects.filter(code="assessment-2027").exists()


def test_coordinator_edits_the_cycle_settings(client, coordinator, cycle):
    client.force_login(coordinator)
    data = cycle_post(code=cycle.code, name=cycle.name, year=str(cycle.year))
    data.pop("reviewer_anonymity")
    data["reviewers_per_plan"] = "3"
    data["head_endorsement_required"] = "on"
    response = client.post(f"{reverse('assessment:cycle_edit')}?cycle={cycle.code}", data)
    assert (response.status_code, response.url) == (302, reverse("assessment:cycles"))
    cycle.refresh_from_db()
    assert (
        cycle.reviewers_per_plan,
        cycle.reviewer_anonymity,
        cycle.head_endorsement_required,
    ) == (
        3,
        False,
        True,
    )


def test_coordinator_sets_the_disagreement_thresholds_and_the_clone_keeps_them(
    client, coordinator, cycle
):
    client.force_login(coordinator)
    url = f"{reverse('assessment:cycle_edit')}?cycle={cycle.code}"
    form = client.get(url).context["form"]
    assert (form["disagreement_levels"].value(), form["disagreement_points"].value()) == (2, 20)
    data = cycle_post(code=cycle.code, name=cycle.name, year=str(cycle.year))
    data.update(disagreement_levels="3", disagreement_points="15")

    response = client.post(url, data)

    assert (response.status_code, response.url) == (302, reverse("assessment:cycles"))
    cycle.refresh_from_db()
    assert (cycle.disagreement_levels, cycle.disagreement_points) == (3, 15)
    clone = clone_cycle(cycle, by=coordinator)
    assert (clone.disagreement_levels, clone.disagreement_points) == (3, 15)


def test_disagreement_thresholds_out_of_range_get_a_message_on_the_field(
    client, coordinator, cycle
):
    client.force_login(coordinator)
    data = cycle_post(code=cycle.code, name=cycle.name, year=str(cycle.year))
    data.update(disagreement_levels="5", disagreement_points="0")

    response = client.post(f"{reverse('assessment:cycle_edit')}?cycle={cycle.code}", data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "disagreement_levels": ["Isi 1 sampai 4."],
        "disagreement_points": ["Isi 1 sampai 100."],
    }
    cycle.refresh_from_db()
    assert (cycle.disagreement_levels, cycle.disagreement_points) == (2, 20)


def test_disagreement_thresholds_are_frozen_once_a_review_is_submitted(
    cycle, coordinator, submitted, pool, levels_all
):
    plan = submitted()
    (reviewer,) = pool(1)
    (assignment,) = assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    draft = save_review(assignment, levels=levels_all(3), by=reviewer)
    # A draft review flags nothing yet: the thresholds may still change.
    update_cycle(cycle, {"disagreement_points": 25}, by=coordinator)
    submit_review(draft, by=reviewer)

    with pytest.raises(PlanError) as error:
        update_cycle(cycle, {"disagreement_points": 30, "min_targets": 4}, by=coordinator)

    assert (error.value.code, error.value.field, str(error.value)) == (
        "frozen",
        "disagreement_points",
        "Ambang beda penilaian tidak dapat diubah setelah ada penilaian yang dikirim.",
    )
    stored = Cycle.objects.get(pk=cycle.pk)
    assert (stored.disagreement_points, stored.min_targets) == (25, cycle.min_targets)
    update_cycle(cycle, {"min_targets": 4}, by=coordinator)  # other settings still may
    assert Cycle.objects.get(pk=cycle.pk).min_targets == 4


def test_clone_makes_next_years_cycle_with_its_rubric(coordinator):
    source = CycleFactory(
        name="Assessment Agen Perubahan 2024",
        code="assessment-2024",
        year=2024,
        drafting_opens=wita(2024, 1, 2, 8, 0),
        submission_deadline=wita(2024, 2, 29, 23, 59),
        review_starts=dt.date(2024, 3, 1),
        review_ends=dt.date(2024, 3, 31),
        decision_date=dt.date(2024, 4, 10),
        implementation_start=dt.date(2024, 5, 1),
        implementation_end=dt.date(2024, 12, 31),
    )
    add_rubric(source, weights=(50, 50))
    clone = clone_cycle(source, by=coordinator)
    assert (clone.name, clone.code, clone.year) == (
        "Assessment Agen Perubahan 2025",
        "assessment-2025",
        2025,
    )
    assert clone.submission_deadline == wita(2025, 2, 28, 23, 59)
    assert clone.review_starts == dt.date(2025, 3, 1)
    assert list(Criterion.objects.filter(rubric__cycle=clone).values_list("code", "weight")) == [
        ("K1", 50),
        ("K2", 50),
    ]
    assert Criterion.objects.filter(rubric__cycle=clone).first().levels.count() == 5
    with pytest.raises(PlanError) as error:
        clone_cycle(source, by=coordinator)
    assert error.value.code == "duplicate"


def rubric_post(weights, prefix="criteria"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(weights)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for i, weight in enumerate(weights):
        data.update(
            {
                f"{prefix}-{i}-code": f"C{i + 1}",
                f"{prefix}-{i}-name": f"Kriteria {i + 1}",
                f"{prefix}-{i}-weight": str(weight),
                f"{prefix}-{i}-guidance": "",
                **{f"{prefix}-{i}-level_{lvl}": f"Deskripsi {lvl}" for lvl in range(1, 6)},
            }
        )
    return data


def test_rubric_weights_must_sum_to_100_with_a_clear_message(client, coordinator, cycle):
    client.force_login(coordinator)
    url = f"{reverse('assessment:rubric')}?cycle={cycle.code}"
    response = client.post(url, rubric_post([40, 40]))
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "Jumlah bobot semua kriteria harus 100; sekarang 80."
    ]
    response = client.post(url, rubric_post([40, 60]))
    assert response.status_code == 302
    assert list(
        Criterion.objects.filter(rubric__cycle=cycle).values_list("code", "weight", "order")
    ) == [("C1", 40, 1), ("C2", 60, 2)]


def test_a_rubric_used_by_a_review_is_frozen(cycle, coordinator, submitted, pool, levels_all):
    plan = submitted()
    (reviewer,) = pool(1)
    (assignment,) = assign_reviewers(plan, reviewers=[reviewer], by=coordinator)
    save_review(assignment, levels=levels_all(3), by=reviewer)
    assert CriterionScore.objects.count() == 6
    criteria = [{"code": "A", "name": "A", "weight": 100, "levels": {i: "x" for i in range(1, 6)}}]
    with pytest.raises(PlanError) as error:
        save_rubric(cycle, criteria=criteria, by=coordinator)
    assert error.value.code == "frozen"


def test_save_rubric_needs_five_descriptors(cycle, coordinator):
    criteria = [{"code": "A", "name": "A", "weight": 100, "levels": {1: "x", 2: "y"}}]
    with pytest.raises(PlanError) as error:
        save_rubric(cycle, criteria=criteria, by=coordinator)
    assert str(error.value) == "Kriteria A: isi deskripsi tingkat 3, 4, 5."


def test_rubric_page_keeps_unchanged_criteria_and_deletes_marked_ones(client, coordinator, cycle):
    client.force_login(coordinator)
    url = f"{reverse('assessment:rubric')}?cycle={cycle.code}"
    formset = client.get(url).context["formset"]
    data = {
        "criteria-TOTAL_FORMS": "7",
        "criteria-INITIAL_FORMS": "6",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "20",
    }
    for i, form in enumerate(formset.forms[:6]):
        for name, value in form.initial.items():
            data[f"criteria-{i}-{name}"] = value
    data["criteria-5-DELETE"] = "on"  # K6 (15) goes; K1 becomes 30
    data["criteria-0-weight"] = "30"
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(Criterion.objects.filter(rubric__cycle=cycle).values_list("code", "weight")) == [
        ("K1", 30),
        ("K2", 20),
        ("K3", 20),
        ("K4", 15),
        ("K5", 15),
    ]


@pytest.mark.parametrize("claimed", [21, 1000, 10**9])
def test_a_rubric_post_claiming_too_many_criteria_is_refused_on_the_formset(
    client, coordinator, cycle, claimed
):
    """`criteria-TOTAL_FORMS=1000` builds no thousand forms: at most 20, then an error."""
    client.force_login(coordinator)
    before = list(Criterion.objects.filter(rubric__cycle=cycle).values_list("code", "weight"))
    url = f"{reverse('assessment:rubric')}?cycle={cycle.code}"
    data = rubric_post([5] * 20)
    data["criteria-TOTAL_FORMS"] = str(claimed)
    response = client.post(url, data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 20
    assert formset.non_form_errors() == ["Paling banyak 20 kriteria."]
    assert "Paling banyak 20 kriteria." in response.content.decode()
    after = list(Criterion.objects.filter(rubric__cycle=cycle).values_list("code", "weight"))
    assert after == before


def test_a_rubric_of_twenty_criteria_is_accepted(client, coordinator, cycle):
    client.force_login(coordinator)
    url = f"{reverse('assessment:rubric')}?cycle={cycle.code}"
    response = client.post(url, rubric_post([5] * 20))
    assert response.status_code == 302
    assert Criterion.objects.filter(rubric__cycle=cycle).count() == 20
