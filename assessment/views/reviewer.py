"""The reviewer's pages: the queue, the review page beside the submitted version, and
the declarations of conflicts of interest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from .. import selectors, services
from ..forms import ConflictForm, ReviewForm
from ..services import PlanError
from .common import form_error

QUEUE_PAGE_SIZE = 50
THREADS_PAGE_SIZE = 20
# The review page's keys (static/js/assessment.js acts on them; the page lists them).
SHORTCUTS = [
    ("J", gettext_lazy("rencana berikutnya di antrean")),
    ("K", gettext_lazy("rencana sebelumnya di antrean")),
    ("S", gettext_lazy("simpan draf penilaian")),
]


@login_required
@permission_required("assessment.view_review_queue", raise_exception=True)
@require_GET
def queue(request):
    """The reviewer's "Antrean penilaian": assignments with due dates (sorted, paginated);
    threads to answer (paginated, `?utas=`)."""
    assignments = selectors.queue_assignments(request.user, sort=request.GET.get("sort", ""))
    page = Paginator(assignments, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.mark_queue_rows(page.object_list)
    threads = selectors.threads_awaiting_reply(request.user)
    return render(
        request,
        "assessment/queue.html",
        {
            "assignments": page,
            "waiting": selectors.waiting_count(request.user),
            "threads": Paginator(threads, THREADS_PAGE_SIZE).get_page(request.GET.get("utas")),
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
            form_error(form, error)
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
        {
            "page": page,
            "form": form,
            "snapshot": page.version.snapshot if page.version else {},
            "shortcuts": SHORTCUTS,
        },
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
            form_error(form, error)
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
