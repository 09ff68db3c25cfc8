"""Template helpers about plans and cycles: state labels, the current cycle, list links."""

from django import template
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from plans import sections
from plans.enums import PlanState, TrafficLight
from plans.selectors import current_cycle as find_current_cycle

register = template.Library()


@register.filter
def light_label(light: str) -> str:
    """The translated label of a traffic light ("green" → "Hijau (≥ 90%)")."""
    try:
        return TrafficLight(light).label
    except ValueError:
        return light


@register.filter
def state_label(state: str) -> str:
    """The translated label of a plan state value ("approved" → "Disetujui")."""
    try:
        return PlanState(state).label
    except ValueError:
        return state


@register.simple_tag(takes_context=True)
def current_cycle(context):
    """The cycle people work in now, for the context strip.

    A view that has already looked it up passes it as `current_cycle`; otherwise it is
    looked up once per request.
    """
    if "current_cycle" in context:
        return context["current_cycle"]
    request = context.get("request")
    if request is None:
        return find_current_cycle()
    if not hasattr(request, "_agenplan_current_cycle"):
        request._agenplan_current_cycle = find_current_cycle()
    return request._agenplan_current_cycle


# The plan list's filters that name rows by their code (plans.list_forms.PlanFilterForm); the
# others (agency) by their id.
BY_CODE = {"cycle", "area", "value"}


def _param(key: str, value) -> str:
    if isinstance(value, models.Model):
        return str(value.code if key in BY_CODE else value.pk)
    return str(value)


@register.simple_tag
def plan_list_url(**filters) -> str:
    """A link to the plan list with these filters (empty ones left out)."""
    params = {key: _param(key, value) for key, value in filters.items() if value not in (None, "")}
    url = reverse("plans:list")
    return f"{url}?{urlencode(params)}" if params else url


@register.filter
def field_label(obj, name: str) -> str:
    """The model's own (translated) label of a field, capitalised: `plan|field_label:"risks"`."""
    return capfirst(str(obj._meta.get_field(name).verbose_name))


# The audit log's action codes (plans.services, assessment.services) as the users say them.
ACTION_LABELS = {
    "plan.create": _("Rencana dibuat"),
    "plan.submit": _("Rencana diajukan"),
    "plan.withdraw": _("Pengajuan ditarik"),
    "plan.endorse": _("Diketahui kepala perangkat daerah"),
    "plan.extend": _("Batas pengajuan diperpanjang"),
    "assignment.create": _("Reviewer ditugaskan"),
    "assignment.release": _("Penugasan reviewer diakhiri"),
    "plan.start_review": _("Penilaian dimulai"),
    "review.submit": _("Penilaian dikirim"),
    "review.reopen": _("Penilaian dibuka kembali"),
    "plan.complete_review": _("Semua penilaian masuk"),
    "plan.reopen_review": _("Penilaian dilanjutkan"),
    "plan.decide": _("Keputusan diambil"),
    "plan.implement": _("Pelaksanaan dimulai"),
    "plan.complete": _("Rencana selesai"),
}


@register.filter
def plan_sections(source):
    """The numbered sections of a plan, or of a frozen version (its snapshot), each with
    its fields as their kind reads them; the title aside (the page's own heading)."""
    snapshot = source if isinstance(source, dict) else sections.freeze_fields(source)
    return sections.show(snapshot, skip=("title",))


