"""Forms of the Biro Organisasi's pages and the reviewer's page: validation only; the
views hand the cleaned data to the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import agency_search_field
from agents.enums import Role
from agents.models import Agent, User
from agents.validators import normalize_nip
from plans import sections
from plans.enums import PlanState
from plans.models import ActionPlan, Cycle

from .enums import LEVEL_MAX, LEVEL_MIN, DecisionOutcome
from .import_files import max_file_bytes, too_big_message
from .selectors import BOARD_GROUP_LABELS, BOARD_SORTS
from .services.cycle import CYCLE_FIELDS

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(forms.ModelForm):
    """A cycle's phases (in order) and settings."""

    class Meta:
        model = Cycle
        fields = CYCLE_FIELDS
        widgets = {
            "drafting_opens": DATETIME_WIDGET,
            "submission_deadline": DATETIME_WIDGET,
            "revision_deadline": DATETIME_WIDGET,
            "review_starts": DATE_WIDGET,
            "review_ends": DATE_WIDGET,
            "decision_date": DATE_WIDGET,
            "implementation_start": DATE_WIDGET,
            "implementation_end": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "code": _("Huruf kecil dan tanda hubung, misalnya assessment-2026."),
            "reviewers_per_plan": _("1 sampai 5 reviewer menilai setiap rencana."),
            "reporting_months": _(
                "Laporan realisasi per sekian bulan selama pelaksanaan (1: bulanan, 3: triwulan)."
            ),
            "report_due_days": _("Laporan jatuh tempo sekian hari setelah periode berakhir."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Progress reports: monthly, due ten days after the period, unless set otherwise.
        for name in ("reporting_months", "report_due_days"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name in ("reporting_months", "report_due_days"):
            if data.get(name) is None and name not in self.errors:
                data[name] = Cycle._meta.get_field(name).default
        order = [
            ("drafting_opens", "submission_deadline", _("Batas pengajuan harus setelah dibuka.")),
            (
                "review_starts",
                "review_ends",
                _("Penilaian berakhir tidak boleh sebelum penilaian dimulai."),
            ),
            (
                "review_starts",
                "decision_date",
                _("Tanggal keputusan tidak boleh sebelum penilaian dimulai."),
            ),
            (
                "implementation_start",
                "implementation_end",
                _("Pelaksanaan berakhir harus setelah pelaksanaan dimulai."),
            ),
        ]
        for earlier, later, message in order:
            a, b = data.get(earlier), data.get(later)
            if (
                a
                and b
                and (b < a or (b == a and later in ("submission_deadline", "implementation_end")))
            ):
                self.add_error(later, message)
        deadline, review = data.get("submission_deadline"), data.get("review_starts")
        if deadline and review and review < deadline.date():
            self.add_error("review_starts", _("Penilaian dimulai setelah batas pengajuan."))
        for name, low, high in (
            ("reviewers_per_plan", 1, 5),
            ("disagreement_levels", 1, LEVEL_MAX - LEVEL_MIN),
            ("disagreement_points", 1, 100),
            ("reporting_months", 1, 12),
            ("report_due_days", 0, 60),
        ):
            value = data.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, _("Isi %(low)s sampai %(high)s.") % {"low": low, "high": high})
        return data


class CriterionForm(forms.Form):
    code = forms.CharField(label=_("Kode"), max_length=20)
    name = forms.CharField(label=_("Kriteria"), max_length=255)
    weight = forms.IntegerField(label=_("Bobot"), min_value=1, max_value=100)
    guidance = forms.CharField(
        label=_("Panduan bagi reviewer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    section = forms.ChoiceField(
        label=_("Bagian rencana"),
        required=False,
        help_text=_(
            "Bagian yang ditunjukkan kepada agen bila tingkatnya pada kriteria ini rendah."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("Seluruh rencana"))] + [
            (s.key, s.label) for s in sections.all_sections() if s.editable
        ]
        for level in range(LEVEL_MIN, LEVEL_MAX + 1):
            self.fields[f"level_{level}"] = forms.CharField(
                label=_("Tingkat %(level)s") % {"level": level},
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def as_criterion(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data["name"],
            "weight": data["weight"],
            "guidance": data.get("guidance", ""),
            "section": data.get("section", ""),
            "levels": {lvl: data[f"level_{lvl}"] for lvl in range(LEVEL_MIN, LEVEL_MAX + 1)},
        }


MAX_CRITERIA = 20


class BaseCriterionFormSet(forms.BaseFormSet):
    # A post that claims more forms than MAX_CRITERIA (criteria-TOTAL_FORMS=1000) is
    # refused on the formset before any of them is built (absolute_max).
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": _("Paling banyak %(num)d kriteria."),
    }

    def clean(self):
        if any(self.errors):
            return
        kept = self._kept()
        total = sum(f.cleaned_data["weight"] for f in kept)
        if total != 100:
            raise forms.ValidationError(
                _("Jumlah bobot semua kriteria harus 100; sekarang %(total)s.") % {"total": total},
                code="weights",
            )
        codes = [f.cleaned_data["code"].strip().upper() for f in kept]
        if len(set(codes)) != len(codes):
            raise forms.ValidationError(_("Kode kriteria harus unik."), code="duplicate")

    def _kept(self) -> list:
        """The criteria that stay: every existing one (changed or not) and every filled
        extra form, less those marked for deletion."""
        initial = self.initial_form_count()
        return [
            form
            for i, form in enumerate(self.forms)
            if (i < initial or form.has_changed()) and not self._should_delete_form(form)
        ]

    def criteria(self) -> list[dict]:
        return [form.as_criterion() for form in self._kept()]


CriterionFormSet = forms.formset_factory(
    CriterionForm,
    formset=BaseCriterionFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_CRITERIA,
    validate_max=True,
    absolute_max=MAX_CRITERIA,
)


def criterion_initial(criteria) -> list[dict]:
    rows = []
    for c in criteria:
        row = {
            "code": c.code,
            "name": c.name,
            "weight": c.weight,
            "guidance": c.guidance,
            "section": c.section,
        }
        for level in c.levels.all():
            row[f"level_{level.level}"] = level.descriptor
        rows.append(row)
    return rows


class ParticipantsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas peserta (.csv atau .xlsx)"),
        help_text=_(
            "Wajib: nip, nama, dan perangkat daerah (kode_opd, nama_opd atau singkatan_opd). "
            "CSV boleh UTF-8 atau Windows-1252. Daftar kolom ada di bawah."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Unggah berkas .csv atau .xlsx."))
        if upload.size > max_file_bytes():
            raise forms.ValidationError(too_big_message())
        return upload


def reviewer_queryset():
    return User.objects.filter(is_active=True, role_grants__role=Role.REVIEWER).distinct()


class AssignForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewer"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    due_date = forms.DateField(label=_("Tenggat penilaian"), required=False, widget=DATE_WIDGET)
    override_reason = forms.CharField(
        label=_("Alasan penugasan manual"),
        required=False,
        max_length=255,
        help_text=_(
            "Wajib bila reviewer berasal dari perangkat daerah yang sama atau "
            "menyatakan konflik kepentingan."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = reviewer_queryset()


class ReleaseForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Alasan"), max_length=255)
    replacement = forms.ModelChoiceField(
        label=_("Pengganti"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Pilih otomatis (beban paling ringan)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = reviewer_queryset()


class ReopenForm(forms.Form):
    review = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False)


class ReviewForm(forms.Form):
    """Per criterion a level (radio, from the descriptors) and a comment; overall feedback
    and a confidential note."""

    overall_feedback = forms.CharField(
        label=_("Masukan untuk agen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Dibaca agen setelah keputusan."),
    )
    confidential_note = forms.CharField(
        label=_("Catatan rahasia untuk koordinator"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tidak pernah ditampilkan kepada agen."),
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            code = row.criterion.code
            self.fields[f"level_{code}"] = forms.TypedChoiceField(
                label=row.criterion.name,
                choices=[(lvl.level, lvl.descriptor) for lvl in row.levels],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{code}"] = forms.CharField(
                label=_("Komentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    @property
    def criterion_fields(self):
        """(row, level field, comment field) per criterion, for the template."""
        return [
            (row, self[f"level_{row.criterion.code}"], self[f"comment_{row.criterion.code}"])
            for row in self.rows
        ]

    def levels(self) -> dict:
        return {
            row.criterion.code: (
                self.cleaned_data.get(f"level_{row.criterion.code}"),
                self.cleaned_data.get(f"comment_{row.criterion.code}", ""),
            )
            for row in self.rows
        }


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Keputusan"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    feedback = forms.CharField(
        label=_("Masukan gabungan untuk agen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Diisi dari masukan para reviewer; sunting sebelum memutuskan."),
    )


class BulkDecisionForm(forms.Form):
    plans = forms.ModelMultipleChoiceField(
        label=_("Rencana"), queryset=ActionPlan.objects.none(), widget=forms.MultipleHiddenInput
    )
    outcome = forms.ChoiceField(label=_("Keputusan"), choices=DecisionOutcome.choices)
    feedback = forms.CharField(
        label=_("Masukan untuk semua rencana terpilih"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kosong: setiap rencana memakai masukan gabungan dari penilaiannya."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plans"].queryset = ActionPlan.objects.filter(
            cycle=cycle, state=PlanState.REVIEWED
        ).select_related("agency")
        self.fields["plans"].error_messages["invalid_choice"] = _(
            "Rencana %(value)s tidak menunggu keputusan."
        )


class BoardFilterForm(forms.Form):
    group = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua"))] + list(BOARD_GROUP_LABELS.items()),
    )
    agency = agency_search_field(small=True)
    flagged = forms.BooleanField(label=_("Hanya yang berbeda jauh"), required=False)
    label = forms.IntegerField(label=_("Label"), required=False, min_value=1)
    q = forms.CharField(
        label=_("Cari judul, isi, agen, NIP, atau perangkat daerah"), required=False, max_length=100
    )


class AssignmentFilterForm(forms.Form):
    """The assignments page's filters, kept in the URL; invalid values are ignored."""

    agency = agency_search_field(small=True)
    q = forms.CharField(
        label=_("Cari judul, isi, agen, NIP, atau perangkat daerah"), required=False, max_length=100
    )
    sort = forms.ChoiceField(
        choices=[("", "")] + [(f"{d}{k}", "") for k in BOARD_SORTS for d in ("", "-")],
        required=False,
    )

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        agency = data.get("agency")
        return {
            "agency_id": agency.pk if agency else None,
            "query": data.get("q", ""),
            "sort": data.get("sort", ""),
        }


class ConflictForm(forms.Form):
    agency = agency_search_field(empty_label=_("—"), active_only=True)
    agent_nip = forms.CharField(
        label=_("atau NIP agen perubahan"),
        required=False,
        max_length=30,
        help_text=_("18 digit, misalnya 198503302010012007."),
    )
    reason = forms.CharField(label=_("Alasan"), required=False, max_length=255)

    def clean(self):
        data = super().clean()

        nip = normalize_nip(data.get("agent_nip", ""))
        data["agent"] = None
        if nip:
            data["agent"] = Agent.objects.filter(user__nip=nip).select_related("user").first()
            if data["agent"] is None:
                self.add_error("agent_nip", _("Tidak ada agen perubahan dengan NIP ini."))
        if not self.errors and (data.get("agency") is None) == (data["agent"] is None):
            self.add_error("agency", _("Pilih satu: perangkat daerah atau agen perubahan."))
        return data


class SelfAssessmentForm(forms.Form):
    """The team's level per criterion of the cycle's rubric (radio, from the descriptors),
    every criterion required."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"level_{criterion.code}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=[(lvl.level, lvl.descriptor) for lvl in criterion.levels.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Pilih tingkat untuk kriteria ini.")},
            )

    @property
    def criterion_fields(self):
        """(criterion, level field) per criterion, for the template."""
        return [(c, self[f"level_{c.code}"]) for c in self.criteria]

    def levels(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[f"level_{c.code}"] for c in self.criteria}
