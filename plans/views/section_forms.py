"""The forms of the editor's sections, bound or not, shared by the editor and the
conflict screen: one form per section of the registry, one formset per row section."""

import copy

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .. import sections
from ..enums import PlanState
from ..forms import ROW_FORMSETS, row_initial, section_form_class
from ..services.editing import section_fingerprint


def section_form(section, plan, data=None, choices=None):
    form_class = section_form_class(section)
    # A ModelForm writes the cleaned values onto its instance while validating; give it a
    # copy, so that the plan itself keeps the stored values the service compares against.
    return form_class(data, instance=copy.copy(plan), choices=choices)


def row_formset(section, plan, data=None, *, extra_blank=False):
    formset_class = ROW_FORMSETS[section]
    if data is not None:
        return formset_class(data, prefix=section, cycle=plan.cycle)
    rows = getattr(plan, sections.section(section).rows).all()
    initial = row_initial(rows, section)
    formset = formset_class(prefix=section, initial=initial, cycle=plan.cycle)
    if extra_blank or not initial:
        formset.extra = 1
    return formset


def parse_sections(plan, data, keys, choices=None):
    """Bound forms for the given sections, and the cleaned values of the valid ones."""
    forms, cleaned = {}, {}
    rows = sections.row_sections()
    for section in keys:
        if section in rows:
            formset = row_formset(section, plan, data)
            forms[section] = formset
            if formset.is_valid():
                cleaned[section] = formset.kept_rows()
        else:
            form = section_form(section, plan, data, choices)
            forms[section] = form
            if form.is_valid():
                cleaned[section] = form.cleaned_data
    return forms, cleaned


def editable_keys() -> list[str]:
    """The sections the editor writes, in order (the attachments have their own form)."""
    return sections.editable_keys()


def lock_version(data) -> int | None:
    try:
        value = int(data.get("lock_version", ""))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def posted_bases(data, keys) -> dict[str, str]:
    """The fingerprints of the stored sections the page was based on ("base-<section>")."""
    return {key: data[f"base-{key}"] for key in keys if data.get(f"base-{key}")}


def section_bases(plan, keys=None) -> dict[str, str]:
    """The fingerprints a page showing the plan's stored sections carries."""
    return {key: section_fingerprint(plan, key) for key in keys or editable_keys()}


def editable_or_redirect(request, plan):
    if plan.state in PlanState.EDITABLE:
        return None
    messages.info(
        request,
        _("Rencana berstatus %(state)s; isinya tidak dapat diubah.")
        % {"state": plan.get_state_display()},
    )
    return redirect("plans:detail", pk=plan.pk)