@register.simple_tag
def plan_section(key: str):
    """A section of the registry, with its `number` as the agent sees it and its `label`:
    `{% plan_section "identity" as identity %}`."""
    return sections.section(key)


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@register.filter
def attr(obj, name: str):
    """`obj|attr:name` — an attribute named by a variable (a column chosen by the caller)."""
    return getattr(obj, name)


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` — a dict's value by a variable key (None when absent)."""
    if mapping is None:
        return None
    return mapping.get(key)


ACTION_LABELS.update(
    {
        "plan.team_add": _("Anggota tim ditambahkan"),
        "plan.team_remove": _("Anggota tim keluar"),
        "attachment.add": _("Lampiran ditambahkan"),
        "attachment.delete": _("Lampiran dihapus"),
        "thread.reply": _("Balasan pada utas pendampingan"),
        # Shown only when the save replaced another person's text (kept, restorable).
        "plan.edit": _("Teks orang lain ditimpa saat menyelesaikan konflik"),
        "plan.restore_text": _("Teks yang ditimpa dipulihkan"),
    }
)


# --- Form fields of the plan editor --------------------------------------------------------
#
# The editor shows some 60 fields (every section, every activity and target row) and must
# render in well under 150 ms. crispy-forms' per-field templates took half of that budget
# (measured with cProfile on the demo draft: ~14 ms of template work per 10 fields), so
# the editor draws its fields with this tag instead: the same Bootstrap 5 markup as
# crispy-bootstrap5 (label, widget, errors, help text, ids), built in Python. The smaller
# forms (team, attachments, threads) still use crispy.

from django.forms.utils import flatatt  # noqa: E402
from django.forms.widgets import (  # noqa: E402
    CheckboxInput,
    CheckboxSelectMultiple,
    Input,
    RadioSelect,
    Select,
    SelectMultiple,
    Textarea,
)
from django.utils.html import format_html, format_html_join  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402


def _options(group, items) -> str:
    """The <option>s of one group of a select, in an <optgroup> when the group is named."""
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (item["value"], mark_safe(" selected") if item["selected"] else "", item["label"])  # noqa: S308
            for item in items
        ),
    )
    return format_html('<optgroup label="{}">{}</optgroup>', group, options) if group else options


def _render_widget(field, attrs) -> str:
    """The widget's HTML without the template engine (what `as_widget` renders through
    django/forms/widgets/*.html), for the plain widgets the editor uses."""
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name, value, flat = context["name"], context["value"], flatatt(context["attrs"])
    if isinstance(widget, Textarea):
        return format_html('<textarea name="{}"{}>\n{}</textarea>', name, flat, value or "")
    if isinstance(widget, Select) and not isinstance(widget, SelectMultiple):
        options = format_html_join(
            "", "{}", ((_options(group, items),) for group, items, _index in context["optgroups"])
        )
        return format_html('<select name="{}"{}>{}</select>', name, flat, options)
    if isinstance(widget, Input):
        if isinstance(widget, CheckboxInput):
            return format_html('<input type="checkbox" name="{}"{}>', name, flat)
        if value is None or value == "":
            return format_html('<input type="{}" name="{}"{}>', context["type"], name, flat)
        return format_html(
            '<input type="{}" name="{}" value="{}"{}>', context["type"], name, value, flat
        )
    return field.as_widget(attrs=attrs)


def _widget_class(widget) -> str:
    if isinstance(widget, CheckboxInput):
        return "form-check-input"
    if isinstance(widget, Select):
        return "form-select"
    return "form-control"


@register.simple_tag
def ap_field(field, label_class="form-label", wrapper_class="mb-3"):
    """One bound field as Bootstrap 5 markup: `{% ap_field form.title %}`."""
    if field.is_hidden:
        return _render_widget(field, {})
    widget = field.field.widget
    field_id = field.auto_id
    errors = field.errors
    help_text = field.help_text
    attrs = {}
    css = _widget_class(widget)
    if errors:
        css += " is-invalid"
        attrs["aria-invalid"] = "true"
    described = []
    if errors:
        described.append(f"error_{field_id}")
    if help_text:
        described.append(f"{field_id}_helptext")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    required = field.field.required
    asterisk = mark_safe('<span class="asteriskField">*</span>') if required else ""  # noqa: S308
    error_html = format_html_join(
        "",
        '<div class="invalid-feedback d-block" id="error_{}"><strong>{}</strong></div>',
        ((field_id, e) for e in errors),
    )
    help_html = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', field_id, help_text)
        if help_text
        else ""
    )
    if isinstance(widget, CheckboxSelectMultiple | RadioSelect):
        options = format_html_join(
            "",
            '<div class="form-check"><input type="{}" class="form-check-input" name="{}" '
            'value="{}" id="{}"{}><label class="form-check-label" for="{}">{}</label></div>',
            (
                (
                    "checkbox" if isinstance(widget, CheckboxSelectMultiple) else "radio",
                    sub.data["name"],
                    sub.data["value"],
                    sub.id_for_label,
                    mark_safe(" checked") if sub.data["selected"] else "",  # noqa: S308
                    sub.id_for_label,
                    sub.choice_label,
                )
                for sub in field.subwidgets
            ),
        )
        return format_html(
            '<fieldset id="div_{}" class="{}"><legend class="{} fs-6">{}{}</legend>'
            "{}{}{}</fieldset>",
            field_id,
            wrapper_class,
            label_class,
            field.label,
            asterisk,
            options,
            error_html,
            help_html,
        )
    widget_html = _render_widget(field, {**attrs, "class": css})
    if isinstance(widget, CheckboxInput):
        return format_html(
            '<div id="div_{}" class="{} form-check">{}<label for="{}" class="form-check-label">'
            "{}</label>{}{}</div>",
            field_id,
            wrapper_class,
            widget_html,
            field_id,
            field.label,
            error_html,
            help_html,
        )
    return format_html(
        '<div id="div_{}" class="{}"><label for="{}" class="{}">{}{}</label>{}{}{}</div>',
        field_id,
        wrapper_class,
        field_id,
        label_class,
        field.label,
        asterisk,
        widget_html,
        error_html,
        help_html,
    )
