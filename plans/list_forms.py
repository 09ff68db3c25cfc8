"""Forms of the plan lists: starting a plan, filtering the plan list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import agency_search_field

from .enums import PlanState
from .models import ActionPlan, ChangeArea, CoreValue, Cycle
from .selectors import PLAN_SORTS, SCORE_BINS


class StartPlanForm(forms.Form):
    title = forms.CharField(
        label=_("Judul rencana tindak"),
        max_length=ActionPlan._meta.get_field("title").max_length,
        help_text=_(
            "Singkat dan jelas; dapat diubah nanti. Misalnya: Layanan perizinan daring satu pintu."
        ),
    )


# One label per plans.selectors.STATE_GROUPS key (a test checks that they match).
STATE_GROUP_LABELS = {
    "editable": _("Belum diajukan atau perlu revisi"),
    "submitted_once": _("Sudah diajukan"),
    "under_review": _("Sedang dinilai atau menunggu keputusan"),
    "decided": _("Sudah diputuskan"),
    "approved_once": _("Disetujui (termasuk dilaksanakan dan selesai)"),
}


def _sort_choices():
    keys = [*PLAN_SORTS, *(f"-{key}" for key in PLAN_SORTS)]
    return [("", "")] + [(key, key) for key in keys]


class PlanFilterForm(forms.Form):
    """The filters of the plan list; every one is a URL parameter, so a list can be bookmarked."""

    q = forms.CharField(
        label=_("Cari judul, isi, agen, NIP, atau perangkat daerah"), required=False, max_length=100
    )
    cycle = forms.ModelChoiceField(
        label=_("Siklus"),
        queryset=Cycle.objects.order_by("-year", "-drafting_opens"),
        to_field_name="code",
        required=False,
        empty_label=_("Semua siklus"),
    )
    state = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Semua status")), *PlanState.choices],
        required=False,
    )
    group = forms.ChoiceField(
        label=_("Tahap"),
        choices=[("", _("Semua tahap")), *STATE_GROUP_LABELS.items()],
        required=False,
    )
    agency = agency_search_field(empty_label=_("Semua perangkat daerah"))
    area = forms.ModelChoiceField(
        label=_("Area perubahan RB"),
        queryset=ChangeArea.objects.order_by("order", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("Semua area"),
    )
    value = forms.ModelChoiceField(
        label=_("Nilai BerAKHLAK"),
        queryset=CoreValue.objects.order_by("order", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("Semua nilai"),
    )
    score = forms.ChoiceField(
        label=_("Rentang nilai"),
        choices=[("", _("Semua nilai akhir"))]
        + [(f"{low}-{high}", f"{low}–{high}") for low, high in SCORE_BINS],
        required=False,
    )
    flagged = forms.BooleanField(label=_("Hanya penilaian yang berbeda jauh"), required=False)
    # The dashboard's "submissions per week" bars link here with the Monday of their week.
    submitted_week = forms.DateField(
        label=_("Diajukan pada minggu mulai"), required=False, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(choices=_sort_choices, required=False, widget=forms.HiddenInput)

    def filters(self) -> dict:
        """The valid filters as keyword arguments of `plans.selectors.filter_plans`.

        An invalid parameter (an unknown code in a hand-edited URL) is left out and
        reported on its field; the others still apply.
        """
        data = getattr(self, "cleaned_data", {})
        score = data.get("score") or ""
        low, _sep, high = score.partition("-")
        return {
            "cycle": data.get("cycle"),
            "state": data.get("state") or "",
            "group": data.get("group") or "",
            "agency": data.get("agency"),
            "area": data.get("area"),
            "value": data.get("value"),
            "flagged": bool(data.get("flagged")),
            "score_bin": (int(low), int(high)) if score else None,
            "submitted_week": data.get("submitted_week"),
            "query": (data.get("q") or "").strip(),
            "sort": data.get("sort") or "",
        }
