"""Searching plans by what people remember of them: words of the title or the text, the
agent's name or NIP, the agency.

On PostgreSQL the plan's words are matched by full-text search with the `indonesian`
configuration (Snowball's Indonesian stemmer: "pelayanan", "dilayani" and "layanan" meet),
through the expression GIN index the migration `plans.0009_plan_search_index` creates;
the title also matches on any part of a word ("kinerj"), and names, NIP and agency on any
part through trigram GIN indexes (`pg_trgm`, which serves `LIKE '%…%'`). Every branch is
an `id IN (…)` subquery answered from its index, so a search never reads every plan's
text. SQLite (development, most tests) has neither: there the same fields are matched
with `icontains`, word for word.
"""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from agents.validators import normalize_nip

from .models import PLAN_TEXT_FIELDS

# The plan's own text that full-text search reads. The expression index of
# plans/migrations/0009_plan_search_index.py lists the same columns in the same order:
# PostgreSQL uses the index only for the identical expression (a test checks the plan).
SEARCH_CONFIG = "indonesian"
SEARCH_COLUMNS = ("title", *PLAN_TEXT_FIELDS)
# What a search box accepts; longer input is cut, never refused.
QUERY_MAX_LENGTH = 100


def plan_document() -> SearchVector:
    """The plan's words as one `tsvector` (the indexed expression)."""
    return SearchVector(*SEARCH_COLUMNS, config=SEARCH_CONFIG)


def search_plans(plans: QuerySet, query: str) -> QuerySet:
    """`plans` narrowed to those matching `query` (every word of it, on PostgreSQL as
    stems of the plan's text) by title, text, owner's or co-agent's name, NIP, or the
    agency's name or abbreviation. An empty query returns `plans` unchanged."""
    query = " ".join(query.split())[:QUERY_MAX_LENGTH]
    if not query:
        return plans
    model = plans.model
    people = Q(user__name__icontains=query)
    nip = normalize_nip(query)
    if nip.isdigit() and len(nip) >= 4:
        people |= Q(user__nip__contains=nip)
    agents = model.owner.field.related_model.objects.filter(people).values("pk")
    co_agents = model.co_agents.through.objects.filter(agent__in=agents).values("actionplan_id")
    agencies = model.agency.field.related_model.objects.filter(
        Q(name__icontains=query) | Q(abbreviation__icontains=query)
    ).values("pk")
    matches = (
        Q(owner__in=agents)
        | Q(pk__in=co_agents)
        | Q(agency__in=agencies)
        | Q(pk__in=model.objects.filter(title__icontains=query).values("pk"))
    )
    if connection.vendor == "postgresql":
        words = model.objects.annotate(document=plan_document()).filter(
            document=SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        )
        matches |= Q(pk__in=words.values("pk"))
    else:
        text = Q()
        for column in SEARCH_COLUMNS[1:]:
            text |= Q(**{f"{column}__icontains": query})
        matches |= Q(pk__in=model.objects.filter(text).values("pk"))
    return plans.filter(matches)
