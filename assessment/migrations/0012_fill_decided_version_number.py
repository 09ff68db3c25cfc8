from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def fill(apps, schema_editor):
    """Every decided plan's `decided_version_number`: the number of the version its latest
    decision judged (latest by time, then by id), in one UPDATE."""
    ActionPlan = apps.get_model("plans", "ActionPlan")
    Decision = apps.get_model("assessment", "Decision")
    decisions = Decision.objects.filter(plan=OuterRef("pk"))
    latest = decisions.order_by("-decided_at", "-pk").values("version__number")[:1]
    ActionPlan.objects.filter(Exists(decisions)).update(decided_version_number=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0011_plan_tags"),
        ("plans", "0017_plan_decided_version_number"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
