"""Reads of cycles: the current one, one by its code, the pickers' list."""

from django.core.validators import slug_re
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ..enums import CyclePhase
from ..models import Cycle


def current_cycle() -> Cycle | None:
    """The cycle people work in now: the newest one not archived that has opened."""
    now = timezone.now()
    return (
        Cycle.objects.filter(is_archived=False, drafting_opens__lte=now)
        .order_by("-drafting_opens")
        .first()
        or Cycle.objects.filter(is_archived=False).order_by("drafting_opens").first()
    )


def cycle_is_open_for_drafting(cycle: Cycle) -> bool:
    return cycle.phase in (CyclePhase.UPCOMING, CyclePhase.DRAFTING)


def get_cycle_by_code(code: str) -> Cycle:
    """The cycle with this code, or 404 (also for text that cannot be a code: a cycle's
    code is a slug, so NUL bytes and other odd characters never reach the database)."""
    max_length = Cycle._meta.get_field("code").max_length
    if not isinstance(code, str) or len(code) > max_length or not slug_re.match(code):
        raise Http404("No such cycle")
    cycle = Cycle.objects.filter(code=code).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def cycle_choices() -> QuerySet:
    """Cycles for a picker, newest first."""
    return Cycle.objects.order_by("-year", "-drafting_opens")
