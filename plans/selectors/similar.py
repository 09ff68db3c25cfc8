"""Plans of this and earlier cycles whose problem or innovation resembles a text
(plans/similarity.py says how), and the links the Biro Organisasi recorded between plans.

What a similar plan shows is what any signed-in agent of the province may know of a plan
handed in: its title, agency, cycle, state and outcome; never its content, people or
score. Drafts are left out: they are their team's work in progress.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import LinkKind, PlanState
from ..models import ActionPlan, PlanLink
from ..similarity import overlap, search_config, words

SIMILAR_LIMIT = 5
# Plans ranked by full-text search before the trigram similarity reorders them.
CANDIDATES = 60
# The fallback compares with the most recent plans only.
FALLBACK_SCAN = 3000
# Below this a plan is not shown as similar (PostgreSQL score; fallback overlap).
MIN_SCORE = 0.65
MIN_OVERLAP = 0.2
# The rarest words of the text that make the query (pairs of them), and the share of
# plans above which a word is too common to tell plans apart.
QUERY_TERMS = 12
MAX_SHARE = 0.1

REPLICATES = _("Replikasi dari")
REPLICATED_BY = _("Direplikasi oleh")


@dataclass
class SimilarPlan:
    plan: ActionPlan
    score: float


# The query keeps the text's rarest words (their share of plans from the statistics
# ANALYZE keeps of the search vector; a word absent from them is rare) and asks for plans
# sharing at least two of them: a GIN index lookup that finds reworded texts without
# ranking every plan that shares a common word. The candidates are ranked by ts_rank
# (ts_rank_cd costs twenty times more over a few thousand matches) and reordered with the
# trigram similarity of the innovation and the title.
_PG_SQL = """
WITH stats AS (
    SELECT e.elem, e.freq
    FROM pg_stats s,
         unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(elem, freq)
    WHERE s.schemaname = current_schema() AND s.tablename = 'plans_actionplan'
      AND s.attname = 'search_vector' AND e.elem IS NOT NULL
), terms AS (
    SELECT t.lexeme, coalesce(st.freq, 0) AS freq
    FROM unnest(tsvector_to_array(to_tsvector(%(config)s::regconfig, %(text)s))) AS t(lexeme)
    LEFT JOIN stats st ON st.elem = t.lexeme
    WHERE coalesce(st.freq, 0) < %(max_share)s
    ORDER BY freq, length(t.lexeme) DESC, t.lexeme
    LIMIT %(terms)s
), query AS (
    SELECT CASE
        WHEN count(*) = 1 THEN (SELECT quote_literal(lexeme) FROM terms)::tsquery
        ELSE (
            SELECT string_agg(
                '(' || quote_literal(a.lexeme) || ' & ' || quote_literal(b.lexeme) || ')', ' | '
            ) FROM terms a JOIN terms b ON a.lexeme < b.lexeme
        )::tsquery
    END AS tsq
    FROM terms
), candidates AS (
    SELECT p.id, ts_rank(p.search_vector, (SELECT tsq FROM query)) AS rank
    FROM plans_actionplan p
    WHERE p.search_vector @@ (SELECT tsq FROM query)
      AND p.id <> %(exclude)s AND p.state <> %(draft)s
    ORDER BY rank DESC
    LIMIT %(candidates)s
)
SELECT c.id,
       c.rank * 2
       + similarity(coalesce(p.innovation, ''), %(innovation)s)
       + similarity(p.title, %(title)s) * 0.5 AS score
FROM candidates c JOIN plans_actionplan p ON p.id = c.id
ORDER BY score DESC, c.id
LIMIT %(limit)s
"""


def _postgresql(title, problem, innovation, exclude, limit) -> list[tuple[int, float]]:
    params = {
        "config": search_config(connection),
        "text": " ".join(sorted(words(f"{title} {innovation} {problem}"))),
        "terms": QUERY_TERMS,
        "max_share": MAX_SHARE,
        "title": title or "",
        "innovation": innovation or "",
        "exclude": exclude or 0,
        "draft": PlanState.DRAFT,
        "candidates": CANDIDATES,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_PG_SQL, params)
        return [(pk, float(score)) for pk, score in cursor.fetchall() if score >= MIN_SCORE]


def _fallback(title, problem, innovation, exclude, limit) -> list[tuple[int, float]]:
    """Token overlap with the most recent plans handed in (SQLite)."""
    mine = words(f"{title} {innovation} {problem}")
    if not mine:
        return []
    rows = (
        ActionPlan.objects.exclude(state=PlanState.DRAFT)
        .exclude(pk=exclude or 0)
        .order_by("-id")
        .values_list("id", "title", "innovation", "strategic_issue")[:FALLBACK_SCAN]
    )
    scored = []
    for pk, other_title, other_innovation, other_problem in rows:
        score = overlap(mine, words(f"{other_title} {other_innovation} {other_problem}"))
        if score >= MIN_OVERLAP:
            scored.append((pk, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:limit]


def similar_plans(
    *, title: str = "", problem: str = "", innovation: str = "", exclude=None, limit=SIMILAR_LIMIT
) -> list[SimilarPlan]:
    """The plans (drafts aside, `exclude` aside) most similar to a problem and innovation,
    best first, with their agency and cycle. Two queries (three on a new connection to
    PostgreSQL, which first reads its text search configurations)."""
    if not (title or problem or innovation).strip():
        return []
    find = _postgresql if connection.vendor == "postgresql" else _fallback
    found = find(title, problem, innovation, exclude, limit)
    plans = ActionPlan.objects.select_related("agency", "cycle").in_bulk([pk for pk, _s in found])
    return [SimilarPlan(plan=plans[pk], score=score) for pk, score in found if pk in plans]


def similar_to_plan(plan: ActionPlan, **texts) -> list[SimilarPlan]:
    """The plans similar to this one's problem and innovation (or to the texts given, as
    the editor sends them while the agent types)."""
    return similar_plans(
        title=texts.get("title", plan.title),
        problem=texts.get("problem", plan.strategic_issue),
        innovation=texts.get("innovation", plan.innovation),
        exclude=plan.pk,
    )


@dataclass
class LinkedPlan:
    link: PlanLink
    plan: ActionPlan  # the other plan
    label: str  # how this plan stands to it


def plan_links(plan: ActionPlan) -> list[LinkedPlan]:
    """The links of a plan, each with the other plan (its agency and cycle). One query."""
    links = (
        PlanLink.objects.filter(Q(plan=plan) | Q(other=plan))
        .select_related("plan__agency", "plan__cycle", "other__agency", "other__cycle")
        .order_by("kind", "created_at", "pk")
    )
    result = []
    for link in links:
        mine = link.plan_id == plan.pk
        other = link.other if mine else link.plan
        if link.kind == LinkKind.COLLABORATION:
            label = LinkKind.COLLABORATION.label
        elif mine:
            label = REPLICATES
        else:
            label = REPLICATED_BY
        result.append(LinkedPlan(link=link, plan=other, label=str(label)))
    return result


def cycle_links(cycle) -> list[PlanLink]:
    """The links that touch a plan of the cycle (the provincial summary). One query."""
    return list(
        PlanLink.objects.filter(Q(plan__cycle=cycle) | Q(other__cycle=cycle))
        .select_related("plan__agency", "other__agency")
        .order_by("kind", "plan__agency__name", "plan__title", "pk")
    )
