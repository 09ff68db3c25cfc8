"""Forms of the plan editor: one form per section of the plan, the rows of activities and
targets, the team, attachments and comment threads.

The section forms have no prefix: each field name occurs once on the page, so a section's
autosave posts exactly its own fields, and the page's single <form> (used without
JavaScript) posts them all."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agents.models import Agent

from .attachments import max_attachment_mb
from .enums import PlanSection
from .models import COMMENT_MAX_LENGTH, ActionPlan, ChangeArea, CoreValue, GovernorMission
from .number_input import LocalizedDecimalField
from .sections import section as plan_section
from .services.editing import row_fields


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _textarea(rows: int = 3, placeholder=None) -> forms.Textarea:
    attrs = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


class SectionForm(forms.ModelForm):
    section: str = ""

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.limit_querysets()
        # Reference lists the page read once (plans.selectors.editor_choices and
        # plan_for_editor) instead of each field reading its queryset again.
        for name, field_choices in (choices or {}).items():
            if name in self.fields:
                self.fields[name].choices = field_choices

    def limit_querysets(self) -> None:
        """Narrow the reference fields' querysets (before the page's choices apply)."""


class IdentityForm(SectionForm):
    section = PlanSection.IDENTITY

    class Meta:
        model = ActionPlan
        fields = plan_section(PlanSection.IDENTITY).field_names()


class ProblemForm(SectionForm):
    section = PlanSection.PROBLEM

    class Meta:
        model = ActionPlan
        fields = plan_section(PlanSection.PROBLEM).field_names()
        widgets = {
            "strategic_issue": _textarea(
                4, _("Misalnya: waktu layanan izin usaha rata-rata 14 hari kerja.")
            ),
            "baseline_data": _textarea(
                3, _("Angka dan sumbernya, misalnya: 1.240 berkas pada 2025 (SIMPEL).")
            ),
            "root_cause": _textarea(3),
        }
        help_texts = {
            "strategic_issue": _("Masalah nyata di unit kerja Anda yang ingin diubah."),
            "baseline_data": _("Data yang menunjukkan kondisi sekarang, dengan sumbernya."),
            "root_cause": _("Mengapa masalah itu terjadi; bukan gejalanya."),
        }


class ChangeForm(SectionForm):
    section = PlanSection.CHANGE

    class Meta:
        model = ActionPlan
        fields = plan_section(PlanSection.CHANGE).field_names()
        widgets = {
            "innovation": _textarea(4),
            "novelty": _textarea(3),
            "agent_roles": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "innovation": _("Apa yang akan berubah dan bagaimana caranya."),
            "novelty": _("Apa yang belum pernah dilakukan di unit kerja Anda."),
        }


class AlignmentForm(SectionForm):
    section = PlanSection.ALIGNMENT

    class Meta:
        model = ActionPlan
        fields = plan_section(PlanSection.ALIGNMENT).field_names()
        widgets = {
            "change_areas": forms.CheckboxSelectMultiple,
            "core_values": forms.CheckboxSelectMultiple,
            "alignment_notes": _textarea(3),
            "roadmap_link": _textarea(3),
        }

    def limit_querysets(self) -> None:
        self.fields["change_areas"].queryset = ChangeArea.objects.filter(is_active=True)
        self.fields["core_values"].queryset = CoreValue.objects.all()
        self.fields["governor_mission"].queryset = GovernorMission.objects.filter(is_active=True)
        self.fields["governor_mission"].empty_label = _("— pilih —")


class ImpactForm(SectionForm):
    section = PlanSection.IMPACT

    class Meta:
        model = ActionPlan
        fields = plan_section(PlanSection.IMPACT).field_names()
        widgets = {"impact_internal": _textarea(3), "impact_external": _textarea(3)}
        help_texts = {
            "impact_internal": _("Bagi kinerja perangkat daerah Anda."),
            "impact_external": _("Bagi Pemerintah Provinsi dan masyarakat."),
        }


class RisksForm(SectionForm):
    section = PlanSection.RISKS

    class Meta:
        model = ActionPlan
        fields = plan_section(PlanSection.RISKS).field_names()
        widgets = {
            "stakeholders": _textarea(3),
            "risks": _textarea(3),
            "mitigation": _textarea(3),
        }


# Sections with their own form (help texts, placeholders, choices read once per page).
SECTION_FORMS = {
    form.section: form
    for form in (IdentityForm, ProblemForm, ChangeForm, AlignmentForm, ImpactForm, RisksForm)
}


def section_form_class(section: str) -> type[SectionForm]:
    """The form of a section of the registry: its own, or one made from its fields, with
    the widget their kind asks for."""
    if section in SECTION_FORMS:
        return SECTION_FORMS[section]
    entry = plan_section(section)
    widgets = {f.name: f.kind.widget(f) for f in entry.fields if f.kind.widget(f) is not None}
    form_class = forms.modelform_factory(
        ActionPlan,
        form=SectionForm,
        fields=entry.field_names(),
        widgets=widgets,
        localized_fields=[f.name for f in entry.fields if f.kind.localized],
        field_classes={f.name: LocalizedDecimalField for f in entry.fields if f.kind.localized},
    )
    form_class.section = section
    return form_class


class MonthField(forms.DateField):
    """A month as "YYYY-MM" (<input type="month">), stored as the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("Isi bulan dengan format TTTT-BB, misalnya 2026-03.")}

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class _RowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle

    def window_label(self) -> str:
        return _("%(start)s s.d. %(end)s") % {
            "start": date_format(self.cycle.implementation_start, "YEAR_MONTH_FORMAT"),
            "end": date_format(self.cycle.implementation_end, "YEAR_MONTH_FORMAT"),
        }


