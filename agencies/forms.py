"""A searchable choice of agency: the page carries only the chosen agency, and the
person finds the others by typing (htmx asks `agencies:search` for at most SEARCH_LIMIT
matches), instead of every page listing thousands of options."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Agency


class AgencySearchSelect(forms.Select):
    """A <select> holding the empty choice and the chosen agency, with a search box that
    replaces its options by the agencies matching what is typed."""

    template_name = "agencies/widgets/search_select.html"

    def __init__(self, attrs=None, *, active_only: bool = False):
        super().__init__(attrs)
        self.active_only = active_only

    def optgroups(self, name, value, attrs=None):
        # Never iterate the field's whole queryset: only the empty choice and the chosen
        # agency (one query, none when nothing is chosen).
        chosen = [str(v) for v in value if str(v).isdigit()]
        iterator = self.choices
        queryset = getattr(iterator, "queryset", Agency.objects.none())
        options = []
        empty = getattr(getattr(iterator, "field", None), "empty_label", None)
        if empty is not None:
            options.append(("", empty))
        if chosen:
            options += [(str(a.pk), a.name) for a in queryset.filter(pk__in=chosen)]
        groups = []
        for index, (option_value, label) in enumerate(options):
            selected = option_value in chosen or (not chosen and option_value == "")
            groups.append(
                (None, [self.create_option(name, option_value, label, selected, index)], index)
            )
        return groups

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        empty = getattr(getattr(self.choices, "field", None), "empty_label", None) or ""
        context["search"] = {
            "url": reverse("agencies:search"),
            "empty": str(empty),
            "active": "1" if self.active_only else "",
            "label": _("Cari perangkat daerah"),
            "placeholder": _("Ketik nama atau singkatan…"),
        }
        return context


def agency_search_field(*, label=None, empty_label=None, active_only=False, small=False):
    """A ModelChoiceField of agencies with the searchable select; it validates the chosen
    id against the agencies as any ModelChoiceField does."""
    queryset = Agency.objects.order_by("name")
    if active_only:
        queryset = queryset.filter(is_active=True)
    css = "form-select form-select-sm" if small else "form-select"
    return forms.ModelChoiceField(
        label=label or _("Perangkat daerah"),
        queryset=queryset,
        required=False,
        empty_label=empty_label or _("Semua"),
        widget=AgencySearchSelect(attrs={"class": css}, active_only=active_only),
    )
