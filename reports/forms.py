"""Forms of the reports: the dashboard's agency-table filters and the request of a report
about a whole cycle."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.enums import AgencyKind
from plans.selectors import cycle_choices

from . import selectors
from .enums import ReportKind
from .models import CYCLE_KINDS

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


class CycleReportForm(forms.Form):
    """Ask for a report about a whole cycle (coordinators, leaders, admins)."""

    cycle = forms.ChoiceField(label=_("Siklus"))
    kind = forms.ChoiceField(
        label=_("Laporan"),
        choices=[(k.value, k.label) for k in ReportKind if k in CYCLE_KINDS],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Cycles by code, read once (the request view looks the code up again).
        self.fields["cycle"].choices = [(c.code, c.name) for c in cycle_choices()]
