"""Pages of the assessment: the reviewer's queue and review page, conflicts; the
coordinator's board, cycles, rubric, participants, assignment, decisions, calibration;
the agent's view of the decision. Thin: parse, check, call a selector or a service."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from plans.enums import PlanState
from plans.selectors import current_cycle, cycle_choices, get_cycle_by_code, get_plan_for

from . import selectors, services
from .enums import DecisionOutcome
from .forms import (
    AssignForm,
    BoardFilterForm,
    BulkDecisionForm,
    ConflictForm,
    CriterionFormSet,
    CycleForm,
    DecisionForm,
    ParticipantsUploadForm,
    ReleaseForm,
    ReopenForm,
    ReviewForm,
    criterion_initial,
)
from .imports import ImportFileError, read_rows
from .models import AssignmentRun
from .selectors.runs import latest_assignment_run
from .services import PlanError
from .services.participants import IMPORT_FOLDER
from .services.runs import request_auto_assign

MANAGE = "assessment.manage_assessment"


def _form_error(form, error: PlanError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _chosen_cycle(request):
    """The cycle of `?cycle=<code>` (404 when unknown), else the current one."""
    code = request.GET.get("cycle") or request.POST.get("cycle") or ""
    return get_cycle_by_code(code) if code else current_cycle()


def _with_cycle(name: str, cycle, *args) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode({'cycle': cycle.code})}" if cycle else url


# --- Reviewer ------------------------------------------------------------------------------


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
@permission_required("assessment.view_review_queue", raise_exception=True)
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """The review page: the submitted version read-only beside the rubric."""
    assignment = selectors.get_assignment_for(request.user, pk)
    page = selectors.review_page(assignment)
    initial = {}
    if page.review is not None:
        initial = {
            "overall_feedback": page.review.overall_feedback,
            "confidential_note": page.review.confidential_note,
        }
        for row in page.rows:
            if row.score is not None:
                initial[f"level_{row.criterion.code}"] = row.score.level
                initial[f"comment_{row.criterion.code}"] = row.score.comment
    form = ReviewForm(request.POST or None, initial=initial, rows=page.rows)
    if request.method == "POST" and not page.locked and form.is_valid():
        action = request.POST.get("action", "save")
        try:
            saved = services.save_review(
                assignment,
                levels=form.levels(),
                overall_feedback=form.cleaned_data["overall_feedback"],
                confidential_note=form.cleaned_data["confidential_note"],
                by=request.user,
            )
            if action == "submit":
                services.submit_review(saved, by=request.user)
                messages.success(request, _("Penilaian dikirim dan terkunci."))
                return redirect("assessment:review", pk)
        except PlanError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Draf penilaian disimpan."))
            if action == "save_next":
                if page.next_plan_id:
                    return redirect("assessment:review", page.next_plan_id)
                return redirect("assessment:queue")
            return redirect("assessment:review", pk)
    elif request.method == "POST" and page.locked:
        messages.error(request, _("Penilaian sudah dikirim dan terkunci."))
        return redirect("assessment:review", pk)
    return render(
        request,
        "assessment/review.html",
        {"page": page, "form": form, "snapshot": page.version.snapshot if page.version else {}},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("assessment.view_review_queue", raise_exception=True)
@require_http_methods(["GET", "POST"])
def conflicts(request):
    """The reviewer declares conflicts of interest with agencies or agents."""
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_conflict(
                by=request.user,
                agency=form.cleaned_data["agency"],
                agent=form.cleaned_data["agent"],
                reason=form.cleaned_data["reason"],
            )
        except PlanError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Konflik kepentingan dicatat."))
            return redirect("assessment:conflicts")
    declared = selectors.conflicts_of(request.user)
    return render(request, "assessment/conflicts.html", {"form": form, "declared": declared})


@login_required
@permission_required("assessment.view_review_queue", raise_exception=True)
@require_POST
def conflict_withdraw(request):
    conflict = selectors.get_conflict_for(request.user, request.POST.get("conflict"))
    services.withdraw_conflict(conflict, by=request.user)
    messages.success(request, _("Pernyataan konflik dihapus."))
    return redirect("assessment:conflicts")


# --- Coordinator: board, cycles, rubric ------------------------------------------------------


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


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def cycles(request):
    return render(request, "assessment/cycles.html", {"cycles": list(cycle_choices())})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def cycle_create(request):
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_cycle(form.cleaned_data, by=request.user)
        except PlanError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Siklus dibuat dengan salinan instrumen bawaan."))
            return redirect(_with_cycle("assessment:rubric", cycle))
    return render(request, "assessment/cycle_form.html", {"form": form, "cycle": None})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def cycle_edit(request):
    cycle = _chosen_cycle(request)
    if cycle is None:
        return redirect("assessment:cycle_create")
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_cycle(cycle, form.cleaned_data, by=request.user)
        except PlanError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Siklus disimpan."))
            return redirect("assessment:cycles")
    return render(request, "assessment/cycle_form.html", {"form": form, "cycle": cycle})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def cycle_clone(request):
    """Next year's cycle from the one given (default: the newest), with its rubric."""
    source = _chosen_cycle(request) if request.POST.get("cycle") else cycle_choices().first()
    if source is None:
        messages.error(request, _("Belum ada siklus untuk disalin."))
        return redirect("assessment:cycles")
    try:
        cycle = services.clone_cycle(source, by=request.user)
    except PlanError as error:
        messages.error(request, str(error.message))
        return redirect("assessment:cycles")
    messages.success(
        request, _("Siklus %(name)s dibuat dari %(source)s.") % {"name": cycle, "source": source}
    )
    return redirect(_with_cycle("assessment:cycle_edit", cycle))


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def rubric(request):
    cycle = _chosen_cycle(request)
    if cycle is None:
        return redirect("assessment:cycle_create")
    current = selectors.rubric_of(cycle)
    frozen = current is not None and services.rubric_is_frozen(current)
    criteria = list(current.criteria.prefetch_related("levels")) if current else []
    formset = CriterionFormSet(
        request.POST or None, initial=criterion_initial(criteria), prefix="criteria"
    )
    if request.method == "POST" and not frozen and formset.is_valid():
        try:
            services.save_rubric(cycle, criteria=formset.criteria(), by=request.user)
        except PlanError as error:
            formset._non_form_errors = formset.error_class([str(error.message)])
        else:
            messages.success(request, _("Instrumen penilaian disimpan."))
            return redirect(_with_cycle("assessment:rubric", cycle))
    return render(
        request,
        "assessment/rubric.html",
        {
            "cycle": cycle,
            "cycles": cycle_choices(),
            "rubric": current,
            "criteria": criteria,
            "frozen": frozen,
            "formset": formset,
            "weight_total": sum(c.weight for c in criteria),
        },
    )


