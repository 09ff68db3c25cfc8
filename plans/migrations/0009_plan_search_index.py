"""The plan search's indexes on PostgreSQL (`plans.search`): the plan's text as an
`indonesian` full-text document in an expression GIN index (the expression is built by
the same `SearchVector` as the query, so PostgreSQL recognises it), and the title's
trigrams for a part of a word. SQLite has no GIN and no full-text configuration: there
the search reads the table, and this migration does nothing."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# The columns and configuration of plans.search.SEARCH_COLUMNS and SEARCH_CONFIG, as they
# were when this index was made (a later change of the list comes with its own migration).
COLUMNS = (
    "title strategic_issue baseline_data root_cause innovation novelty alignment_notes "
    "roadmap_link impact_internal impact_external stakeholders risks mitigation"
).split()


DOCUMENT = GinIndex(SearchVector(*COLUMNS, config="indonesian"), name="plan_search_document")
# The expression of Django's `title__icontains`.
TITLE = (
    "CREATE INDEX plan_title_trgm ON plans_actionplan USING gin (UPPER(title::text) gin_trgm_ops)"
)


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("plans", "ActionPlan"), DOCUMENT)
    schema_editor.execute(TITLE)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("plans", "ActionPlan"), DOCUMENT)
    schema_editor.execute("DROP INDEX IF EXISTS plan_title_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0008_cycle_disagreement_thresholds_attachment_size_setting"),
        ("agents", "0008_name_and_nip_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
