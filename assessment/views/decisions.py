"""Decisions on plans: one plan, the decision board, bulk decisions (a background run the
board polls); and the decision, score and feedback as the plan's agents (whoever may see
the plan) read them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from agenplan.spreadsheets import xlsx_download
from plans.enums import PlanState
from plans.selectors import cycle_choices, get_plan_for

from .. import exports, selectors, services
from ..enums import DecisionOutcome
from ..forms import BoardFilterForm, BulkDecisionForm, DecisionForm
from ..models import PlanTag
from ..selectors.runs import latest_decision_run
from ..services import PlanError
from .common import MANAGE, chosen_cycle, form_error, run_fragment, with_cycle


@login_required
@permission_required("assessment.decide", raise_exception=True)
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    plan = selectors.get_plan_for_coordinator(pk)
    data = selectors.plan_assessment(plan)
    # Reviews far apart are a question for the coordinator: no outcome is chosen for them.
    initial = {} if data.flagged else {"outcome": DecisionOutcome.APPROVE}
    if request.method == "GET":
        initial["feedback"] = selectors.consolidated_feedback(plan)
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_plan(
                plan,
                outcome=form.cleaned_data["outcome"],
                feedback=form.cleaned_data["feedback"],
                by=request.user,
            )
        except PlanError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Keputusan disimpan dan agen diberi tahu."))
            return redirect(with_cycle("assessment:decisions", plan.cycle))
    return render(
        request,
        "assessment/decide.html",
        {
            "data": data,
            "form": form,
            "can_decide": plan.state == PlanState.REVIEWED,
        },
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def decisions(request):
    """The decision board: plans by status with scores and flags; filters in the URL."""
    cycle = chosen_cycle(request)
    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    counts, rows, page = {}, None, None
    if cycle is not None:
        counts, rows = selectors.decision_board(
            cycle,
            group=filters.get("group", ""),
            agency_id=filters["agency"].pk if filters.get("agency") else None,
            flagged=filters.get("flagged", False),
            query=filters.get("q", ""),
            tag_id=filters.get("label"),
        )
        if request.GET.get("unduh") == "xlsx":
            workbook = exports.board_plans_workbook(
                cycle, rows, with_scores=request.user.has_perm("assessment.view_all_scores")
            )
            return xlsx_download(workbook, "keputusan")
        page = Paginator(rows.prefetch_related("tags"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "assessment/decisions.html",
        {
            "cycle": cycle,
            "cycles": cycle_choices(),
            "form": form,
            "counts": counts,
            "groups": selectors.BOARD_GROUP_LABELS,
            "page": page,
            "query_string": params.urlencode(),
            "outcomes": DecisionOutcome.choices,
            "run": latest_decision_run(cycle),
            "tags": PlanTag.objects.filter(cycle=cycle) if cycle is not None else [],
        },
    )


@login_required
@permission_required("assessment.decide", raise_exception=True)
@require_POST
def bulk_decide(request):
    """Step 1 (no `confirm`): show what will be decided. Step 2: queue the decisions as a
    background run (DecisionRun), whose progress the board shows."""
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    form = BulkDecisionForm(request.POST, cycle=cycle)
    if not form.is_valid():
        for error in form.errors.get("plans", []) or form.errors.get("outcome", []):
            messages.error(request, error)
        if not form.errors.get("plans") and not form.errors.get("outcome"):
            messages.error(request, _("Periksa kembali pilihan Anda."))
        return redirect(with_cycle("assessment:decisions", cycle))
    chosen = list(form.cleaned_data["plans"].order_by("pk"))
    if not form.cleaned_data["confirm"]:
        return render(
            request,
            "assessment/bulk_confirm.html",
            {
                "cycle": cycle,
                "form": form,
                "plans": chosen,
                "outcome": DecisionOutcome(form.cleaned_data["outcome"]).label,
            },
        )
    try:
        run = services.request_bulk_decision(
            cycle,
            plans=chosen,
            outcome=form.cleaned_data["outcome"],
            feedback=form.cleaned_data["feedback"],
            by=request.user,
        )
    except PlanError as error:
        messages.error(request, str(error.message))
    else:
        messages.info(
            request,
            _(
                "Keputusan untuk %(n)s rencana berjalan di latar belakang; statusnya tampil "
                "di halaman ini."
            )
            % {"n": run.total},
        )
    return redirect(with_cycle("assessment:decisions", cycle))


@login_required
@permission_required("assessment.decide", raise_exception=True)
@require_GET
def decision_run(request):
    """The latest bulk decision of the cycle: the fragment the decision board polls."""
    return run_fragment(request, "assessment/partials/decision_run.html", latest_decision_run)


# --- The plan's agents --------------------------------------------------------------------


@login_required
@require_GET
def feedback(request, pk):
    """The decision, score and feedback on a plan, for whoever may see the plan."""
    plan = get_plan_for(request.user, pk)
    return render(request, "assessment/feedback.html", {"plan": plan})
