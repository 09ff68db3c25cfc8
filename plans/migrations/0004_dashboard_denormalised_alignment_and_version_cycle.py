"""The dashboard reads coverage and submissions per week without joins: the plans carry
their alignment ids, the versions their cycle. Both are filled here from the relations."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

BATCH = 2000


def _key(ids) -> str:
    return "|" + "".join(f"{pk}|" for pk in sorted(set(ids)))


def fill_alignment(apps, schema_editor):
    ActionPlan = apps.get_model("plans", "ActionPlan")
    areas_through = ActionPlan.change_areas.through
    values_through = ActionPlan.core_values.through
    ids = list(ActionPlan.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        areas, values = defaultdict(list), defaultdict(list)
        for plan_id, area_id in areas_through.objects.filter(actionplan_id__in=chunk).values_list(
            "actionplan_id", "changearea_id"
        ):
            areas[plan_id].append(area_id)
        for plan_id, value_id in values_through.objects.filter(actionplan_id__in=chunk).values_list(
            "actionplan_id", "corevalue_id"
        ):
            values[plan_id].append(value_id)
        plans = [
            ActionPlan(pk=pk, area_ids=_key(areas[pk]), value_ids=_key(values[pk])) for pk in chunk
        ]
        ActionPlan.objects.bulk_update(plans, ["area_ids", "value_ids"], batch_size=500)


def fill_version_cycle(apps, schema_editor):
    PlanVersion = apps.get_model("plans", "PlanVersion")
    ActionPlan = apps.get_model("plans", "ActionPlan")
    PlanVersion.objects.filter(cycle__isnull=True).update(
        cycle_id=Subquery(ActionPlan.objects.filter(pk=OuterRef("plan_id")).values("cycle_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_dashboard_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionplan",
            name="area_ids",
            field=models.CharField(default="|", editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="actionplan",
            name="value_ids",
            field=models.CharField(default="|", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_alignment, migrations.RunPython.noop, elidable=True),
        # The figures' covering index carries the alignment ids too (index-only coverage).
        migrations.RemoveIndex(model_name="actionplan", name="plan_cycle_agency_figures"),
        migrations.AddIndex(
            model_name="actionplan",
            index=models.Index(
                fields=["cycle", "agency"],
                include=(
                    "id",
                    "state",
                    "score",
                    "review_flagged",
                    "submission_extended_until",
                    "area_ids",
                    "value_ids",
                ),
                name="plan_cycle_agency_figures",
            ),
        ),
        migrations.AddField(
            model_name="planversion",
            name="cycle",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="plans.cycle",
            ),
        ),
        migrations.RunPython(fill_version_cycle, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="planversion",
            name="cycle",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="plans.cycle",
            ),
        ),
        migrations.AddIndex(
            model_name="planversion",
            index=models.Index(
                fields=["cycle", "created_at"],
                include=("number",),
                name="planversion_cycle_weeks",
            ),
        ),
    ]
