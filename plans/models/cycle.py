"""Cycles and the reference lists a plan aligns with (areas of change, core values, the
governor's missions)."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel

from ..enums import CyclePhase, ScoreMethod
from ..rules import CYCLE_PERMISSIONS

# --- Reference lists (editable data, not hard-coded choices) --------------------------


class ChangeArea(models.Model):
    """An area of change (area perubahan) of the bureaucratic-reform road map."""

    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    alias = models.CharField(_("nama lain"), max_length=200, blank=True)
    framework = models.CharField(
        _("acuan"), max_length=200, blank=True, help_text=_("Misalnya Road Map RB 2020–2024.")
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("area perubahan RB")
        verbose_name_plural = _("area perubahan RB")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CoreValue(models.Model):
    """A value of the ASN core values BerAKHLAK, with its behaviours."""

    code = models.CharField(_("kode"), max_length=10, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    meaning = models.CharField(_("makna"), max_length=255, blank=True)
    behaviours = models.JSONField(_("panduan perilaku"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("nilai BerAKHLAK")
        verbose_name_plural = _("nilai BerAKHLAK")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ChangeAgentRole(models.Model):
    """A role of a change agent (PermenPANRB 27/2014): panutan, katalisator, pemberi
    solusi, mediator dan penghubung, penggerak. A plan names the roles its agent takes
    in it (`ActionPlan.agent_roles`); the agent's portfolio gathers them across cycles."""

    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    meaning = models.CharField(_("makna"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("peran agen perubahan")
        verbose_name_plural = _("peran agen perubahan")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class GovernorMission(models.Model):
    """A mission of the governor (RPJMD) or a provincial strategic issue."""

    period = models.CharField(_("periode"), max_length=40, help_text=_("Misalnya RPJMD 2019–2023."))
    number = models.PositiveSmallIntegerField(_("nomor"))
    text = models.TextField(_("rumusan"))
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("misi gubernur")
        verbose_name_plural = _("misi gubernur")
        ordering = ["period", "number"]
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="mission_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.period} — {self.number}. {self.text[:80]}"


# --- Cycle ----------------------------------------------------------------------------


class Cycle(RulesModel):
    """One assessment cycle (periode / angkatan), e.g. "Assessment Agen Perubahan 2023"."""

    name = models.CharField(_("nama"), max_length=200)
    code = models.SlugField(_("kode"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("tahun"))
    description = models.TextField(_("keterangan"), blank=True)
    drafting_opens = models.DateTimeField(_("penyusunan dibuka"))
    submission_deadline = models.DateTimeField(_("batas pengajuan"))
    review_starts = models.DateField(_("penilaian dimulai"))
    review_ends = models.DateField(_("penilaian berakhir"))
    revision_deadline = models.DateTimeField(
        _("batas pengajuan revisi"),
        null=True,
        blank=True,
        help_text=_("Kosong: revisi dapat diajukan sampai tanggal keputusan."),
    )
    decision_date = models.DateField(_("tanggal keputusan"))
    implementation_start = models.DateField(_("pelaksanaan dimulai"))
    implementation_end = models.DateField(_("pelaksanaan berakhir"))
    # Progress reports (realisasi) during implementation: one per period of this many
    # months from the window's first month, due this many days after the period ends.
    reporting_months = models.PositiveSmallIntegerField(_("periode laporan (bulan)"), default=1)
    report_due_days = models.PositiveSmallIntegerField(
        _("batas laporan (hari setelah periode)"), default=10
    )
    reviewers_per_plan = models.PositiveSmallIntegerField(_("reviewer per rencana"), default=2)
    # Two submitted reviews of a plan disagree (the plan is flagged for the coordinator)
    # when they are this many levels apart on one criterion, or this many points apart in
    # their totals (0–100).
    disagreement_levels = models.PositiveSmallIntegerField(
        _("ambang beda tingkat"),
        default=2,
        help_text=_("Penilaian berbeda jauh bila berselisih sekian tingkat pada satu kriteria."),
    )
    disagreement_points = models.PositiveSmallIntegerField(
        _("ambang beda nilai"),
        default=20,
        help_text=_("... atau berselisih sekian poin pada nilai total (0–100)."),
    )
    reviewer_anonymity = models.BooleanField(
        _("nama reviewer disembunyikan dari agen"), default=True
    )
    head_endorsement_required = models.BooleanField(
        _("wajib diketahui kepala perangkat daerah"), default=False
    )
    min_activities = models.PositiveSmallIntegerField(_("minimal kegiatan"), default=3)
    min_targets = models.PositiveSmallIntegerField(_("minimal target"), default=2)
    score_method = models.CharField(
        _("cara menghitung nilai rencana"),
        max_length=10,
        choices=ScoreMethod.choices,
        default=ScoreMethod.MEAN,
    )
    is_archived = models.BooleanField(_("diarsipkan"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("siklus assessment")
        verbose_name_plural = _("siklus assessment")
        ordering = ["-year", "-drafting_opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(submission_deadline__gt=models.F("drafting_opens")),
                name="cycle_deadline_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(review_ends__gte=models.F("review_starts")),
                name="cycle_review_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(decision_date__gte=models.F("review_starts")),
                name="cycle_decision_after_review_start",
            ),
            models.CheckConstraint(
                condition=models.Q(implementation_end__gt=models.F("implementation_start")),
                name="cycle_implementation_window_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(reporting_months__gte=1, reporting_months__lte=12),
                name="cycle_reporting_months_1_12",
            ),
            models.CheckConstraint(
                condition=models.Q(report_due_days__lte=60), name="cycle_report_due_days_60"
            ),
            models.CheckConstraint(
                condition=models.Q(reviewers_per_plan__gte=1, reviewers_per_plan__lte=5),
                name="cycle_reviewers_per_plan_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(disagreement_levels__gte=1, disagreement_levels__lte=4),
                name="cycle_disagreement_levels_1_4",
            ),
            models.CheckConstraint(
                condition=models.Q(disagreement_points__gte=1, disagreement_points__lte=100),
                name="cycle_disagreement_points_1_100",
            ),
            models.CheckConstraint(
                condition=models.Q(score_method__in=ScoreMethod.values),
                name="cycle_score_method_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="cycle_year_plausible"
            ),
        ]
        rules_permissions = CYCLE_PERMISSIONS

    def __str__(self) -> str:
        return self.name

    def phase_at(self, moment: dt.datetime | None = None) -> CyclePhase:
        """The phase of the cycle at a moment (now by default), from its dates in WITA."""
        moment = moment or timezone.now()
        today = timezone.localtime(moment).date()
        if moment < self.drafting_opens:
            return CyclePhase.UPCOMING
        if moment <= self.submission_deadline:
            return CyclePhase.DRAFTING
        if today <= self.review_ends:
            return CyclePhase.REVIEW
        if today <= self.decision_date:
            return CyclePhase.DECISION
        if today <= self.implementation_end:
            return CyclePhase.IMPLEMENTATION
        return CyclePhase.CLOSED

    @property
    def phase(self) -> CyclePhase:
        return self.phase_at()

    @property
    def effective_revision_deadline(self) -> dt.datetime:
        if self.revision_deadline:
            return self.revision_deadline
        end_of_day = dt.datetime.combine(self.decision_date, dt.time(23, 59, 59))
        return timezone.make_aware(end_of_day)
