"""Similar innovations across agencies: links between plans (kolaborasi, replikasi) and,
on PostgreSQL, the search over plans' problems and innovations (plans/similarity.py): a
stored, weighted tsvector column of the title, innovation and problem with a GIN index.
Its trigram side uses the pg_trgm extension (created by agents.0008) and the title's
trigram index (plans.0009). On SQLite nothing but the links table."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from plans.similarity import search_config, vector_sql


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    config = search_config(schema_editor.connection)
    schema_editor.execute(
        "ALTER TABLE plans_actionplan ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({vector_sql(config)}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX plan_search_vector_gin ON plans_actionplan USING gin (search_vector)"
    )


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE plans_actionplan DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0011_plan_list_order_index"),
        ("agents", "0008_name_and_nip_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(add_search, drop_search, elidable=False),
        migrations.CreateModel(
            name="PlanLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("collaboration", "Kolaborasi"), ("replication", "Replikasi")],
                        max_length=16,
                        verbose_name="jenis tautan",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=255, verbose_name="catatan")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "other",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links_to",
                        to="plans.actionplan",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links_from",
                        to="plans.actionplan",
                    ),
                ),
            ],
            options={
                "verbose_name": "tautan rencana",
                "verbose_name_plural": "tautan rencana",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["other"], name="planlink_other")],
                "constraints": [
                    models.UniqueConstraint(fields=("plan", "other"), name="planlink_one_per_pair"),
                    models.CheckConstraint(
                        condition=models.Q(("plan", models.F("other")), _negated=True),
                        name="planlink_not_itself",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["collaboration", "replication"])),
                        name="planlink_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "collaboration"), _negated=True),
                            ("plan__lt", models.F("other")),
                            _connector="OR",
                        ),
                        name="planlink_collaboration_ordered",
                    ),
                ],
            },
        ),
    ]
