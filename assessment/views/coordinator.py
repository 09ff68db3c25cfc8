"""The coordinator's board of the cycle, the assignment of reviewers (by hand and
automatic, with the background run's status), one plan's reviews (assign, release,
reopen) and the calibration of reviewers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from agenplan.spreadsheets import xlsx_download
from plans.enums import PlanState
from plans.selectors import current_cycle, cycle_choices, get_cycle_by_code

from .. import exports, selectors, services
from ..forms import AssignForm, AssignmentFilterForm, ReleaseForm, ReopenForm
from ..models import AssignmentRun
from ..selectors.runs import latest_assignment_run
from ..services import PlanError
from ..services.runs import request_auto_assign
from .common import MANAGE, chosen_cycle, form_error, run_fragment, with_cycle

ASSIGNMENT_PAGE_SIZE = 50
LOAD_PAGE_SIZE = 25
SELF_PAGE_SIZE = 50
AGENCY_PAGE_SIZE = 25
CALIBRATION_PAGE_SIZE = 50


@login_required
@permission_required("plans.view_cycle_board", raise_exception=True)
@require_GET
def board(request):
    """The coordinator's "Papan siklus" for the current cycle, or of `?cycle=<code>`: the
    agency table searched (`?opd=`), sorted and paginated, the busiest reviewers."""
    code = request.GET.get("cycle", "")
    context = {"cycles": cycle_choices()}
    if code:
        cycle = get_cycle_by_code(code)
    else:
        cycle = context["current_cycle"] = current_cycle()
    board = context["board"] = selectors.cycle_board(cycle) if cycle is not None else None
    if board is not None:
        query, sort = request.GET.get("opd", "")[:100], request.GET.get("sort", "")
        rows = selectors.agency_table(board.by_agency, query=query, sort=sort)
        if request.GET.get("unduh") == "opd":
            return xlsx_download(exports.agency_table_workbook(cycle, rows), "perangkat-daerah")
        context["agencies"] = Paginator(rows, AGENCY_PAGE_SIZE).get_page(request.GET.get("page"))
        context["busiest"] = board.reviewer_load
    return render(request, "assessment/board.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def assignments(request):
    """Plans waiting for reviewers, or (`?show=short`) in review with too few, filtered,
    sorted and paginated with the filters in the URL; auto-assign (and the status of the
    latest background run); the reviewers' load, paginated."""
    cycle = chosen_cycle(request)
    context = {"cycle": cycle, "cycles": cycle_choices(), "run": latest_assignment_run(cycle)}
    if cycle is None:
        return render(request, "assessment/assignments.html", context)
    form = AssignmentFilterForm(request.GET)
    filters = form.filters()
    short = "short" if request.GET.get("show") == "short" else ""

    def short_of_reviewers(**narrowed):
        plans = selectors.board_plans(cycle, group="in_review", **narrowed)
        return plans.filter(reviewers__lt=cycle.reviewers_per_plan)

    shown = (
        short_of_reviewers(**filters)
        if short
        else selectors.board_plans(cycle, group="awaiting_assignment", **filters)
    )
    load = selectors.ReviewerLoad(cycle)
    export = request.GET.get("unduh")
    if export == "rencana":
        workbook = exports.board_plans_workbook(
            cycle, shown, with_scores=request.user.has_perm("assessment.view_all_scores")
        )
        return xlsx_download(workbook, "penugasan")
    if export == "beban":
        return xlsx_download(exports.reviewer_load_workbook(cycle, load), "beban-reviewer")
    load_page = Paginator(load, LOAD_PAGE_SIZE).get_page(request.GET.get("beban"))
    context.update(
        form=form,
        show=short,
        awaiting=selectors.board_counts(cycle)["awaiting_assignment"],
        short_count=short_of_reviewers().count(),
        page=Paginator(shown, ASSIGNMENT_PAGE_SIZE).get_page(request.GET.get("page")),
        load=load_page,
        reviewers_total=load_page.paginator.count,
    )
    return render(request, "assessment/assignments.html", context)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def assignment_run(request):
    """The latest background run of the cycle: the fragment the assignments page polls."""
    return run_fragment(request, "assessment/partials/assignment_run.html", latest_assignment_run)


@login_required
@permission_required("assessment.auto_assign", raise_exception=True)
@require_POST
def auto_assign(request):
    """Auto-assign the cycle: at once for a province's cycle, in the background (a run the
    page polls) when more than AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT plans wait."""
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    try:
        outcome = request_auto_assign(cycle, by=request.user)
    except PlanError as error:
        messages.error(request, str(error.message))
    else:
        if isinstance(outcome, AssignmentRun):
            messages.info(
                request,
                _(
                    "Penugasan otomatis untuk %(n)s rencana berjalan di latar belakang; "
                    "statusnya tampil di halaman ini."
                )
                % {"n": outcome.total},
            )
            return redirect(with_cycle("assessment:assignments", cycle))
        result = outcome
        messages.success(
            request,
            _("%(n)s penugasan dibuat untuk %(plans)s rencana.")
            % {"n": len(result.created), "plans": result.plans},
        )
        if result.short:
            messages.warning(
                request,
                _("%(n)s rencana belum mendapat cukup reviewer yang bebas konflik.")
                % {"n": len(result.short)},
            )
    return redirect(with_cycle("assessment:assignments", cycle))


