"""Sums per key of the JSON columns of the agencies' kept rows (`AgencyTally`): plan
states, score bins, coverage, weeks, realisation per area.

PostgreSQL sums them itself (`jsonb_each`, one query for every column asked for):
decoding two thousand agencies' JSON in Python took longer than every other query of the
cold dashboard together. SQLite reads the columns and sums them here.

A column is asked for with its shape: `None` for a count per key ({"draft": 3}), or the
types of the list kept per key (weeks: `(int, int)` for [first, again]; realisation per
area: `(int, Decimal)` for [targets, "sum"]).
"""

from decimal import Decimal

from django.db import connection

CASTS = {int: "integer", Decimal: "numeric"}


def _sql(columns: dict[str, tuple | None], ids_sql: str) -> str:
    """One branch per column, each labelled by a parameter (the column's name) and
    padded to the widest shape, over the rows chosen by `ids_sql`."""
    width = max(len(shape or (int,)) for shape in columns.values())
    quoted = [connection.ops.quote_name(name) for name in columns]
    branches = []
    for name, shape in zip(quoted, columns.values(), strict=True):
        if shape is None:
            sums = ["SUM(item.value::integer)"]
        else:
            sums = [f"SUM((item.value->>{i})::{CASTS[t]})" for i, t in enumerate(shape)]
        sums += ["0"] * (width - len(sums))
        # Column names come from the code and are quoted; no value is formatted in.
        select = f"SELECT %s, item.key, {', '.join(sums)} FROM tally "  # noqa: S608  # nosec B608
        branches.append(
            select + f"CROSS JOIN LATERAL jsonb_each(tally.{name}) AS item GROUP BY item.key"
        )
    rows = f"SELECT {', '.join(quoted)} FROM reports_agencytally WHERE id IN ({ids_sql})"  # noqa: S608  # nosec B608
    return f"WITH tally AS ({rows}) {' UNION ALL '.join(branches)}"


def json_sums(tallies, columns: dict[str, tuple | None]) -> dict[str, dict]:
    """Per column of the rows of `tallies` (a queryset of `AgencyTally`), its values
    summed per key: a number, or a list of the shape's types."""
    found: dict[str, dict] = {name: {} for name in columns}
    if connection.vendor == "postgresql":
        ids_sql, params = tallies.order_by().values("id").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(_sql(columns, ids_sql), [*params, *columns])
            for name, key, *sums in cursor.fetchall():
                shape = columns[name]
                found[name][key] = sums[0] if shape is None else sums[: len(shape)]
        return found
    for row in tallies.order_by().values_list(*columns):
        for (name, shape), kept in zip(columns.items(), row, strict=True):
            into = found[name]
            for key, value in kept.items():
                if shape is None:
                    into[key] = into.get(key, 0) + value
                    continue
                total = into.setdefault(key, [t(0) for t in shape])
                for i, t in enumerate(shape):
                    total[i] += t(value[i])
    return found
