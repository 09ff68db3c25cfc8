"""The plans' denormalised alignment ids (`area_ids`, `value_ids`) follow the relations,
whichever way the relations change, and a stale plan object never writes them back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from plans.models import ActionPlan, ChangeArea, CoreValue
from plans.services.alignment import alignment_key, refresh_alignment
from tests.factories import PlanFactory


@pytest.fixture
def refs(db):
    areas = [ChangeArea.objects.create(code=f"A{i}", name=f"Area {i}") for i in range(3)]
    values = [CoreValue.objects.create(code=f"V{i}", name=f"Nilai {i}") for i in range(3)]
    return areas, values


def stored(plan) -> tuple[list[int], list[int]]:
    return ActionPlan.objects.values_list("area_ids", "value_ids").get(pk=plan.pk)


def expected(plan) -> tuple[list[int], list[int]]:
    return (
        alignment_key(plan.change_areas.values_list("pk", flat=True)),
        alignment_key(plan.core_values.values_list("pk", flat=True)),
    )


def test_key_is_sorted_without_repeats():
    assert alignment_key([7, 3, 7]) == [3, 7]
    assert alignment_key([]) == []


def test_ids_follow_every_change_from_the_plan_side(refs):
    (a0, a1, a2), (v0, v1, _v2) = refs
    plan = PlanFactory()
    assert stored(plan) == ([], [])
    plan.change_areas.add(a2, a0)
    assert stored(plan) == ([a0.pk, a2.pk], []) == (plan.area_ids, plan.value_ids)
    plan.core_values.set([v1, v0])
    plan.change_areas.remove(a0)
    assert stored(plan) == expected(plan) == ([a2.pk], [v0.pk, v1.pk])
    plan.change_areas.set([a1])
    plan.core_values.clear()
    assert stored(plan) == expected(plan) == ([a1.pk], [])


def test_ids_follow_changes_from_the_area_and_value_side(refs):
    (a0, _a1, _a2), (v0, _v1, _v2) = refs
    plans = [PlanFactory() for _ in range(3)]
    a0.plans.add(*plans)
    v0.plans.add(plans[0])
    assert [stored(p) for p in plans] == [expected(p) for p in plans]
    assert stored(plans[1]) == ([a0.pk], [])
    a0.plans.remove(plans[1])
    assert stored(plans[1]) == ([], [])
    a0.plans.clear()
    v0.plans.clear()
    assert [stored(p) for p in plans] == [([], [])] * 3


def test_a_stale_plan_object_does_not_write_its_old_ids_back(refs):
    (a0, _a1, _a2), _values = refs
    plan = PlanFactory()
    stale = ActionPlan.objects.get(pk=plan.pk)  # loaded before the change
    plan.change_areas.add(a0)
    stale.title = "Judul baru"
    stale.save()
    assert stored(plan) == ([a0.pk], [])
    assert ActionPlan.objects.get(pk=plan.pk).title == "Judul baru"


def test_refresh_mends_links_written_without_signals(refs):
    (a0, a1, _a2), (v0, _v1, _v2) = refs
    plan = PlanFactory()
    ActionPlan.change_areas.through.objects.bulk_create(
        [
            ActionPlan.change_areas.through(actionplan_id=plan.pk, changearea_id=a.pk)
            for a in (a1, a0)
        ]
    )
    ActionPlan.core_values.through.objects.create(actionplan_id=plan.pk, corevalue_id=v0.pk)
    assert stored(plan) == ([], [])  # bulk inserts send no signal
    assert refresh_alignment([plan.pk]) == {plan.pk: expected(plan)}
    assert stored(plan) == expected(plan)


def test_contains_finds_the_plans_holding_every_given_id(refs):
    (a0, a1, a2), _values = refs
    both, first, neither = PlanFactory(), PlanFactory(), PlanFactory()
    both.change_areas.add(a0, a1)
    first.change_areas.add(a0)
    neither.change_areas.add(a2)

    def found(ids) -> set[int]:
        return set(ActionPlan.objects.filter(area_ids__contains=ids).values_list("pk", flat=True))

    assert found([a0.pk]) == {both.pk, first.pk}
    assert found([a1.pk, a0.pk]) == {both.pk}
    assert found([a0.pk, a2.pk]) == set()
    assert found([]) == {both.pk, first.pk, neither.pk}


@pytest.mark.django_db(transaction=True)
def test_migration_turns_delimited_strings_into_id_lists_and_back(refs):
    (a0, a1, _a2), _values = refs
    kept, empty, written = PlanFactory(), PlanFactory(), PlanFactory()
    kept.change_areas.add(a1, a0)
    executor = MigrationExecutor(connection)
    executor.migrate([("plans", "0005_bounded_text")])  # back: lists become "|…|" text
    try:
        assert raw_ids(kept, empty) == [(f"|{a0.pk}|{a1.pk}|", "|"), ("|", "|")]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE plans_actionplan SET area_ids = %s, value_ids = %s WHERE id = %s",
                ["|3|12|", "|5|", written.pk],
            )
        executor = MigrationExecutor(connection)
        executor.migrate([("plans", "0007_alignment_ids_as_arrays")])
        assert [stored(plan) for plan in (kept, empty, written)] == [
            ([a0.pk, a1.pk], []),
            ([], []),
            ([3, 12], [5]),
        ]
    finally:
        # Every later migration back, so the next tests see the current schema.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def raw_ids(*plans) -> list[tuple[str, str]]:
    """The columns as the database holds them, without the field's conversion."""
    with connection.cursor() as cursor:
        rows = []
        for plan in plans:
            sql = "SELECT area_ids, value_ids FROM plans_actionplan WHERE id = %s"
            cursor.execute(sql, [plan.pk])
            rows.append(tuple(cursor.fetchone()))
        return rows
