"""The coordinator's monitoring board: overdue and returned reports, plans off track,
pending change requests, bulk reminders; deciding a change; completing a plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from plans.models import ActionPlan, Cycle
from plans.selectors import current_cycle, get_cycle_by_code

from .. import services
from ..forms import ChangeDecisionForm
from ..models import ChangeRequest
from ..selectors import monitoring_board
from ..services.reminders import remind_plans
from .common import act, plan_of, posted_id


def _cycle(request):
    code = request.GET.get("cycle") or request.POST.get("cycle")
    if code:
        return get_cycle_by_code(code)
    today = timezone.localdate()
    return (
        Cycle.objects.filter(is_archived=False, implementation_start__lte=today)
        .order_by("-implementation_start")
        .first()
        or current_cycle()
    )


@login_required
@permission_required("monitoring.view_board", raise_exception=True)
@require_GET
def board(request):
    cycle = _cycle(request)
    return render(
        request,
        "monitoring/board.html",
        {
            "cycle": cycle,
            "cycles": Cycle.objects.filter(is_archived=False),
            "board": monitoring_board(cycle) if cycle else None,
        },
    )


@login_required
@permission_required("monitoring.view_board", raise_exception=True)
@require_POST
def remind(request):
    cycle = _cycle(request)
    ids = [posted_id(v) for v in request.POST.getlist("plan")]
    # The teams' people in a fixed number of queries, whatever the number of plans.
    plans = list(
        ActionPlan.objects.filter(pk__in=ids, cycle=cycle)
        .select_related("owner__user")
        .prefetch_related("co_agents__user")
    )
    to = reverse("monitoring:board") + (f"?cycle={cycle.code}" if cycle else "")
    return act(
        request,
        lambda: remind_plans(plans, by=request.user),
        _("Pengingat dikirim kepada tim %(n)s rencana.") % {"n": len(plans)},
        to,
    )


@login_required
@permission_required("monitoring.decide_change", fn=plan_of, raise_exception=True)
@require_POST
def change_decide(request, pk):
    plan = plan_of(request, pk)
    change = ChangeRequest.objects.filter(plan=plan, pk=posted_id(request.POST.get("change")))
    change = change.select_related("plan").first()
    if change is None:
        raise Http404("No such change request")
    form = ChangeDecisionForm(request.POST)
    to = reverse("monitoring:plan", args=[pk]) + "#perubahan"
    if not form.is_valid():
        messages.error(request, _("Pilih setujui atau tolak."))
        return redirect(to)
    return act(
        request,
        lambda: services.decide_change(change, by=request.user, **form.cleaned_data),
        _("Keputusan atas permintaan perubahan dicatat."),
        to,
    )


@login_required
@permission_required("monitoring.view_progress", fn=plan_of, raise_exception=True)
@require_POST
def complete(request, pk):
    plan = plan_of(request, pk)
    if not request.user.has_perm("monitoring.complete_plan", plan):
        raise PermissionDenied
    return act(
        request,
        lambda: services.complete_with_closing(plan, by=request.user),
        _("Rencana ditandai selesai."),
        reverse("monitoring:plan", args=[pk]),
    )
