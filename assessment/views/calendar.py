"""The calendar feed of a person's deadlines: at a secret address, without signing in
(a calendar program fetches it), in the person's language."""

from django.http import Http404, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from agents.selectors import user_of_calendar_token

from ..calendar import calendar_text, deadlines_of


@require_GET
def calendar_feed(request, token):
    """`kalender/<secret>.ics`: 404 for an unknown or reset secret, as for a missing page."""
    user = user_of_calendar_token(token)
    if user is None:
        raise Http404("No such calendar")
    with translation.override(user.language or None):
        text = calendar_text(deadlines_of(user))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agenplan.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
