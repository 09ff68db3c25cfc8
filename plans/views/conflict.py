"""The conflict screen: a save based on an older version of the plan shows, section by
section, the user's input beside the stored content, so that no word is lost; the user
keeps theirs, keeps the stored one, or merges the texts, then saves once.

Every field is shown and compared as its kind (`plans.field_kinds`) reads it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from .. import sections, selectors
from ..diff import field_text, merge_texts, word_diff
from ..services import editing
from ..services.common import PlanError
from ..services.editing import PlanConflict
from . import _plan
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

CHOICES = ("mine", "theirs", "merge")


def _frozen_rows(entry, rows) -> list[dict]:
    return [{spec.name: spec.freeze(row) for spec in entry.row_fields} for row in rows]


def _rows_entry(entry, plan, data) -> dict:
    formset = row_formset(entry.key, plan, data)
    valid = formset.is_valid()
    mine_rows = _frozen_rows(entry, formset.kept_rows()) if valid else []
    stored_rows = _frozen_rows(entry, getattr(plan, entry.rows).all())
    mine = field_text({entry.key: mine_rows}, entry.key)
    stored = field_text({entry.key: stored_rows}, entry.key)
    tokens, _added, _removed = word_diff(stored, mine)
    return {
        "section": entry.key,
        "label": str(entry.label),
        "fields": [],
        "rows": {
            "mine": mine,
            "stored": stored,
            "tokens": tokens,
            "formset": formset,
            "valid": valid,
        },
        "differs": mine != stored,
    }


def _posted_text(spec, form, data) -> str:
    """The user's input for a field, as text: free text exactly as typed; any other kind
    as its kind reads the cleaned value, or the raw input when it is not valid."""
    if spec.kind.mergeable:
        return data.get(spec.name, "")
    cleaned = getattr(form, "cleaned_data", {})
    if spec.name in cleaned:
        return spec.text(spec.kind.to_json(cleaned[spec.name], spec))
    return ", ".join(data.getlist(spec.name))


def _fields_entry(entry, plan, data, choices) -> dict:
    form = section_form(entry.key, plan, data, choices)
    form.is_valid()
    fields = []
    for spec in entry.fields:
        mine = _posted_text(spec, form, data)
        stored = spec.text(spec.freeze(plan))
        tokens, _added, _removed = word_diff(stored, mine)
        fields.append(
            {
                "name": spec.name,
                "label": form[spec.name].label,
                "mine": mine,
                "stored": stored,
                "tokens": tokens,
                "same": mine == stored,
                "mergeable": spec.kind.mergeable,
                "merged": merge_texts(stored, mine) if spec.kind.mergeable else "",
                "hidden": [(spec.name, v) for v in data.getlist(spec.name)],
            }
        )
    return {
        "section": entry.key,
        "label": str(entry.label),
        "fields": fields,
        "rows": None,
        "differs": not all(f["same"] for f in fields),
    }


def conflict_sections(plan, data, keys) -> list[dict]:
    """What the conflict screen shows: per section, the user's input beside the stored."""
    choices = selectors.editor_choices()
    result = []
    for key in keys:
        entry = sections.section(key)
        if entry.rows:
            result.append(_rows_entry(entry, plan, data))
        else:
            result.append(_fields_entry(entry, plan, data, choices))
    return result


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


def render_conflict(request, plan, data, keys, conflict):
    fresh = selectors.plan_for_editor(selectors.get_plan_for(request.user, plan.pk))
    entries = conflict_sections(fresh, data, keys)
    context = {
        "plan": fresh,
        "entries": [e for e in entries if e["differs"]],
        "unchanged": [e for e in entries if not e["differs"]],
        # The choices are saved on top of what this screen shows as stored.
        "based_on": fresh.lock_version,
        "bases": section_bases(fresh, keys),
        "stored_at": fresh.updated_at,
        "row_hidden": _row_hidden(entries),
    }
    template = (
        "plans/partials/conflict_body.html"
        if request.headers.get("HX-Request")
        else "plans/conflict.html"
    )
    return render(request, template, context)


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_POST
def resolve_conflict(request, pk):
    """Keep mine, keep theirs, or merge, section by section; then save once."""
    plan = _plan(request, pk)
    if (response := editable_or_redirect(request, plan)) is not None:
        return response
    plan = selectors.plan_for_editor(plan)
    based_on = lock_version(request.POST)
    known = editable_keys()
    keys = [s for s in request.POST.getlist("sections") if s in known]
    data = QueryDict(mutable=True)
    data.update(request.POST)
    if based_on is None:
        messages.error(request, _("Halaman ini sudah usang; muat ulang lalu ulangi."))
        return redirect("plans:edit", pk=plan.pk)
    chosen = []
    unchosen = [key for key in keys if request.POST.get(f"choice-{key}") not in CHOICES]
    if unchosen:
        # Nothing is chosen for the user: every section waits for an explicit choice.
        messages.error(request, _("Pilih teks yang dipakai untuk setiap bagian."))
        conflict = PlanConflict(current_version=based_on, sections=keys)
        return render_conflict(request, plan, data, keys, conflict)
    for key in keys:
        choice = request.POST[f"choice-{key}"]
        if choice == "theirs":
            continue
        if choice == "merge":
            for spec in sections.section(key).fields:
                if spec.kind.mergeable and f"merge-{spec.name}" in request.POST:
                    data.setlist(spec.name, request.POST.getlist(f"merge-{spec.name}"))
        chosen.append(key)
    _forms, cleaned = parse_sections(plan, data, chosen)
    if len(cleaned) != len(chosen):
        conflict = PlanConflict(current_version=based_on, sections=keys)
        messages.error(request, _("Sebagian isian tidak valid; periksa lalu pilih lagi."))
        return render_conflict(request, plan, data, keys, conflict)
    try:
        editing.save_plan_sections(
            plan,
            data=cleaned,
            based_on=based_on,
            bases=posted_bases(request.POST, chosen),
            by=request.user,
            keep_overwritten=True,
        )
    except PlanConflict as conflict:
        messages.warning(
            request, _("Rencana berubah lagi sementara Anda memilih; periksa sekali lagi.")
        )
        return render_conflict(request, plan, data, keys, conflict)
    except PlanError as exc:
        messages.error(request, str(exc.message))
        return redirect("plans:edit", pk=plan.pk)
    messages.success(request, _("Perbedaan sudah diselesaikan dan rencana tersimpan."))
    return redirect("plans:edit", pk=plan.pk)
