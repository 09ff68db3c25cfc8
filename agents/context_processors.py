"""Template context shared by every page: the user's roles and the current cycle."""

from .selectors import navigation_context


def navigation(request):
    return navigation_context(request)
