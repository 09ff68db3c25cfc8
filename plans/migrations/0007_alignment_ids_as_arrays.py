"""The plans' alignment ids become id lists: `integer[]` with a GIN index on PostgreSQL,
a JSON list on SQLite (plans.fields.IdListField)."""

from django.db import migrations

import plans.fields


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_alignment_ids_as_list_text"),
    ]
    operations = [
        migrations.AlterField(
            model_name="actionplan",
            name="area_ids",
            field=plans.fields.IdListField(default=list, editable=False, size=None),
        ),
        migrations.AlterField(
            model_name="actionplan",
            name="value_ids",
            field=plans.fields.IdListField(default=list, editable=False, size=None),
        ),
        migrations.AddIndex(
            model_name="actionplan",
            index=plans.fields.IdListIndex(fields=["area_ids"], name="plan_area_ids_gin"),
        ),
        migrations.AddIndex(
            model_name="actionplan",
            index=plans.fields.IdListIndex(fields=["value_ids"], name="plan_value_ids_gin"),
        ),
    ]
