"""Bounds of free text: every text a user types has a maximum length, checked by the
forms (the model field's max_length becomes the form field's) and by the database."""

from django.core.exceptions import ValidationError
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


class MaxLengthCheck(models.CheckConstraint):
    """At most `limit` characters in `field`: a CHECK in the database, validated by a
    model's `full_clean` in Python, without the query a CheckConstraint runs (a form
    validates every field of its section on each autosave). Migrations see a plain
    CheckConstraint."""

    def __init__(self, *, name: str, field: str = "", limit: int = 0, condition=None, **kwargs):
        # A copy comes with its condition (Django clones constraints from their
        # deconstructed form); the field and the limit are read back from it.
        condition = condition if condition is not None else LessThanOrEqual(Length(field), limit)
        super().__init__(condition=condition, name=name, **kwargs)

    @property
    def field(self) -> str:
        return self.condition.lhs.source_expressions[0].name

    @property
    def limit(self) -> int:
        return self.condition.rhs

    def validate(self, model, instance, exclude=None, using=None):
        if exclude and self.field in exclude:
            return
        value = getattr(instance, model._meta.get_field(self.field).attname)
        if value is not None and len(value) > self.limit:
            raise ValidationError(
                self.get_violation_error_message(), code=self.violation_error_code
            )

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs


def length_checks(prefix: str, **limits: int) -> list[models.CheckConstraint]:
    """One check per column: at most so many characters (the field's max_length)."""
    return [
        MaxLengthCheck(field=name, limit=limit, name=f"{prefix}_{name}_max_length")
        for name, limit in limits.items()
    ]
