"""What the assessment's pages share: the coordinator's permission, the cycle a page
works on (`?cycle=<code>`), turning a service's error into a form error, and the fragment
of a background run that a page polls."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from plans.selectors import current_cycle, get_cycle_by_code

from ..services import PlanError

MANAGE = "assessment.manage_assessment"


def form_error(form, error: PlanError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def chosen_cycle(request):
    """The cycle of `?cycle=<code>` (404 when unknown), else the current one."""
    code = request.GET.get("cycle") or request.POST.get("cycle") or ""
    return get_cycle_by_code(code) if code else current_cycle()


def with_cycle(name: str, cycle, *args) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode({'cycle': cycle.code})}" if cycle else url


def run_fragment(request, template: str, latest):
    """The latest background run of the chosen cycle (`latest(cycle)`), as the fragment
    its page polls. When the run the page was polling has ended, an htmx request reloads
    the page whole, so that its lists show what the run did."""
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    run = latest(cycle)
    response = render(request, template, {"cycle": cycle, "run": run})
    if request.htmx and (run is None or not run.is_active):
        response["HX-Refresh"] = "true"
    return response
