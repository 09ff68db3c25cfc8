"""The plan editor: sections, rows, autosave with optimistic locking, conflicts.

The page is one <form>: without JavaScript it posts every section at once (`plan_edit`);
with htmx each section autosaves on its own (`autosave_section`). Both call
`services.save_plan_sections` with the `lock_version` the page was based on; a save based
on an older version gets the conflict screen, which carries the user's text so that no
word is lost.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from .. import selectors, services
from ..checklist import plan_checklist
from ..diff import field_text, word_diff
from ..enums import PlanSection, PlanState
from ..forms import (
    ROW_FORMSETS,
    SECTION_FORMS,
    AttachmentForm,
    CoAgentForm,
    row_initial,
)
from ..services import TEXT_FIELDS, PlanConflict, PlanError
from ..services.editing import ROW_FIELDS, ROW_SECTIONS, SECTION_FIELDS, SECTION_M2M
from . import _plan

# Sections in the order of the page; the first number is the one the agent sees.
SECTION_ORDER = [
    PlanSection.IDENTITY,
    PlanSection.PROBLEM,
    PlanSection.CHANGE,
    PlanSection.ALIGNMENT,
    PlanSection.ACTIVITIES,
    PlanSection.TARGETS,
    PlanSection.IMPACT,
    PlanSection.RISKS,
    PlanSection.ATTACHMENTS,
]
TEXTAREA_FIELDS = frozenset(TEXT_FIELDS)


def has_assessment_feedback_tag() -> bool:
    """Whether the assessment app provides `{% plan_feedback %}` (a template library, so
    plans never imports assessment)."""
    return "assessment_ui" in engines["django"].engine.template_libraries


# --- Building forms ---------------------------------------------------------------------


def _section_form(section, plan, data=None, choices=None):
    form_class = SECTION_FORMS[section]
    kwargs = {"choices": choices} if section == PlanSection.ALIGNMENT else {}
    # A ModelForm writes the cleaned values onto its instance while validating; give it a
    # copy, so that the plan itself keeps the stored values the service compares against.
    return form_class(data, instance=copy.copy(plan), **kwargs)


def _row_formset(section, plan, data=None, *, extra_blank=False):
    formset_class = ROW_FORMSETS[section]
    if data is not None:
        return formset_class(data, prefix=section, cycle=plan.cycle)
    rows = plan.activities.all() if section == PlanSection.ACTIVITIES else plan.targets.all()
    initial = row_initial(rows, section)
    formset = formset_class(prefix=section, initial=initial, cycle=plan.cycle)
    if extra_blank or not initial:
        formset.extra = 1
    return formset


def _parse_sections(plan, data, sections, choices=None):
    """Bound forms for the given sections, and the cleaned values of the valid ones."""
    forms, cleaned = {}, {}
    for section in sections:
        if section in ROW_SECTIONS:
            formset = _row_formset(section, plan, data)
            forms[section] = formset
            if formset.is_valid():
                cleaned[section] = formset.kept_rows()
        else:
            form = _section_form(section, plan, data, choices)
            forms[section] = form
            if form.is_valid():
                cleaned[section] = form.cleaned_data
    return forms, cleaned


def _lock_version(data) -> int | None:
    try:
        value = int(data.get("lock_version", ""))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def _apply_row_action(cleaned: dict, action: str) -> str:
    """Apply a no-JavaScript row button ("activities-2-up", "targets-0-remove") to the
    cleaned rows; returns the section it touched."""
    section, _sep, rest = action.partition("-")
    if section not in ROW_SECTIONS or section not in cleaned:
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


def _editor_context(request, plan, *, bound=None, add_row="", attachment_form=None):
    bound = bound or {}
    choices = selectors.editor_choices()
    forms = {}
    for section in SECTION_ORDER:
        if section == PlanSection.ATTACHMENTS:
            continue
        if section in bound:
            forms[section] = bound[section]
        elif section in ROW_SECTIONS:
            forms[section] = _row_formset(section, plan, extra_blank=add_row == section)
        else:
            forms[section] = _section_form(section, plan, choices=choices)
    checklist = plan_checklist(plan)
    missing = [item for item in checklist if not item.ok]
    decision = selectors.latest_decision(plan) if plan.versions.all() else None
    return {
        "plan": plan,
        "forms": forms,
        "sections": SECTION_ORDER,
        "section_labels": dict(PlanSection.choices),
        "checklist": checklist,
        "missing": missing,
        "checklist_done": len(checklist) - len(missing),
        "section_status": _section_status(checklist),
        "thread_counts": selectors.thread_counts(plan, request.user),
        "months": selectors.schedule_months(plan),
        "deadline": services.submission_deadline_for(plan),
        "actions": selectors.plan_actions(request.user, plan),
        "is_owner": plan.owner.user_id == request.user.pk,
        "team_form": CoAgentForm(plan=plan),
        "attachment_form": attachment_form or AttachmentForm(),
        "decision": decision,
        "use_feedback_tag": decision is not None and has_assessment_feedback_tag(),
        "saved_at": plan.updated_at,
    }


def _section_status(checklist) -> dict[str, bool]:
    status: dict[str, bool] = {}
    for item in checklist:
        status[item.section] = status.get(item.section, True) and item.ok
    return status


def _render_editor(request, plan, *, status=200, **kwargs):
    plan = selectors.plan_for_editor(plan)
    return render(
        request, "plans/edit.html", _editor_context(request, plan, **kwargs), status=status
    )


def _editable_or_redirect(request, plan):
    if plan.state in PlanState.EDITABLE:
        return None
    messages.info(
        request,
        _("Rencana berstatus %(state)s; isinya tidak dapat diubah.")
        % {"state": plan.get_state_display()},
    )
    return redirect("plans:detail", pk=plan.pk)


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = _plan(request, pk)
    if (response := _editable_or_redirect(request, plan)) is not None:
        return response
    if request.method == "GET":
        add_row = request.GET.get("tambah", "")
        return _render_editor(request, plan, add_row=add_row if add_row in ROW_SECTIONS else "")
    return _save_whole_page(request, plan)


def _save_whole_page(request, plan):
    """The page posted without JavaScript: every section, and maybe a row button."""
    plan = selectors.plan_for_editor(plan)
    based_on = _lock_version(request.POST)
    if based_on is None:
        messages.error(request, _("Halaman ini sudah usang; muat ulang lalu ulangi."))
        return redirect("plans:edit", pk=plan.pk)
    editable = [s for s in SECTION_ORDER if s != PlanSection.ATTACHMENTS]
    forms, cleaned = _parse_sections(plan, request.POST, editable)
    action = request.POST.get("row_action", "")
    touched = ""
    if action.endswith("-add"):
        touched = action.removesuffix("-add")
    elif action:
        touched = _apply_row_action(cleaned, action)
    try:
        result = services.save_plan_sections(plan, data=cleaned, based_on=based_on, by=request.user)
    except PlanConflict as conflict:
        return _render_conflict(request, plan, request.POST, list(forms), conflict)
    except PlanError as exc:
        form = forms.get(PlanSection.IDENTITY)
        if exc.field and form is not None and exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
            return _render_editor(request, plan, bound={PlanSection.IDENTITY: form})
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
            % {"time": timezone.localtime(result.saved_at).strftime("%H:%M")},
        )
    url = reverse("plans:edit", args=[plan.pk])
    if action.endswith("-add") and touched in ROW_SECTIONS:
        return redirect(f"{url}?tambah={touched}#section-{touched}")
    if touched:
        return redirect(f"{url}#section-{touched}")
    return redirect(url)


# --- Autosave (htmx) ----------------------------------------------------------------------


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_POST
def autosave_section(request, pk):
    plan = _plan(request, pk)
    section = request.GET.get("bagian", "")
    if section not in SECTION_ORDER or section == PlanSection.ATTACHMENTS:
        raise Http404("No such section")
    plan = selectors.plan_for_editor(plan)
    based_on = _lock_version(request.POST)
    context = {"plan": plan, "section": section}
    if based_on is None:
        context["error"] = _("Halaman ini sudah usang; muat ulang lalu ulangi.")
        return render(request, "plans/partials/save_status.html", context)
    forms, cleaned = _parse_sections(plan, request.POST, [section])
    form = forms[section]
    context["form"] = form
    if section not in cleaned:
        context["invalid"] = True
        context["errors"] = _error_list(section, form)
        return render(request, "plans/partials/save_status.html", context)
    try:
        result = services.save_plan_sections(plan, data=cleaned, based_on=based_on, by=request.user)
    except PlanConflict as conflict:
        response = _render_conflict(request, plan, request.POST, [section], conflict)
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
        }
    )
    return render(request, "plans/partials/save_status.html", context)


def _error_list(section, form) -> list[tuple[str, str]]:
    """(element id, message) for every error of a section's form or formset."""
    errors = []
    if section in ROW_SECTIONS:
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
    if section not in ROW_SECTIONS:
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


