from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0016_plan_queues"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionplan",
            name="decided_version_number",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="actionplan",
            index=models.Index(
                condition=models.Q(("decided_version_number__isnull", False)),
                fields=["cycle", "decided_version_number"],
                include=("id", "state", "agency", "title"),
                name="plan_cycle_decided_version",
            ),
        ),
    ]
