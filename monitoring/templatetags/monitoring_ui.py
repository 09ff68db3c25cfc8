"""Template tags of the implementation phase, for pages of apps to the left of it (the
reviewer's queue), which ask for its figures by name instead of importing it."""

from django import template
from django.core.paginator import Page, Paginator

from ..selectors import reports_to_verify as _reports_to_verify

register = template.Library()

# Reports per page of the reviewer's list of reports to verify.
REPORTS_PAGE_SIZE = 20


@register.simple_tag
def reports_to_verify(user, page=None) -> Page:
    """A page (number `page`) of the progress reports waiting for the user's verification
    (plans assigned to them), oldest first."""
    return Paginator(_reports_to_verify(user), REPORTS_PAGE_SIZE).get_page(page)
