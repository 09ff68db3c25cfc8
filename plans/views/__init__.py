"""Pages of plans: the agent's home, the head of agency's home, the plan list, the plan
detail (read-only preview) and its workflow buttons.

Views parse, check, call a selector or a service, and render (docs/architecture.md). Plans are
fetched through `get_plan_for`, which answers 404 for "missing" and "not yours" alike.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from agenplan.spreadsheets import xlsx_download

from .. import selectors
from ..checklist import missing_items, plan_checklist
from ..exports import plan_list_workbook
from ..list_forms import PlanFilterForm, StartPlanForm
from ..selectors.similar import plan_links
from ..services import content, editing, workflow
from ..services.common import PlanError

PLANS_PER_PAGE = 50


def _plan(request, pk, **_route):
    """The plan of the URL if the user may see it (else 404), fetched once per request."""
    cached = getattr(request, "_agenplan_plan", None)
    if cached is None or cached.pk != pk:
        cached = request._agenplan_plan = selectors.get_plan_for(request.user, pk)
    return cached


# --- The agent's home --------------------------------------------------------------------


def _my_plans_page(request, form):
    cycle = selectors.current_cycle()
    rows = selectors.my_plans(request.user)
    current = [row for row in rows if cycle is not None and row.plan.cycle_id == cycle.pk]
    can_start = (
        cycle is not None
        and not current
        and hasattr(request.user, "agent_profile")
        and selectors.cycle_is_open_for_drafting(cycle)
    )
    return render(
        request,
        "plans/my_plans.html",
        {
            "current_cycle": cycle,
            "current_rows": current,
            "other_rows": [row for row in rows if row not in current],
            "is_agent": hasattr(request.user, "agent_profile"),
            "start_form": form if can_start else None,
        },
    )


@login_required
@permission_required("plans.view_my_plans", raise_exception=True)
@require_GET
def my_plans(request):
    return _my_plans_page(request, StartPlanForm())


@login_required
@permission_required("plans.add_actionplan", raise_exception=True)
@require_POST
def start_plan(request):
    """The "Mulai rencana tindak" form: create the agent's plan in the current cycle.

    A refusal about the title is shown on the field; any other refusal (the cycle is
    closed, a plan already exists) as a message above the agent's plans.
    """
    form = StartPlanForm(request.POST)
    if not form.is_valid():
        return _my_plans_page(request, form)
    cycle = selectors.current_cycle()
    profile = getattr(request.user, "agent_profile", None)
    if cycle is None or profile is None:
        messages.error(request, _("Belum ada siklus yang terbuka untuk penyusunan rencana."))
        return redirect("plans:my_plans")
    try:
        plan = content.create_plan(
            cycle=cycle, owner=profile, title=form.cleaned_data["title"], by=request.user
        )
    except PlanError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
            return _my_plans_page(request, form)
        messages.error(request, str(exc.message))
        return redirect("plans:my_plans")
    messages.success(request, _("Rencana tindak Anda sudah dibuat sebagai draf."))
    return redirect("plans:edit", pk=plan.pk)


# --- The head of agency's home -----------------------------------------------------------


@login_required
@permission_required("plans.view_agency_plans", raise_exception=True)
@require_GET
def agency_plans(request):
    cycle = selectors.current_cycle()
    return render(
        request,
        "plans/agency_plans.html",
        {
            "current_cycle": cycle,
            "overviews": selectors.agency_overviews(request.user, cycle),
        },
    )


# --- The plan list -----------------------------------------------------------------------


@login_required
@permission_required("plans.view_plan_list", raise_exception=True)
@require_GET
def plan_list(request):
    """Every plan the user may see, filtered, sorted and paginated; filters stay in the URL;
    `?unduh=xlsx` every row of the filtered list as a spreadsheet."""
    form = PlanFilterForm(request.GET)
    form.is_valid()
    plans = selectors.filter_plans(request.user, **form.filters())
    if request.GET.get("unduh") == "xlsx":
        workbook = plan_list_workbook(
            plans, with_scores=request.user.has_perm("assessment.view_all_scores")
        )
        return xlsx_download(workbook, "daftar-rencana")
    page = Paginator(plans, PLANS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "plans/plan_list.html", {"form": form, "page": page})


# --- One plan ----------------------------------------------------------------------------


@login_required
@permission_required("plans.view_actionplan", fn=_plan, raise_exception=True)
@require_GET
def plan_detail(request, pk):
    """The plan as it stands (read-only preview), its history and the user's actions."""
    plan = selectors.plan_with_contents(_plan(request, pk))
    context = {
        "plan": plan,
        "actions": selectors.plan_actions(request.user, plan),
        "history": selectors.plan_history(plan, viewer=request.user),
        "checklist": plan_checklist(plan) if plan.is_editable else [],
        "deadline": workflow.submission_deadline_for(plan) if plan.is_editable else None,
        "links": plan_links(plan),
    }
    context["missing"] = [item for item in context["checklist"] if not item.ok]
    context["checklist_done"] = len(context["checklist"]) - len(context["missing"])
    return render(request, "plans/detail.html", context)


def _act(request, plan, action, success_message):
    try:
        action()
    except PlanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success_message)
    return redirect(reverse("plans:detail", args=[plan.pk]))


@login_required
@require_POST
@permission_required("plans.submit_actionplan", fn=_plan, raise_exception=True)
def submit_plan(request, pk):
    plan = _plan(request, pk)
    if plan.is_editable and missing_items(plan):
        # Back to the editor, where the checklist lists what is missing, one item a line.
        messages.error(
            request,
            _("Rencana belum lengkap; lengkapi hal yang ditandai di daftar kelengkapan."),
        )
        return redirect(reverse("plans:edit", args=[plan.pk]) + "#kelengkapan")
    return _act(
        request,
        plan,
        lambda: workflow.submit_plan(plan, by=request.user),
        _("Rencana sudah diajukan ke Biro Organisasi."),
    )


@login_required
@require_POST
@permission_required("plans.withdraw_actionplan", fn=_plan, raise_exception=True)
def withdraw_plan(request, pk):
    plan = _plan(request, pk)
    return _act(
        request,
        plan,
        lambda: workflow.withdraw_plan(plan, by=request.user),
        _("Pengajuan rencana sudah ditarik; Anda dapat mengubahnya lagi."),
    )


@login_required
@require_POST
@permission_required("plans.endorse_actionplan", fn=_plan, raise_exception=True)
def endorse_plan(request, pk):
    plan = _plan(request, pk)
    return _act(
        request,
        plan,
        lambda: workflow.endorse_plan(plan, by=request.user),
        _("Rencana sudah Anda ketahui (mengetahui)."),
    )


@login_required
@require_POST
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
def restore_text(request, pk):
    """Put back the text a conflict's resolution replaced, from the plan's history."""
    plan = _plan(request, pk)
    entry = selectors.get_kept_text_entry(plan, request.POST.get("entry"))
    return _act(
        request,
        plan,
        lambda: editing.restore_overwritten(plan, entry=entry, by=request.user),
        _("Teks yang ditimpa sudah dipulihkan; teks yang digantinya tersimpan di riwayat."),
    )
