"""Template helpers of the assessment: the plan's feedback after a decision (for the plan
editor and the preview), level badges, numbers in Indonesian format."""

from django import template

from assessment.selectors import plan_feedback as read_plan_feedback

register = template.Library()


@register.inclusion_tag("assessment/includes/plan_feedback.html")
def plan_feedback(plan, user):
    """`{% load assessment_ui %}{% plan_feedback plan user %}`: the latest decision, the
    score, the consolidated feedback and the reviewers' per-criterion comments of the
    decided version; nothing before a decision; reviewer names hidden from agents when
    the cycle says so. At most three queries."""
    return {"feedback": read_plan_feedback(plan, user), "plan": plan}


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dicts keyed by ids."""
    if mapping is None:
        return None
    return mapping.get(key)
