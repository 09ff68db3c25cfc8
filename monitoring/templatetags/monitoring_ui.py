"""Template tags of the implementation phase, for pages of apps to the left of it (the
reviewer's queue), which ask for its figures by name instead of importing it."""

from django import template

from ..selectors import reports_to_verify as _reports_to_verify

register = template.Library()


@register.simple_tag
def reports_to_verify(user):
    """The progress reports waiting for the user's verification (plans assigned to them)."""
    return _reports_to_verify(user)
