"""Pages of the assessment: the reviewer's queue and the coordinator's cycle board."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from plans.selectors import current_cycle, cycle_choices, get_cycle_by_code

from . import selectors


@login_required
@permission_required("assessment.view_review_queue", raise_exception=True)
@require_GET
def queue(request):
    """The reviewer's "Antrean penilaian": assignments with due dates; threads to answer."""
    return render(
        request,
        "assessment/queue.html",
        {
            "assignments": selectors.reviewer_queue(request.user),
            "threads": selectors.threads_awaiting_reply(request.user),
        },
    )


@login_required
@permission_required("plans.view_cycle_board", raise_exception=True)
@require_GET
def board(request):
    """The coordinator's "Papan siklus" for the current cycle, or of `?cycle=<code>`."""
    code = request.GET.get("cycle", "")
    context = {"cycles": cycle_choices()}
    if code:
        cycle = get_cycle_by_code(code)
    else:
        cycle = context["current_cycle"] = current_cycle()
    context["board"] = selectors.cycle_board(cycle) if cycle is not None else None
    return render(request, "assessment/board.html", context)
