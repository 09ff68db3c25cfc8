"""Input of the implementation phase: the progress report (one form over the report's
rows), evidence, verification, change requests, the closing report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.attachments import max_attachment_mb
from plans.enums import TargetDirection
from plans.forms import MonthField
from plans.number_input import LocalizedDecimalField

from .enums import ActivityStatus
from .models import TEXT_MAX


def _text(label, rows=3, required=False):
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReportForm(forms.Form):
    """The narrative, then per target `value-<id>` and `date-<id>`, per activity
    `status-<id>`, `start-<id>` and `end-<id>` (months)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    done_text = _text(_("Yang telah dilakukan"), rows=4)
    obstacles = _text(_("Kendala"))
    next_steps = _text(_("Langkah berikutnya"))
    answer = _text(_("Tanggapan atas catatan verifikator"))

    def __init__(self, *args, values=(), activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.value_rows, self.activity_rows = list(values), list(activities)
        for row in self.value_rows:
            t = row.target
            if t.direction == TargetDirection.QUALITATIVE:
                field = forms.TypedChoiceField(
                    label=t.indicator,
                    choices=[("", "—"), ("1", _("Tercapai")), ("0", _("Belum tercapai"))],
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
            else:
                field = LocalizedDecimalField(
                    label=t.indicator, max_digits=14, decimal_places=2, required=False
                )
            self.fields[f"value-{t.pk}"] = field
            self.fields[f"date-{t.pk}"] = forms.DateField(
                label=_("Tanggal"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.initial.setdefault(f"value-{t.pk}", row.value)
            self.initial.setdefault(f"date-{t.pk}", row.achieved_on)
        for row in self.activity_rows:
            a = row.activity
            self.fields[f"status-{a.pk}"] = forms.ChoiceField(
                label=a.title, choices=ActivityStatus.choices
            )
            self.fields[f"start-{a.pk}"] = MonthField(label=_("Mulai"), required=False)
            self.fields[f"end-{a.pk}"] = MonthField(label=_("Selesai"), required=False)
            self.initial.setdefault(f"status-{a.pk}", row.status)
            self.initial.setdefault(f"start-{a.pk}", row.actual_start)
            self.initial.setdefault(f"end-{a.pk}", row.actual_end)

    def clean(self):
        data = super().clean()
        for row in self.activity_rows:
            first, last = data.get(f"start-{row.activity_id}"), data.get(f"end-{row.activity_id}")
            if first and last and last < first:
                self.add_error(
                    f"end-{row.activity_id}", _("Bulan selesai tidak boleh sebelum bulan mulai.")
                )
        return data

    def rows(self):
        """(target row, value field, date field) and (activity row, status, start, end)."""
        targets = [
            (r, self[f"value-{r.target_id}"], self[f"date-{r.target_id}"]) for r in self.value_rows
        ]
        steps = [
            (r, *(self[f"{k}-{r.activity_id}"] for k in ("status", "start", "end")))
            for r in self.activity_rows
        ]
        return targets, steps

    def changes(self) -> dict:
        """The keyword arguments of `save_report` from the cleaned data."""
        data = self.cleaned_data
        values = {}
        for row in self.value_rows:
            value = data.get(f"value-{row.target_id}")
            values[row.target_id] = (value, data.get(f"date-{row.target_id}"))
        return {
            "lock_version": data["lock_version"],
            "narrative": {name: data.get(name, "") for name in ("done_text", "obstacles",
                                                               "next_steps", "answer")},
            "values": values,
            "activities": {
                r.activity_id: (
                    data[f"status-{r.activity_id}"],
                    data.get(f"start-{r.activity_id}"),
                    data.get(f"end-{r.activity_id}"),
                )
                for r in self.activity_rows
            },
        }  # fmt: skip


class EvidenceForm(forms.Form):
    name = forms.CharField(label=_("Nama bukti"), max_length=255, required=False)
    file = forms.FileField(
        label=_("Berkas"),
        required=False,
        help_text=_("PDF, PNG, JPEG, DOCX atau XLSX, maksimal %(mb)s MB.")
        % {"mb": max_attachment_mb()},
    )
    link = forms.URLField(
        label=_("atau tautan"), max_length=500, required=False, assume_scheme="https"
    )


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Hasil verifikasi"),
        choices=[("accept", _("Terima")), ("return", _("Kembalikan untuk diperbaiki"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("Catatan umum"), rows=2)

    def __init__(self, *args, values=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.value_rows = list(values)
        for row in self.value_rows:
            self.fields[f"comment-{row.target_id}"] = _text(row.target.indicator, rows=2)

    def comments(self) -> dict[int, str]:
        return {
            r.target_id: self.cleaned_data.get(f"comment-{r.target_id}", "")
            for r in self.value_rows
        }


class ChangeRequestForm(forms.Form):
    """What and why, then the new values: per target `target-<id>-target_value` (not for
    a qualitative one) and `target-<id>-due_date`, per activity `activity-<id>-start_month`
    and `activity-<id>-end_month`; a field left empty keeps the current value."""

    what = _text(_("Ringkasan perubahan"), rows=2, required=True)
    why = _text(_("Alasan"), rows=2, required=True)

    def __init__(self, *args, targets=(), activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets, self.activities = list(targets), list(activities)
        for t in self.targets:
            if t.direction != TargetDirection.QUALITATIVE:
                self.fields[f"target-{t.pk}-target_value"] = LocalizedDecimalField(
                    label=_("Nilai target baru"), max_digits=14, decimal_places=2, required=False
                )
            self.fields[f"target-{t.pk}-due_date"] = forms.DateField(
                label=_("Tenggat baru"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        for a in self.activities:
            self.fields[f"activity-{a.pk}-start_month"] = MonthField(
                label=_("Bulan mulai baru"), required=False
            )
            self.fields[f"activity-{a.pk}-end_month"] = MonthField(
                label=_("Bulan selesai baru"), required=False
            )
        for item in self.fields.values():
            item.widget.attrs.setdefault("class", "form-control form-control-sm")

    def rows(self):
        """(target, new value field or None, new due date field) and (activity, new start
        field, new end field), for the form's tables."""
        targets = [
            (
                t,
                self[f"target-{t.pk}-target_value"]
                if f"target-{t.pk}-target_value" in self.fields
                else None,
                self[f"target-{t.pk}-due_date"],
            )
            for t in self.targets
        ]
        steps = [
            (a, self[f"activity-{a.pk}-start_month"], self[f"activity-{a.pk}-end_month"])
            for a in self.activities
        ]
        return targets, steps

    def requested(self) -> dict:
        """The keyword arguments of `request_change` from the cleaned data."""
        data = self.cleaned_data

        def new(kind, row, names):
            return {n: data.get(f"{kind}-{row.pk}-{n}") for n in names}

        return {
            "what": data["what"],
            "why": data["why"],
            "targets": {t.pk: new("target", t, ("target_value", "due_date")) for t in self.targets},
            "activities": {
                a.pk: new("activity", a, ("start_month", "end_month")) for a in self.activities
            },
        }

    def refuse(self, error) -> None:
        """Put a service's refusal on its field (or on the form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class ChangeDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Keputusan"),
        choices=[("1", _("Setujui")), ("0", _("Tolak"))],
        coerce=lambda v: v == "1",
    )
    note = _text(_("Catatan"), rows=2)


class ClosingForm(forms.Form):
    results = _text(_("Hasil per target"), rows=4, required=True)
    internal_impact = _text(_("Dampak di dalam instansi"), rows=3, required=True)
    external_impact = _text(_("Dampak bagi provinsi dan masyarakat"), rows=3, required=True)
    lessons = _text(_("Pelajaran"), rows=3)
    continues = forms.BooleanField(label=_("Inovasi dilanjutkan"), required=False)
    institutionalised_by = forms.CharField(
        label=_("Dilembagakan dengan (nomor SK / SOP)"), max_length=255, required=False
    )
    decree = forms.FileField(label=_("Berkas SK / SOP"), required=False)
