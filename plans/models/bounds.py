"""Bounds of free text: every text a user types has a maximum length, checked by the
forms (the model field's max_length becomes the form field's) and by the database."""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

# The database would otherwise take megabytes: PostgreSQL does not bound a text column,
# SQLite bounds no column.

# Characters in one free-text field of a plan (about two pages) and in one comment.
PLAN_TEXT_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000

# The plan's free-text fields (each up to PLAN_TEXT_MAX_LENGTH), in the order of its sections.
PLAN_TEXT_FIELDS = (
    "strategic_issue",
    "baseline_data",
    "root_cause",
    "innovation",
    "novelty",
    "alignment_notes",
    "roadmap_link",
    "impact_internal",
    "impact_external",
    "stakeholders",
    "risks",
    "mitigation",
)


def length_checks(prefix: str, **limits: int) -> list[models.CheckConstraint]:
    """One check per column: at most so many characters (the field's max_length)."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(name), limit), name=f"{prefix}_{name}_max_length"
        )
        for name, limit in limits.items()
    ]