# --- Conflicts ----------------------------------------------------------------------------


def _rows_snapshot(rows) -> list[dict]:
    def plain(value):
        if value is None:
            return ""
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    return [{k: plain(v) for k, v in row.items() if k not in ("id", "prefix")} for row in rows]


def _stored_rows(plan, section) -> list[dict]:
    rows = plan.activities.all() if section == PlanSection.ACTIVITIES else plan.targets.all()
    return _rows_snapshot([{n: getattr(r, n) for n in ROW_FIELDS[section]} for r in rows])


def _conflict_sections(plan, data, sections):
    """What the conflict screen shows: per section, the user's text beside the stored one."""
    choices = selectors.editor_choices()
    labels = dict(PlanSection.choices)
    result = []
    for section in sections:
        entry = {"section": section, "label": labels[section], "fields": [], "rows": None}
        if section in ROW_SECTIONS:
            formset = _row_formset(section, plan, data)
            if formset.is_valid():
                mine_rows = _rows_snapshot(formset.kept_rows())
            else:
                mine_rows = []
            mine = field_text({section: mine_rows}, section)
            stored = field_text({section: _stored_rows(plan, section)}, section)
            tokens, added, removed = word_diff(stored, mine)
            entry["rows"] = {
                "mine": mine,
                "stored": stored,
                "tokens": tokens,
                "formset": formset,
                "valid": formset.is_valid(),
            }
            entry["differs"] = mine != stored
            result.append(entry)
            continue
        form = _section_form(section, plan, data, choices)
        form.is_valid()
        differs = False
        for name in SECTION_FIELDS[section] + SECTION_M2M.get(section, []):
            bound = form[name]
            if name in TEXTAREA_FIELDS or name == "title":
                mine = data.get(name, "")
                stored = getattr(plan, name) or ""
            else:
                mine = _choice_text(bound, data)
                stored = _stored_choice_text(plan, name)
            tokens, _added, _removed = word_diff(stored, mine)
            same = mine == stored
            differs = differs or not same
            entry["fields"].append(
                {
                    "name": name,
                    "label": bound.label,
                    "mine": mine,
                    "stored": stored,
                    "tokens": tokens,
                    "same": same,
                    "mergeable": name in TEXTAREA_FIELDS or name == "title",
                    "hidden": [(name, v) for v in data.getlist(name)],
                }
            )
        entry["differs"] = differs
        result.append(entry)
    return result


