"""A list of ids stored in the plan's own row: `integer[]` on PostgreSQL, JSON elsewhere.

The dashboard counts, in one pass over a cycle's plans, how many serve each RB change
area and each BerAKHLAK value. On PostgreSQL the ids are a native array with a GIN index
(`plan @> ARRAY[3]`); SQLite (development, most tests) keeps them as a JSON list and
answers the same `contains` lookup with `json_each`. The Python value is a sorted list of
ints on both, and the migrations are the same on both.
"""

import json

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Index, Lookup


def _is_postgresql(connection) -> bool:
    return connection.vendor == "postgresql"


class IdListField(ArrayField):
    def __init__(self, **kwargs):
        kwargs["base_field"] = models.IntegerField()
        kwargs.setdefault("default", list)
        super().__init__(**kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["base_field"]
        return name, path, args, kwargs

    def db_type(self, connection):
        return super().db_type(connection) if _is_postgresql(connection) else "text"

    def cast_db_type(self, connection):
        return super().cast_db_type(connection) if _is_postgresql(connection) else "text"

    def get_placeholder(self, value, compiler, connection):
        if _is_postgresql(connection):
            return super().get_placeholder(value, compiler, connection)
        return "%s"

    def get_db_prep_value(self, value, connection, prepared=False):
        if _is_postgresql(connection) or value is None:
            return super().get_db_prep_value(value, connection, prepared)
        return json.dumps([int(pk) for pk in value], separators=(",", ":"))

    def from_db_value(self, value, expression, connection):
        return json.loads(value) if isinstance(value, str) else value


@IdListField.register_lookup
class IdListContains(Lookup):
    """`area_ids__contains=[3, 7]`: the row holds every one of these ids."""

    lookup_name = "contains"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if _is_postgresql(connection):
            return f"{lhs} @> %s::integer[]", [*lhs_params, ids]
        # `lhs` is the column's SQL compiled by Django, never user input.
        one = f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)"  # noqa: S608
        return " AND ".join([one] * len(ids)) or "1 = 1", [
            param for pk in ids for param in (*lhs_params, pk)
        ]


class IdListIndex(GinIndex):
    """A GIN index on PostgreSQL (what `@>` uses); a plain index on other databases,
    which have no GIN and answer `contains` by reading the row."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if _is_postgresql(schema_editor.connection):
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return Index.create_sql(self, model, schema_editor, using=using, **kwargs)
