"""The leadership's provincial dashboard and its agency pages (read-only).

Every figure comes from `selectors.cycle_overview` (cached per cycle); the agency table
is a page of its per-agency rows, swapped in by htmx when sorted, filtered or searched.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from agencies.enums import AgencyKind
from plans.selectors import current_cycle, cycle_choices, get_cycle_by_code

from . import cache, selectors
from .services import can_request_cycle_reports

SORT_CHOICES = [
    (f"{sign}{key}", f"{sign}{key}") for key in selectors.AGENCY_SORTS for sign in ("", "-")
]


class AgencyTableForm(forms.Form):
    """The agency table's search and filters; every one is a URL parameter."""

    q = forms.CharField(
        label=_("Cari perangkat daerah"),
        required=False,
        max_length=100,
        help_text=_("Nama, singkatan atau kode, misalnya Bappeda."),
    )
    kind = forms.ChoiceField(
        label=_("Jenis"),
        choices=[("", _("Semua jenis")), *AgencyKind.choices],
        required=False,
    )
    show = forms.ChoiceField(
        label=_("Tampilkan"),
        choices=[
            ("", _("Semua perangkat daerah")),
            ("lagging", _("Tertinggal (belum mengajukan atau nilai rendah)")),
            ("no_submission", _("Belum ada rencana yang diajukan")),
            ("low_score", _("Rata-rata nilai rendah")),
        ],
        required=False,
    )
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, widget=forms.HiddenInput)

    def params(self) -> dict:
        """The valid parameters for `selectors.agency_table`; an invalid one is left out
        (and reported on its field), the others still apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": (data.get("q") or "").strip(),
            "kind": data.get("kind") or "",
            "show": data.get("show") or "",
            "sort": data.get("sort") or "",
        }


def _cycle(request):
    """The cycle of `?cycle=<code>` (404 if unknown) or the current one; and the current."""
    current = current_cycle()
    code = request.GET.get("cycle", "")
    return (get_cycle_by_code(code) if code else current), current


@login_required
@permission_required("plans.view_dashboard", raise_exception=True)
@require_GET
def dashboard(request):
    """The "Dashboard provinsi" of a cycle; an agency head's is restricted to their agency."""
    scope = selectors.dashboard_scope(request.user, request.GET.get("opd"))
    cycle, current = _cycle(request)
    context = {
        "cycles": cycle_choices(),
        "current_cycle": current,
        "scope": scope,
        "headed": selectors.headed_agencies(request.user) if scope is not None else [],
    }
    if cycle is None:
        return render(request, "reports/dashboard.html", context)
    # Lazy: on a warm cache the template serves its cached fragments and never needs them.
    overview = SimpleLazyObject(lambda: selectors.cycle_overview(cycle, agency=scope))
    form = AgencyTableForm(request.GET)
    params = form.params()
    today = timezone.localdate()
    context |= {
        "cycle": cycle,
        "overview": overview,
        "lagging": SimpleLazyObject(lambda: overview.lagging(today)),
        "table": SimpleLazyObject(
            lambda: selectors.agency_table(
                cycle, agency=scope, **params, page=request.GET.get("page")
            )
        ),
        "form": form,
        "fragment_version": cache.fragment_version(cycle.pk),
        "cache_seconds": cache.timeout(),
        "lagging_days": selectors.LAGGING_DAYS,
        "low_mean_score": selectors.LOW_MEAN_SCORE,
        "can_request_pdf": scope is None and can_request_cycle_reports.test(request.user),
    }
    if request.htmx and request.htmx.target == "agency-table":
        return render(request, "reports/partials/agency_table.html", context)
    return render(request, "reports/dashboard.html", context)


@login_required
@permission_required("plans.view_dashboard", raise_exception=True)
@require_GET
def agency_detail(request, pk):
    """One agency in a cycle: its figures, plans, agents, targets and scores per criterion."""
    agency = selectors.get_agency_for(request.user, pk)
    cycle, current = _cycle(request)
    context = {"agency": agency, "cycles": cycle_choices(), "current_cycle": current}
    if cycle is not None:
        context |= {
            "cycle": cycle,
            "page": selectors.agency_page(cycle, agency),
            "today": timezone.localdate(),
        }
    return render(request, "reports/agency.html", context)