def _chosen_ids(values) -> list[int]:
    return [int(value) for value in values if str(value).isdigit()][:50]


def _plan_page(request, plan, *, assign_form=None, release_form=None, status=200):
    chosen = _chosen_ids(request.POST.getlist("reviewers")) if assign_form else []
    return render(
        request,
        "assessment/plan.html",
        {
            "data": selectors.plan_assessment(plan),
            "choices": selectors.reviewer_options(
                plan, query=request.GET.get("cari", ""), chosen=chosen
            ),
            "assign_form": assign_form or AssignForm(),
            "release_form": release_form or ReleaseForm(),
            "can_assign": plan.state in (PlanState.SUBMITTED, PlanState.IN_REVIEW),
        },
        status=status,
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def plan_reviews(request, pk):
    """One plan for the coordinator: assignments, reviews, aggregate, disagreement."""
    return _plan_page(request, selectors.get_plan_for_coordinator(pk))


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def reviewer_choices(request, pk):
    """The plan page's reviewers matching `?cari=` (name, NIP or agency), keeping those
    ticked (`?reviewers=`): the assign form's checkboxes, or with `?bentuk=opsi` the
    replacement's <option>s (none chosen: the automatic choice stays the default)."""
    plan = selectors.get_plan_for_coordinator(pk)
    choices = selectors.reviewer_options(
        plan,
        query=request.GET.get("cari", ""),
        chosen=_chosen_ids(request.GET.getlist("reviewers")),
    )
    template = (
        "assessment/partials/replacement_options.html"
        if request.GET.get("bentuk") == "opsi"
        else "assessment/partials/reviewer_choices.html"
    )
    return render(request, template, {"choices": choices, "plan": plan})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def assign(request, pk):
    plan = selectors.get_plan_for_coordinator(pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            created = services.assign_reviewers(
                plan,
                reviewers=form.cleaned_data["reviewers"],
                by=request.user,
                due_date=form.cleaned_data["due_date"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except PlanError as error:
            form_error(form, error)
        else:
            messages.success(request, _("%(n)s reviewer ditugaskan.") % {"n": len(created)})
            return redirect("assessment:plan", pk)
    return _plan_page(request, plan, assign_form=form, status=400)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def release(request, pk):
    plan = selectors.get_plan_for_coordinator(pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        assignment = selectors.get_assignment_of(plan, form.cleaned_data["assignment"])
        try:
            new = services.replace_reviewer(
                assignment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                replacement=form.cleaned_data["replacement"],
            )
        except PlanError as error:
            form_error(form, error)
        else:
            if new is None:
                messages.warning(
                    request, _("Reviewer dilepas; belum ada pengganti yang bebas konflik.")
                )
            else:
                messages.success(
                    request, _("Reviewer pengganti: %(name)s") % {"name": new.reviewer}
                )
            return redirect("assessment:plan", pk)
    return _plan_page(request, plan, release_form=form, status=400)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def reopen(request, pk):
    plan = selectors.get_plan_for_coordinator(pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        raise Http404("No such review")
    target = selectors.get_review_of(plan, form.cleaned_data["review"])
    try:
        services.reopen_review(target, by=request.user, note=form.cleaned_data["note"])
    except PlanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Penilaian dibuka kembali untuk reviewer."))
    return redirect("assessment:plan", pk)


@login_required
@permission_required("assessment.view_calibration", raise_exception=True)
@require_GET
def calibration(request):
    """Per reviewer of the cycle: their reviews' mean and spread against their
    co-reviewers', paginated; `?unduh=xlsx` every row as a spreadsheet. Per decided plan
    whose team assessed itself (`assessment.view_all_self_assessments`): the
    self-assessment beside the reviewers' mean per criterion, 50 plans a page
    (`?mandiri=`)."""
    cycle = chosen_cycle(request)
    rows = selectors.calibration(cycle) if cycle else []
    if cycle is not None and request.GET.get("unduh") == "xlsx":
        return xlsx_download(exports.calibration_workbook(cycle, rows), "kalibrasi")
    self_page, self_criteria, self_rows = None, [], []
    if cycle and request.user.has_perm("assessment.view_all_self_assessments"):
        self_page = Paginator(selectors.self_assessed_plans(cycle), SELF_PAGE_SIZE).get_page(
            request.GET.get("mandiri")
        )
        self_criteria, self_rows = selectors.self_calibration_rows(cycle, self_page.object_list)
    return render(
        request,
        "assessment/calibration.html",
        {
            "cycle": cycle,
            "cycles": cycle_choices(),
            "page": Paginator(rows, CALIBRATION_PAGE_SIZE).get_page(request.GET.get("page")),
            "self_page": self_page,
            "self_criteria": self_criteria,
            "self_rows": self_rows,
        },
    )
