"""Template helpers of the assessment: the plan's feedback after a decision (for the plan
editor and the preview), level badges, numbers in Indonesian format."""

import datetime as dt

from django import template
from django.utils import formats
from django.utils.dateparse import parse_date

from assessment.selectors import plan_feedback as read_plan_feedback
from plans import sections

register = template.Library()


@register.inclusion_tag("assessment/includes/plan_feedback.html")
def plan_feedback(plan, user):
    """`{% load assessment_ui %}{% plan_feedback plan user %}`: the latest decision, the
    score, the consolidated feedback and the reviewers' per-criterion comments of the
    decided version; nothing before a decision; reviewer names hidden from agents when
    the cycle says so. At most three queries."""
    return {"feedback": read_plan_feedback(plan, user), "plan": plan}


@register.filter
def row_text(row: dict, name: str) -> str:
    """A field of a frozen row as its kind reads it: `{{ activity|row_text:"activities.budget" }}`
    → "Rp 15.000.000", `{{ target|row_text:"targets.baseline" }}` → "42,5"."""
    section, field = name.split(".")
    [spec] = [s for s in sections.section(section).row_fields if s.name == field]
    return spec.text((row or {}).get(field))


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dicts keyed by ids."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def snapshot_date(value, format_name="DATE_FORMAT"):
    """A date of a plan snapshot (stored as an ISO string, "2026-03-01") shown as the live
    plan page shows it: `{{ target.due_date|snapshot_date }}` → "1 Maret 2026",
    `|snapshot_date:"YEAR_MONTH_FORMAT"` → "Maret 2026". A value that is no ISO date is
    shown as it is, so a malformed snapshot still reads."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.date):
        return formats.date_format(value, format_name)
    try:
        parsed = parse_date(str(value))
    except ValueError:  # well formed but no such day, e.g. 2026-02-30
        parsed = None
    return value if parsed is None else formats.date_format(parsed, format_name)
