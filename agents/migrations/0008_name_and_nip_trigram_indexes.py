"""Searching plans by their agent's name or part of an NIP (`plans.search`) reads these
trigram GIN indexes on PostgreSQL: `pg_trgm` answers `LIKE '%…%'` from an index, and the
name's index is on `UPPER(name)`, the expression of Django's `icontains`. SQLite (which has
no GIN) gets neither and reads the table; the extension is not created there either."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "agents_user_name_trgm": "UPPER(name::text) gin_trgm_ops",
    "agents_user_nip_trgm": "(nip::text) gin_trgm_ops",
}


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON agents_user USING gin ({expression})"
        )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0007_profile_and_mail_preferences"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
