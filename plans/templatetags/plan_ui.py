"""Template helpers about plans and cycles: state labels, the current cycle, list links."""

from django import template
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from plans.enums import PlanState
from plans.selectors import current_cycle as find_current_cycle

register = template.Library()


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


# The plan list's filters that name rows by their code (plans.forms.PlanFilterForm); the
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
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