# --- Coordinator: participants ---------------------------------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / IMPORT_FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def participants(request):
    """Upload a file; the dry run shows every row's outcome before anything is written."""
    form = ParticipantsUploadForm(request.POST or None, request.FILES or None)
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            rows = read_rows(upload.name, content)
        except ImportFileError as error:
            form.add_error("file", str(error.message))
        else:
            plan = services.import_participants(rows, by=request.user, dry_run=True)
            if plan.ok:
                token = f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
                (_upload_dir() / token).write_bytes(content)
    return render(
        request, "assessment/participants.html", {"form": form, "plan": plan, "token": token}
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def participants_confirm(request):
    """Write the checked file in one transaction (checked again inside it)."""
    token = request.POST.get("token", "")
    path = _upload_dir() / token
    try:
        if not token or "/" in token or ".." in token:
            raise FileNotFoundError(token)
        # The nightly clean-up may remove the file at any moment: read it, don't ask first.
        content = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        messages.error(request, _("Berkas uji coba tidak ditemukan; unggah ulang."))
        return redirect("assessment:participants")
    rows = read_rows(token, content)
    plan = services.import_participants(rows, by=request.user)
    if not plan.ok:
        messages.error(request, _("Data berubah sejak uji coba; periksa kembali."))
        return render(
            request,
            "assessment/participants.html",
            {"form": ParticipantsUploadForm(), "plan": plan, "token": None},
        )
    path.unlink(missing_ok=True)
    messages.success(
        request,
        _("Impor selesai: %(created)s dibuat, %(updated)s diperbarui, %(unchanged)s tetap.")
        % {
            "created": plan.count("create"),
            "updated": plan.count("update"),
            "unchanged": plan.count("unchanged"),
        },
    )
    return redirect("assessment:participants")


# --- Coordinator: assignment ------------------------------------------------------------------


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def assignments(request):
    """Submitted plans and plans short of reviewers; auto-assign (and the status of the
    latest background run); reviewer load."""
    cycle = _chosen_cycle(request)
    counts, rows = (
        selectors.decision_board(cycle, group="awaiting_assignment") if cycle else ({}, [])
    )
    short = (
        selectors.decision_board(cycle, group="in_review")[1].filter(
            reviewers__lt=cycle.reviewers_per_plan
        )
        if cycle
        else []
    )
    return render(
        request,
        "assessment/assignments.html",
        {
            "cycle": cycle,
            "cycles": cycle_choices(),
            "plans": list(rows[:200]) if cycle else [],
            "awaiting": counts.get("awaiting_assignment", 0),
            "short": list(short[:200]) if cycle else [],
            "load": list(selectors.reviewer_load(cycle)) if cycle else [],
            "run": latest_assignment_run(cycle),
        },
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def assignment_run(request):
    """The latest background run of the cycle: the fragment the assignments page polls."""
    cycle = _chosen_cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    run = latest_assignment_run(cycle)
    response = render(
        request, "assessment/partials/assignment_run.html", {"cycle": cycle, "run": run}
    )
    if request.htmx and (run is None or not run.is_active):
        # The page was polling a run that has now ended: reload it whole, so that the
        # plans waiting, the reviewers' load and the button show what the run did.
        response["HX-Refresh"] = "true"
    return response


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def auto_assign(request):
    """Auto-assign the cycle: at once for a province's cycle, in the background (a run the
    page polls) when more than AGENPLAN_AUTO_ASSIGN_SYNC_LIMIT plans wait."""
    cycle = _chosen_cycle(request)
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
            return redirect(_with_cycle("assessment:assignments", cycle))
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
    return redirect(_with_cycle("assessment:assignments", cycle))


def _plan_page(request, plan, *, assign_form=None, release_form=None, status=200):
    return render(
        request,
        "assessment/plan.html",
        {
            "data": selectors.plan_assessment(plan),
            "reviewers": selectors.reviewer_options(plan),
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
            _form_error(form, error)
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
            _form_error(form, error)
        else:
            if new is None:
                messages.warning(
                    request, _("Reviewer dilepas; belum ada pengganti yang bebas konflik.")
                )
            else:
                messages.success(
                    request, _("Reviewer diganti oleh %(name)s.") % {"name": new.reviewer}
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


# --- Coordinator: decisions ----------------------------------------------------------------


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    plan = selectors.get_plan_for_coordinator(pk)
    initial = {"outcome": DecisionOutcome.APPROVE}
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
            _form_error(form, error)
        else:
            messages.success(request, _("Keputusan disimpan dan agen diberi tahu."))
            return redirect(_with_cycle("assessment:decisions", plan.cycle))
    return render(
        request,
        "assessment/decide.html",
        {
            "data": selectors.plan_assessment(plan),
            "form": form,
            "can_decide": plan.state == PlanState.REVIEWED,
        },
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def decisions(request):
    """The decision board: plans by status with scores and flags; filters in the URL."""
    cycle = _chosen_cycle(request)
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
        )
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
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
        },
    )


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def bulk_decide(request):
    """Step 1 (no `confirm`): show what will be decided. Step 2: decide, all or none."""
    cycle = _chosen_cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    form = BulkDecisionForm(request.POST, cycle=cycle)
    if not form.is_valid():
        for error in form.errors.get("plans", []) or form.errors.get("outcome", []):
            messages.error(request, error)
        if not form.errors.get("plans") and not form.errors.get("outcome"):
            messages.error(request, _("Periksa kembali pilihan Anda."))
        return redirect(_with_cycle("assessment:decisions", cycle))
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
        done = services.decide_plans(
            chosen,
            outcome=form.cleaned_data["outcome"],
            feedback=form.cleaned_data["feedback"],
            by=request.user,
        )
    except PlanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("%(n)s rencana diputuskan.") % {"n": len(done)})
    return redirect(_with_cycle("assessment:decisions", cycle))


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def calibration(request):
    cycle = _chosen_cycle(request)
    return render(
        request,
        "assessment/calibration.html",
        {
            "cycle": cycle,
            "cycles": cycle_choices(),
            "rows": selectors.calibration(cycle) if cycle else [],
        },
    )


# --- The plan's agents --------------------------------------------------------------------


@login_required
@require_GET
def feedback(request, pk):
    """The decision, score and feedback on a plan, for whoever may see the plan."""
    plan = get_plan_for(request.user, pk)
    return render(request, "assessment/feedback.html", {"plan": plan})
