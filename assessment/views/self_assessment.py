"""The team's self-assessment of its plan (penilaian mandiri): scored while the plan may
be edited, read by the team, and beside the reviewers' mean after the decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from plans.enums import PlanState
from plans.selectors import get_plan_for

from .. import selectors
from ..forms import SelfAssessmentForm
from ..services import PlanError, save_self_assessment
from ..services.self_assessment import next_version_number
from .common import form_error


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment(request, pk):
    """The rubric with the team's levels for the version it prepares, what pulls the total
    down (linked to the editor's sections), earlier versions' self-assessments, and after
    the decision the decided version's beside the reviewers' mean. 404 for whoever does
    not see the plan; 403 for whoever sees it but not its self-assessment."""
    plan = get_plan_for(request.user, pk)
    if not request.user.has_perm("assessment.view_self_assessment", plan):
        raise PermissionDenied
    may_edit = plan.state in PlanState.EDITABLE and request.user.has_perm(
        "assessment.self_assess", plan
    )
    page = selectors.self_assessment_page(
        plan, request.user, open_version=next_version_number(plan) if may_edit else None
    )
    initial = {}
    if page.current is not None:
        initial = {f"level_{code}": level for code, level in page.current.levels.items()}
    form = SelfAssessmentForm(request.POST or None, initial=initial, criteria=page.criteria)
    if request.method == "POST":
        if not may_edit:
            messages.error(
                request,
                _("Penilaian mandiri hanya dapat diisi selama rencana masih dapat diubah."),
            )
            return redirect("assessment:self_assessment", plan.pk)
        if form.is_valid():
            try:
                save_self_assessment(plan, levels=form.levels(), by=request.user)
            except PlanError as error:
                form_error(form, error)
            else:
                messages.success(request, _("Penilaian mandiri disimpan."))
                return redirect("assessment:self_assessment", plan.pk)
    return render(
        request,
        "assessment/self_assessment.html",
        {"plan": plan, "page": page, "form": form, "may_edit": may_edit},
        status=400 if form.errors else 200,
    )
