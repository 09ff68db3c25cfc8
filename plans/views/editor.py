"""The plan editor: sections, rows, autosave with optimistic locking.

The page is one <form>: without JavaScript it posts every section at once (`plan_edit`);
with htmx each section autosaves on its own (`autosave_section`). Both call
`services.save_plan_sections` with the `lock_version` the page was based on; a save based
on an older version gets the conflict screen (`conflict.py`), which carries the user's
text so that no word is lost. The sections and their order come from `plans.sections`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from .. import sections, selectors
from ..checklist import plan_checklist
from ..enums import PlanState
from ..forms import ROW_FORMSETS, AttachmentForm, CoAgentForm
from ..services import editing, workflow
from ..services.common import PlanError
from ..services.editing import PlanConflict
from . import _plan
from .conflict import render_conflict
from .section_forms import (
    editable_keys,
    editable_or_redirect,
    lock_version,
    parse_sections,
    posted_bases,
    row_formset,
    section_bases,
    section_form,
)


def has_assessment_feedback_tag() -> bool:
    """Whether the assessment app provides `{% plan_feedback %}` (a template library, so
    plans never imports assessment)."""
    return "assessment_ui" in engines["django"].engine.template_libraries


def _apply_row_action(cleaned: dict, action: str) -> str:
    """Apply a no-JavaScript row button ("activities-2-up", "targets-0-remove") to the
    cleaned rows; returns the section it touched."""
    section, _sep, rest = action.partition("-")
    if section not in sections.row_sections() or section not in cleaned:
        return ""
    index, _sep, verb = rest.partition("-")
    rows = cleaned[section]
    prefix = f"{section}-{index}"
    position = next((i for i, row in enumerate(rows) if row["prefix"] == prefix), None)
    if position is None:
        return section
    if verb == "remove":
        rows.pop(position)
    elif verb == "up" and position > 0:
        rows[position - 1], rows[position] = rows[position], rows[position - 1]
    elif verb == "down" and position < len(rows) - 1:
        rows[position + 1], rows[position] = rows[position], rows[position + 1]
    return section


# --- The page -----------------------------------------------------------------------------


def _editor_context(request, plan, *, bound=None, add_row="", attachment_form=None, choices=None):
    bound = bound or {}
    choices = choices or selectors.editor_choices()
    mission = choices["missions_by_pk"].get(plan.governor_mission_id)
    if mission is not None:
        plan.governor_mission = mission  # the same row, already read
    forms = {}
    rows = sections.row_sections()
    for section in editable_keys():
        if section in bound:
            forms[section] = bound[section]
        elif section in rows:
            forms[section] = row_formset(section, plan, extra_blank=add_row == section)
        else:
            forms[section] = section_form(section, plan, choices=choices)
    checklist = plan_checklist(plan)
    missing = [item for item in checklist if not item.ok]
    # Only a plan sent back for revision carries a decision into the editor: a draft was
    # never decided (a withdrawal returns a revision to "perlu revisi", not to draft).
    revising = plan.state == PlanState.REVISION_REQUESTED
    decision = selectors.latest_decision(plan) if revising else None
    return {
        "plan": plan,
        # The context strip names the plan's cycle, the one this page works in.
        "current_cycle": plan.cycle,
        "forms": forms,
        "sections": sections.keys(),
        "section_labels": {entry.key: entry.label for entry in sections.all_sections()},
        "checklist": checklist,
        "missing": missing,
        "checklist_done": len(checklist) - len(missing),
        "section_status": _section_status(checklist),
        "thread_counts": selectors.thread_counts(plan, request.user),
        "months": selectors.schedule_months(plan),
        "deadline": workflow.submission_deadline_for(plan),
        "actions": selectors.plan_actions(request.user, plan),
        "can_change_team": request.user.has_perm("plans.change_team_actionplan", plan),
        "team_form": CoAgentForm(plan=plan),
        "attachment_form": attachment_form or AttachmentForm(),
        "decision": decision,
        "use_feedback_tag": decision is not None and has_assessment_feedback_tag(),
        "saved_at": plan.updated_at,
        "bases": section_bases(plan),
    }


def _section_status(checklist) -> dict[str, bool]:
    status: dict[str, bool] = {}
    for item in checklist:
        status[item.section] = status.get(item.section, True) and item.ok
    return status


def _render_editor(request, plan, *, status=200, **kwargs):
    choices = selectors.editor_choices()
    plan = selectors.plan_for_editor(plan, choices)
    context = _editor_context(request, plan, choices=choices, **kwargs)
    return render(request, "plans/edit.html", context, status=status)


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = _plan(request, pk)
    if (response := editable_or_redirect(request, plan)) is not None:
        return response
    if request.method == "GET":
        add_row = request.GET.get("tambah", "")
        rows = sections.row_sections()
        return _render_editor(request, plan, add_row=add_row if add_row in rows else "")
    return _save_whole_page(request, plan)


def _save_whole_page(request, plan):
    """The page posted without JavaScript: every section, and maybe a row button."""
    plan = selectors.plan_for_editor(plan)
    based_on = lock_version(request.POST)
    if based_on is None:
        messages.error(request, _("Halaman ini sudah usang; muat ulang lalu ulangi."))
        return redirect("plans:edit", pk=plan.pk)
    forms, cleaned = parse_sections(plan, request.POST, editable_keys())
    bases = posted_bases(request.POST, editable_keys())
    action = request.POST.get("row_action", "")
    touched = ""
    if action.endswith("-add"):
        touched = action.removesuffix("-add")
    elif action:
        touched = _apply_row_action(cleaned, action)
    try:
        result = editing.save_plan_sections(
            plan, data=cleaned, based_on=based_on, bases=bases, by=request.user
        )
    except PlanConflict as conflict:
        _save_apart_from(plan, cleaned, conflict, based_on=based_on, bases=bases, by=request.user)
        return render_conflict(request, plan, request.POST, conflict.sections, conflict)
    except PlanError as exc:
        form = forms.get("identity")
        if exc.field and form is not None and exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
            return _render_editor(request, plan, bound={"identity": form})
        messages.error(request, str(exc.message))
        return redirect("plans:detail", pk=plan.pk)
    invalid = {section: form for section, form in forms.items() if section not in cleaned}
    if invalid:
        messages.warning(
            request,
            _("Sebagian isian belum tersimpan; perbaiki isian yang ditandai merah."),
        )
        return _render_editor(request, plan, bound=invalid)
    if result.changed:
        messages.success(
            request,
            _("Tersimpan pukul %(time)s WITA.")
            % {"time": time_format(timezone.localtime(result.saved_at), "TIME_FORMAT")},
        )
    url = reverse("plans:edit", args=[plan.pk])
    if action.endswith("-add") and touched in sections.row_sections():
        return redirect(f"{url}?tambah={touched}#section-{touched}")
    if touched:
        return redirect(f"{url}#section-{touched}")
    return redirect(url)


def _save_apart_from(plan, cleaned, conflict, **kwargs) -> None:
    """Save the sections of a whole-page post that do not overlap another person's
    changes, so that only the overlapping ones wait on the conflict screen."""
    rest = {key: values for key, values in cleaned.items() if key not in conflict.sections}
    if not rest:
        return
    try:
        editing.save_plan_sections(plan, data=rest, **kwargs)
    except PlanError:
        return


# --- Autosave (htmx) ----------------------------------------------------------------------


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_POST
def autosave_section(request, pk):
    plan = _plan(request, pk)
    section = request.GET.get("bagian", "")
    if section not in editable_keys():
        raise Http404("No such section")
    plan = selectors.plan_for_editor(plan)
    based_on = lock_version(request.POST)
    context = {"plan": plan, "section": section}
    if based_on is None:
        context["error"] = _("Halaman ini sudah usang; muat ulang lalu ulangi.")
        return render(request, "plans/partials/save_status.html", context)
    forms, cleaned = parse_sections(plan, request.POST, [section])
    form = forms[section]
    context["form"] = form
    if section not in cleaned:
        context["invalid"] = True
        context["errors"] = _error_list(section, form)
        return render(request, "plans/partials/save_status.html", context)
    try:
        result = editing.save_plan_sections(
            plan,
            data=cleaned,
            based_on=based_on,
            bases=posted_bases(request.POST, [section]),
            by=request.user,
        )
    except PlanConflict as conflict:
        response = render_conflict(request, plan, request.POST, [section], conflict)
        # The conflict screen replaces the whole page content (the editor is stale).
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "innerHTML show:window:top"
        return response
    except PlanError as exc:
        context["error"] = str(exc.message)
        if exc.field:
            context["errors"] = [(f"id_{exc.field}", str(exc.message))]
        return render(request, "plans/partials/save_status.html", context)
    plan = selectors.plan_for_editor(plan)  # prefetches again only what the save changed
    checklist = plan_checklist(plan)
    context.update(
        {
            "plan": plan,
            "result": result,
            "saved_at": result.saved_at or plan.updated_at,
            "checklist": checklist,
            "missing": [item for item in checklist if not item.ok],
            "checklist_done": sum(1 for item in checklist if item.ok),
            "section_status": _section_status(checklist),
            "months": selectors.schedule_months(plan),
            "errors": [],
            "row_ids": result.row_ids,
            "bases": section_bases(plan, [section]),
            "actions": selectors.plan_actions(request.user, plan),
        }
    )
    return render(request, "plans/partials/save_status.html", context)


def _error_list(section, form) -> list[tuple[str, str]]:
    """(element id, message) for every error of a section's form or formset."""
    errors = []
    if section in sections.row_sections():
        for i, row_form in enumerate(form.forms, start=1):
            for name, field_errors in row_form.errors.items():
                if name == "__all__":
                    continue
                label = row_form.fields[name].label if name in row_form.fields else name
                errors.extend(
                    (
                        f"id_{row_form.prefix}-{name}",
                        _("Baris %(n)d — %(field)s: %(message)s")
                        % {"n": i, "field": label, "message": message},
                    )
                    for message in field_errors
                )
        errors += [(f"section-{section}", str(m)) for m in form.non_form_errors()]
        return errors
    for name, field_errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in field_errors:
            errors.append((f"id_{name}", f"{label}: {message}" if label else str(message)))
    return errors


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_GET
def add_row(request, pk):
    """One blank activity or target row, appended by htmx (the page numbers it)."""
    plan = _plan(request, pk)
    section = request.GET.get("bagian", "")
    if section not in sections.row_sections():
        raise Http404("No such section")
    try:
        index = int(request.GET.get(f"{section}-TOTAL_FORMS", "0"))
    except ValueError:
        index = 0
    index = max(0, min(index, 200))
    formset = ROW_FORMSETS[section](prefix=section, cycle=plan.cycle)
    form = formset.empty_form
    form.prefix = f"{section}-{index}"
    return render(
        request,
        "plans/partials/row_added.html",
        {"plan": plan, "section": section, "row": form, "index": index, "total": index + 1},
    )