def _decimal(label, **kwargs) -> forms.DecimalField:
    return LocalizedDecimalField(label=label, max_digits=14, decimal_places=2, **kwargs)


class ActivityForm(_RowForm):
    title = forms.CharField(label=_("Kegiatan"), max_length=255)
    output = forms.CharField(label=_("Keluaran (output)"), max_length=255, required=False)
    start_month = MonthField(label=_("Bulan mulai"))
    end_month = MonthField(label=_("Bulan selesai"))
    responsible = forms.CharField(label=_("Penanggung jawab"), max_length=200, required=False)
    budget = LocalizedDecimalField(
        label=_("Anggaran (Rp)"), max_digits=15, decimal_places=0, min_value=0, required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_month"), data.get("end_month")
        if start and end and end < start:
            self.add_error("end_month", _("Bulan selesai tidak boleh sebelum bulan mulai."))
        if self.cycle is not None:
            first = self.cycle.implementation_start.replace(day=1)
            last = self.cycle.implementation_end
            for name in ("start_month", "end_month"):
                value = data.get(name)
                if value and not (first <= value <= last) and name not in self.errors:
                    self.add_error(
                        name,
                        _("Harus di dalam masa pelaksanaan (%(window)s).")
                        % {"window": self.window_label()},
                    )
        return data


class TargetForm(_RowForm):
    indicator = forms.CharField(label=_("Indikator"), max_length=255)
    unit = forms.CharField(
        label=_("Satuan"), max_length=60, help_text=_("Misalnya %, hari, dokumen.")
    )
    baseline = _decimal(_("Baseline"))
    target_value = _decimal(_("Nilai target"))
    due_date = forms.DateField(
        label=_("Tenggat"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    verification = forms.CharField(
        label=_("Alat verifikasi"),
        max_length=255,
        help_text=_("Bukti yang dapat diperiksa, misalnya laporan bulanan SIMPEG."),
    )

    def clean(self):
        data = super().clean()
        due = data.get("due_date")
        if due and self.cycle is not None:
            if not (self.cycle.implementation_start <= due <= self.cycle.implementation_end):
                self.add_error(
                    "due_date",
                    _("Tenggat harus di dalam masa pelaksanaan (%(window)s).")
                    % {"window": self.window_label()},
                )
        return data


class RowFormSet(forms.BaseFormSet):
    """Rows of a plan (activities or targets), ordered and deletable, created by the page.

    Every posted row is "extra" (INITIAL_FORMS is always 0), so a row removed from the
    page or left entirely blank is skipped; the rows kept are the plan's complete list.
    """

    def __init__(self, *args, cycle=None, **kwargs):
        self.cycle = cycle
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"cycle": self.cycle}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            cycle=self.cycle,
        )
        self.add_fields(form, None)
        return form

    def kept_rows(self) -> list[dict]:
        """The valid rows in their order, without the deleted ones, each with its prefix."""
        rows = []
        for form in self.ordered_forms if self.can_order else self.forms:
            if not form.has_changed() or (self.can_delete and self._should_delete_form(form)):
                continue
            row = {k: v for k, v in form.cleaned_data.items() if k not in ("ORDER", "DELETE")}
            row["prefix"] = form.prefix
            rows.append(row)
        return rows


MAX_ROWS = 50


def _formset(form):
    return forms.formset_factory(
        form,
        formset=RowFormSet,
        extra=0,
        can_order=True,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS + 10,
    )


ActivityFormSet = _formset(ActivityForm)
TargetFormSet = _formset(TargetForm)
ROW_FORMSETS = {PlanSection.ACTIVITIES: ActivityFormSet, PlanSection.TARGETS: TargetFormSet}


def row_initial(rows, section: str) -> list[dict]:
    names = row_fields(section)
    return [
        {"id": row.pk, "ORDER": i, **{name: getattr(row, name) for name in names}}
        for i, row in enumerate(rows, start=1)
    ]


class CoAgentForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=_("Agen perubahan"),
        queryset=Agent.objects.none(),
        empty_label=_("— pilih agen —"),
        help_text=_("Hanya agen perubahan aktif dari perangkat daerah yang sama."),
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Agent.objects.none()
        if plan is not None:
            qs = (
                Agent.objects.filter(agency_id=plan.agency_id, is_active=True)
                .exclude(pk=plan.owner_id)
                .exclude(team_plans=plan)
                .select_related("user")
                .order_by("user__name")
            )
        self.fields["agent"].queryset = qs
        self.fields["agent"].label_from_instance = lambda a: a.user.name


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"}),
    )
    description = forms.CharField(label=_("Keterangan"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_attachment_mb()
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, DOCX atau XLSX; maksimal %(max)s MB."
        ) % {"max": limit}
        # The page checks the size before sending (static/js/editor.js); the server again.
        self.fields["file"].widget.attrs.update(
            {
                "data-max-mb": str(limit),
                "data-too-large": _("Berkas terlalu besar; maksimal %(max)s MB.") % {"max": limit},
            }
        )


class ThreadForm(forms.Form):
    anchor = forms.ChoiceField(label=_("Tentang"))
    body = forms.CharField(label=_("Komentar"), widget=_textarea(3), max_length=COMMENT_MAX_LENGTH)

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f"section:{value}", label) for value, label in PlanSection.choices]
        if plan is not None:
            choices += [
                (f"activity:{a.pk}", _("Kegiatan: %(title)s") % {"title": a.title})
                for a in plan.activities.all()
            ]
            choices += [
                (f"target:{t.pk}", _("Target: %(title)s") % {"title": t.indicator})
                for t in plan.targets.all()
            ]
        self.fields["anchor"].choices = choices


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Balasan"), widget=_textarea(2), max_length=COMMENT_MAX_LENGTH)