def _choice_text(bound, data) -> str:
    values = set(data.getlist(bound.name))
    return "\n".join(
        str(label) for value, label in bound.field.choices if str(value) in values and value != ""
    )


def _stored_choice_text(plan, name) -> str:
    if name == "change_kind":
        return str(plan.get_change_kind_display()) if plan.change_kind else ""
    if name == "governor_mission":
        mission = plan.governor_mission
        return f"{mission.number}. {mission.text}" if mission else ""
    return "\n".join(obj.name for obj in getattr(plan, name).all())


def _render_conflict(request, plan, data, sections, conflict):
    fresh = selectors.plan_for_editor(selectors.get_plan_for(request.user, plan.pk))
    entries = _conflict_sections(fresh, data, sections)
    context = {
        "plan": fresh,
        "entries": [e for e in entries if e["differs"]],
        "unchanged": [e for e in entries if not e["differs"]],
        "based_on": conflict.current_version,
        "stored_at": fresh.updated_at,
        "row_hidden": _row_hidden(entries),
    }
    template = (
        "plans/partials/conflict_body.html"
        if request.headers.get("HX-Request")
        else "plans/conflict.html"
    )
    return render(request, template, context)


def _row_hidden(entries):
    """The user's posted row fields, carried as hidden inputs through the conflict screen."""
    hidden = []
    for entry in entries:
        if entry["rows"] is None or not entry["differs"]:
            continue
        formset = entry["rows"]["formset"]
        prefix = formset.prefix
        data = formset.data
        for key in data:
            if key.startswith(f"{prefix}-"):
                hidden.extend((key, value) for value in data.getlist(key))
    return hidden


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_POST
def resolve_conflict(request, pk):
    """Keep mine, keep theirs, or merge, section by section; then save once."""
    plan = _plan(request, pk)
    if (response := _editable_or_redirect(request, plan)) is not None:
        return response
    plan = selectors.plan_for_editor(plan)
    based_on = _lock_version(request.POST)
    sections = [s for s in request.POST.getlist("sections") if s in SECTION_ORDER]
    data = QueryDict(mutable=True)
    data.update(request.POST)
    chosen = []
    for section in sections:
        choice = request.POST.get(f"choice-{section}", "mine")
        if choice == "theirs":
            continue
        if choice == "merge":
            for name in SECTION_FIELDS.get(section, []):
                if f"merge-{name}" in request.POST:
                    data.setlist(name, request.POST.getlist(f"merge-{name}"))
        chosen.append(section)
    if based_on is None:
        messages.error(request, _("Halaman ini sudah usang; muat ulang lalu ulangi."))
        return redirect("plans:edit", pk=plan.pk)
    forms, cleaned = _parse_sections(plan, data, chosen)
    if len(cleaned) != len(chosen):
        conflict = PlanConflict(current_version=based_on, sections=sections)
        messages.error(request, _("Sebagian isian tidak valid; periksa lalu pilih lagi."))
        return _render_conflict(request, plan, data, sections, conflict)
    try:
        services.save_plan_sections(plan, data=cleaned, based_on=based_on, by=request.user)
    except PlanConflict as conflict:
        messages.warning(
            request, _("Rencana berubah lagi sementara Anda memilih; periksa sekali lagi.")
        )
        return _render_conflict(request, plan, data, sections, conflict)
    except PlanError as exc:
        messages.error(request, str(exc.message))
        return redirect("plans:edit", pk=plan.pk)
    messages.success(request, _("Perbedaan sudah diselesaikan dan rencana tersimpan."))
    return redirect("plans:edit", pk=plan.pk)
