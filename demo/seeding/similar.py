"""The labelled pairs of similar (and not similar) innovations, `similar_pairs.yaml`: the
demo seeds them so that the similar-innovations lists show something on first start, and
the similarity benchmark and its test measure recall and precision on them."""

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml

PAIRS_FILE = Path(__file__).with_name("similar_pairs.yaml")
TOP = 5


@dataclass(frozen=True)
class Side:
    title: str
    issue: str
    innovation: str


@cache
def labelled_pairs() -> tuple[tuple[Side, Side, bool], ...]:
    doc = yaml.safe_load(PAIRS_FILE.read_text(encoding="utf-8"))
    return tuple(
        (Side(**pair["a"]), Side(**pair["b"]), bool(pair["similar"])) for pair in doc["pairs"]
    )


def sides() -> list[Side]:
    """Every distinct text of the pairs, in the file's order."""
    seen: dict[Side, None] = {}
    for a, b, _similar in labelled_pairs():
        seen.setdefault(a)
        seen.setdefault(b)
    return list(seen)


def similar_sides_in_order() -> list[Side]:
    """The sides of the similar pairs, the two of a pair one after the other."""
    return [side for a, b, similar in labelled_pairs() if similar for side in (a, b)]


def with_side(draft, side: Side):
    """A demo plan's draft (demo.seeding.content.PlanDraft) carrying this side's texts."""
    fields = dict(draft.fields, strategic_issue=side.issue, innovation=side.innovation)
    return replace(draft, title=side.title, fields=fields)


@dataclass
class Quality:
    recall: float  # similar pairs whose other side is in the top 5
    precision: float  # of the labelled pairs found in the top 5, the share labelled similar
    found_similar: int
    similar: int
    found_not_similar: int


def quality(plan_of: dict[Side, object], lookup) -> Quality:
    """Recall in the top 5 and precision over the labelled pairs: `plan_of` maps each
    side to its plan, `lookup(plan)` returns the plans the product lists for it, best
    first."""
    found = {}
    for side, plan in plan_of.items():
        found[side] = [item.pk for item in lookup(plan)[:TOP]]
    hits = misses = false_hits = 0
    for a, b, similar in labelled_pairs():
        listed = plan_of[b].pk in found[a]
        if similar:
            hits += listed
            misses += not listed
        else:
            false_hits += listed
    similar_count = hits + misses
    return Quality(
        recall=hits / similar_count if similar_count else 0.0,
        precision=hits / (hits + false_hits) if hits + false_hits else 0.0,
        found_similar=hits,
        similar=similar_count,
        found_not_similar=false_hits,
    )
