"""The leadership's provincial dashboard (read-only)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from plans.selectors import current_cycle, cycle_choices, get_cycle_by_code

from . import selectors


@login_required
@permission_required("plans.view_dashboard", raise_exception=True)
@require_GET
def dashboard(request):
    """The "Dashboard provinsi" for the current cycle, or of `?cycle=<code>`."""
    code = request.GET.get("cycle", "")
    context = {"cycles": cycle_choices()}
    if code:
        cycle = get_cycle_by_code(code)
    else:
        cycle = context["current_cycle"] = current_cycle()
    context["overview"] = selectors.provincial_overview(cycle) if cycle is not None else None
    return render(request, "reports/dashboard.html", context)
