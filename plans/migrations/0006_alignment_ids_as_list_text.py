"""The plans' alignment ids are about to become id lists (next migration): the stored
"|3|7|" strings are first rewritten in the new types' text form, "{3,7}" on PostgreSQL
(an `integer[]` literal) or "[3,7]" on SQLite (a JSON list), which the column change then
casts or copies as they are. On its own migration, so that PostgreSQL commits the rows
before their table is altered; the way back undoes it."""

from django.db import migrations


COLUMNS = ("area_ids", "value_ids")


def _rewrite(schema_editor, expression) -> None:
    """Set each column to `expression(column)`, an SQL expression over its old value."""
    for column in COLUMNS:
        schema_editor.execute(f"UPDATE plans_actionplan SET {column} = {expression(column)}")  # noqa: S608


def to_list_text(apps, schema_editor) -> None:
    """ "|3|7|" → "{3,7}" (PostgreSQL) or "[3,7]" (SQLite); "|" → "{}" or "[]"."""
    opening, closing = "{}" if schema_editor.connection.vendor == "postgresql" else "[]"
    _rewrite(
        schema_editor,
        lambda column: f"'{opening}' || replace(trim({column}, '|'), '|', ',') || '{closing}'",
    )


def to_delimited_text(apps, schema_editor) -> None:
    """The way back, once the columns are text again: "{3,7}" or "[3,7]" → "|3|7|"."""
    brackets = "{}" if schema_editor.connection.vendor == "postgresql" else "[]"
    _rewrite(
        schema_editor,
        lambda column: (
            f"'|' || replace(replace(trim({column}, '{brackets}'), ' ', ''), ',', '|') || "
            f"CASE WHEN {column} = '{brackets}' THEN '' ELSE '|' END"
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0005_bounded_text"),
    ]

    operations = [
        migrations.RunPython(to_list_text, to_delimited_text),
    ]
