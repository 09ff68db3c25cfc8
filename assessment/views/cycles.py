"""The coordinator's cycles and their rubric: list, create, edit, clone into next year,
and the assessment instrument (frozen once a review has been submitted)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from plans.selectors import cycle_choices

from .. import selectors, services
from ..forms import CriterionFormSet, CycleForm, criterion_initial
from ..services import PlanError
from .common import MANAGE, chosen_cycle, form_error, with_cycle


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
            form_error(form, error)
        else:
            messages.success(request, _("Siklus dibuat dengan salinan instrumen bawaan."))
            return redirect(with_cycle("assessment:rubric", cycle))
    return render(request, "assessment/cycle_form.html", {"form": form, "cycle": None})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def cycle_edit(request):
    cycle = chosen_cycle(request)
    if cycle is None:
        return redirect("assessment:cycle_create")
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_cycle(cycle, form.cleaned_data, by=request.user)
        except PlanError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Siklus disimpan."))
            return redirect("assessment:cycles")
    return render(request, "assessment/cycle_form.html", {"form": form, "cycle": cycle})


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def cycle_clone(request):
    """Next year's cycle from the one given (default: the newest), with its rubric."""
    source = chosen_cycle(request) if request.POST.get("cycle") else cycle_choices().first()
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
    return redirect(with_cycle("assessment:cycle_edit", cycle))


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def rubric(request):
    cycle = chosen_cycle(request)
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
            return redirect(with_cycle("assessment:rubric", cycle))
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
