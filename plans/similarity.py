"""How two plans' problems and innovations are compared (figures in docs/performance.md,
"Similar innovations").

On PostgreSQL: full-text search over a stored, weighted `tsvector` of the plan's title,
innovation and problem (a generated column with a GIN index, made by the migration
`0012_similar_innovations`), with the text search configuration `indonesian` where the
server has it (PostgreSQL 16 and later ship its Snowball stemmer) and `simple` where it
does not (older servers: words are then compared as written, without stemming, so
"pelayanan" and "layanan" no longer meet). The query is the pairs of the text's rarest
words; candidates are ranked by `ts_rank` plus the `pg_trgm` trigram similarity of their
innovation and title.

Elsewhere (SQLite, development): the share of significant words the two texts have in
common (`overlap`), over the most recent plans.

Nothing here queries plans: `plans.selectors.similar` does.
"""

import math
import re

# The configuration the search uses when the server has it; `simple` (lower case, no
# stemming) otherwise.
PREFERRED_CONFIG = "indonesian"
FALLBACK_CONFIG = "simple"

# Words too common in plans to tell two of them apart (besides Indonesian function words).
STOPWORDS = frozenset(
    """
    ada adalah agar akan antar antara atau bagi bahwa baik banyak belum berbagai bisa
    dalam dan dapat dari demikian dengan di hingga ini itu jika juga ke kepada
    lebih maka masih melalui memiliki menjadi mereka namun oleh pada para per saat sangat
    satu secara sehingga serta setiap sudah tanpa telah terhadap tersebut tidak untuk
    yang layanan pelayanan masyarakat perangkat daerah provinsi kaltim kalimantan timur
    pemprov unit kerja sistem program kegiatan
    """.split()
)
WORD = re.compile(r"[0-9a-zà-ÿ]+")
MIN_WORD = 4


def search_config(connection) -> str:
    """`indonesian` when the PostgreSQL server knows it, else `simple` (read once per
    connection, kept on it)."""
    cached = getattr(connection, "_agenplan_ts_config", None)
    if cached:
        return cached
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [PREFERRED_CONFIG])
        config = PREFERRED_CONFIG if cursor.fetchone() else FALLBACK_CONFIG
    connection._agenplan_ts_config = config
    return config


def vector_sql(config: str) -> str:
    """The expression of the stored search vector: title and innovation weigh most."""
    return (
        f"setweight(to_tsvector('{config}', coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('{config}', coalesce(innovation, '')), 'A') || "
        f"setweight(to_tsvector('{config}', coalesce(strategic_issue, '')), 'B')"
    )


def words(text: str) -> set[str]:
    """The significant words of a text: lower case, four letters or more, not a stopword."""
    return {
        w for w in WORD.findall((text or "").lower()) if len(w) >= MIN_WORD and w not in STOPWORDS
    }


def overlap(a: set[str], b: set[str]) -> float:
    """How much two sets of words share: |a ∩ b| / √(|a|·|b|), 0 to 1."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))
