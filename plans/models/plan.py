"""The action plan, its activities, targets and progress reports, and its frozen versions."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel

from agencies.models import Agency
from agents.models import Agent

from ..enums import ChangeKind, PlanState, TargetDirection
from ..fields import IdListField, IdListIndex
from ..rules import PLAN_PERMISSIONS
from .bounds import NOTE_MAX_LENGTH, PLAN_TEXT_FIELDS, PLAN_TEXT_MAX_LENGTH, length_checks
from .cycle import ChangeAgentRole, ChangeArea, CoreValue, Cycle, GovernorMission

# --- The plan -------------------------------------------------------------------------


# Denormalised copies of the plan's alignment, kept by plans.services.alignment.
ALIGNMENT_ID_FIELDS = ("area_ids", "value_ids")


class ActionPlan(RulesModel):
    """A rencana tindak: one per agent (or agent team) per cycle (docs/domain.md)."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="plans", verbose_name=_("siklus")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="plans", verbose_name=_("perangkat daerah")
    )
    owner = models.ForeignKey(
        Agent, on_delete=models.PROTECT, related_name="owned_plans", verbose_name=_("agen")
    )
    co_agents = models.ManyToManyField(
        Agent, blank=True, related_name="team_plans", verbose_name=_("anggota tim")
    )
    state = models.CharField(
        _("status"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT
    )
    lock_version = models.PositiveIntegerField(
        default=1, help_text="Optimistic locking: every save carries the version it was based on."
    )

    # 1. Identity
    title = models.CharField(
        _("judul rencana tindak"),
        max_length=255,
        help_text=_("Singkat dan jelas, misalnya: Layanan perizinan daring satu pintu."),
    )
    # 2. Problem
    strategic_issue = models.TextField(
        _("isu strategis / masalah layanan"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True
    )
    baseline_data = models.TextField(
        _("data kondisi awal (baseline)"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True
    )
    root_cause = models.TextField(_("akar masalah"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True)
    # 3. The change
    innovation = models.TextField(
        _("gagasan perubahan / inovasi"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True
    )
    change_kind = models.CharField(
        _("jenis perubahan"), max_length=20, choices=ChangeKind.choices, blank=True
    )
    novelty = models.TextField(
        _("mengapa baru bagi unit kerja"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True
    )
    agent_roles = models.ManyToManyField(
        ChangeAgentRole,
        blank=True,
        related_name="plans",
        verbose_name=_("peran agen perubahan yang dijalankan"),
        help_text=_(
            "Peran agen perubahan (PermenPANRB 27/2014) yang Anda jalankan dalam "
            "rencana ini; tampil di portofolio Anda."
        ),
    )
    # 4. Alignment
    change_areas = models.ManyToManyField(
        ChangeArea, blank=True, related_name="plans", verbose_name=_("area perubahan RB")
    )
    core_values = models.ManyToManyField(
        CoreValue, blank=True, related_name="plans", verbose_name=_("nilai BerAKHLAK")
    )
    governor_mission = models.ForeignKey(
        GovernorMission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("misi gubernur / isu strategis provinsi"),
    )
    alignment_notes = models.TextField(
        _("penjelasan keselarasan"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True
    )
    roadmap_link = models.TextField(
        _("keterkaitan dengan road map perangkat daerah"),
        max_length=PLAN_TEXT_MAX_LENGTH,
        blank=True,
    )
    # 7. Impact
    impact_internal = models.TextField(
        _("dampak internal"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True
    )
    impact_external = models.TextField(
        _("dampak eksternal (Pemprov dan masyarakat)"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True
    )
    # 8. Stakeholders, risks
    stakeholders = models.TextField(
        _("pemangku kepentingan"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True
    )
    risks = models.TextField(_("risiko"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True)
    mitigation = models.TextField(_("mitigasi"), max_length=PLAN_TEXT_MAX_LENGTH, blank=True)

    # Workflow facts
    submission_extended_until = models.DateTimeField(
        _("perpanjangan batas pengajuan"), null=True, blank=True
    )
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diketahui oleh"),
    )
    endorsed_at = models.DateTimeField(_("diketahui pada"), null=True, blank=True)
    endorsed_lock_version = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("diajukan pada"), null=True, blank=True)
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    # The number of the version the plan's latest decision judged, kept by the decision
    # services (assessment.services.decision, decision_runs). The calibration page reads
    # it to match the team's self-assessment of that version with one equality.
    decided_version_number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Maintained by the assessment services, read by dashboards (aggregates in SQL).
    score = models.DecimalField(_("nilai"), max_digits=5, decimal_places=2, null=True, blank=True)
    review_flagged = models.BooleanField(_("penilaian berbeda jauh"), default=False)
    # The ids of `change_areas` and `core_values`, sorted, kept in step by
    # plans.services.alignment on every change of either relation. The dashboard counts
    # coverage with one pass over the plans (`area_ids @> ARRAY[3]`, GIN-indexed on
    # PostgreSQL) instead of joining the link tables (250,000 rows in a national cycle).
    # The relations remain the truth.
    area_ids = IdListField(editable=False)
    value_ids = IdListField(editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rencana tindak")
        verbose_name_plural = _("rencana tindak")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "owner"], name="plan_one_per_agent_cycle"),
            models.CheckConstraint(
                condition=models.Q(state__in=PlanState.values), name="plan_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(change_kind="") | models.Q(change_kind__in=ChangeKind.values),
                name="plan_change_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="plan_score_0_100",
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="plan_title_not_empty"),
            *length_checks(
                "plan",
                title=255,
                **dict.fromkeys(PLAN_TEXT_FIELDS, PLAN_TEXT_MAX_LENGTH),
            ),
        ]
        indexes = [
            # A cycle's plans in a state, oldest submission first (the board's and the
            # decisions' lists read their first rows without sorting the state's plans).
            models.Index(
                fields=["cycle", "state", "submitted_at", "id"], name="plan_cycle_state_queue"
            ),
            # The board's plans flagged by their reviewers, oldest submission first.
            models.Index(
                fields=["cycle", "submitted_at", "id"],
                condition=models.Q(
                    review_flagged=True, state__in=[PlanState.IN_REVIEW, PlanState.REVIEWED]
                ),
                name="plan_cycle_flagged",
            ),
            models.Index(fields=["cycle", "agency", "state"]),
            # The dashboard's figures (per agency, totals, coverage) read only these columns.
            models.Index(
                fields=["cycle", "agency"],
                include=[
                    "id",
                    "state",
                    "score",
                    "review_flagged",
                    "submission_extended_until",
                    "area_ids",
                    "value_ids",
                ],
                name="plan_cycle_agency_figures",
            ),
            models.Index(fields=["cycle", "-score", "title", "id"], name="plan_cycle_top_score"),
            # The calibration page's decided plans, matched with the self-assessment of the
            # decided version, counted and put in order without reading the plans' rows.
            models.Index(
                fields=["cycle", "decided_version_number"],
                include=["id", "state", "agency", "title"],
                condition=models.Q(decided_version_number__isnull=False),
                name="plan_cycle_decided_version",
            ),
            # The plans awaiting a decision, by id: a reviewer's queue (a few hundred
            # assignments across cycles) is joined to these few thousand entries, not to a
            # scan of every plan's state.
            models.Index(
                fields=["id"],
                include=["state"],
                condition=models.Q(state__in=sorted(PlanState.AWAITING_DECISION)),
                name="plan_awaiting_decision",
            ),
            # The plan list's default order (latest change first) within a cycle.
            models.Index(fields=["cycle", "-updated_at", "-id"], name="plan_cycle_recent"),
            # The plan list across every cycle (no cycle chosen), latest change first.
            models.Index(fields=["-updated_at", "-id"], name="plan_recent"),
            IdListIndex(fields=["area_ids"], name="plan_area_ids_gin"),
            IdListIndex(fields=["value_ids"], name="plan_value_ids_gin"),
        ]
        rules_permissions = PLAN_PERMISSIONS

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """A save of a plan loaded earlier never writes back its (possibly stale) copy of
        the alignment ids: only plans.services.alignment writes those, after an insert."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in ALIGNMENT_ID_FIELDS
            ]
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.state in PlanState.EDITABLE


class Activity(models.Model):
    """A kegiatan / tahapan of a plan, scheduled by month."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities")
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    title = models.CharField(_("kegiatan"), max_length=255)
    output = models.CharField(_("keluaran (output)"), max_length=255, blank=True)
    start_month = models.DateField(_("bulan mulai"), help_text=_("Tanggal 1 bulan mulai."))
    end_month = models.DateField(_("bulan selesai"), help_text=_("Tanggal 1 bulan selesai."))
    responsible = models.CharField(_("penanggung jawab"), max_length=200, blank=True)
    budget = models.DecimalField(
        _("anggaran (Rp)"), max_digits=15, decimal_places=0, null=True, blank=True
    )

    class Meta:
        verbose_name = _("kegiatan")
        verbose_name_plural = _("kegiatan")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_month__gte=models.F("start_month")),
                name="activity_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                name="activity_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(start_month__day=1, end_month__day=1),
                name="activity_months_first_day",
            ),
            *length_checks("activity", title=255, output=255, responsible=200),
        ]

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    """A measurable target (indikator kinerja) of a plan."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="targets")
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    indicator = models.CharField(_("indikator"), max_length=255)
    unit = models.CharField(_("satuan"), max_length=60, help_text=_("Misalnya %, hari, dokumen."))
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target_value = models.DecimalField(_("nilai target"), max_digits=14, decimal_places=2)
    due_date = models.DateField(_("tenggat"))
    direction = models.CharField(
        _("arah capaian"),
        max_length=12,
        choices=TargetDirection.choices,
        default=TargetDirection.HIGHER,
        help_text=_("Kualitatif: tercapai (1) atau belum (0)."),
    )
    verification = models.CharField(
        _("alat verifikasi"),
        max_length=255,
        help_text=_("Bukti yang dapat diperiksa, misalnya laporan bulanan SIMPEG."),
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("target")
        ordering = ["order", "id"]
        constraints = [
            *length_checks("target", indicator=255, unit=60, verification=255),
            models.CheckConstraint(
                condition=models.Q(direction__in=TargetDirection.values),
                name="target_direction_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.indicator


class TargetProgress(models.Model):
    """A progress report (realisasi) of a target, with evidence."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="progress_reports")
    reported_on = models.DateField(_("tanggal laporan"))
    value = models.DecimalField(_("realisasi"), max_digits=14, decimal_places=2)
    note = models.TextField(_("keterangan"), max_length=NOTE_MAX_LENGTH, blank=True)
    evidence = models.FileField(_("bukti"), upload_to="evidence/%Y/%m/", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("realisasi target")
        verbose_name_plural = _("realisasi target")
        ordering = ["target", "-reported_on", "-id"]
        constraints = length_checks("targetprogress", note=NOTE_MAX_LENGTH)

    def __str__(self) -> str:
        return f"{self.target} — {self.value} ({self.reported_on})"


class ImmutableRowError(Exception):
    pass


class PlanVersion(models.Model):
    """An immutable snapshot of the whole plan taken at each submission."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    # The plan's cycle (a plan never changes cycle; a version never changes): submissions
    # per week of a cycle are then read from this table alone, without joining the plans.
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("versi"))
    snapshot = models.JSONField(_("isi rencana"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("versi rencana")
        verbose_name_plural = _("versi rencana")
        ordering = ["plan", "-number"]
        get_latest_by = "number"
        indexes = [
            models.Index(
                fields=["plan"], include=["number", "created_at"], name="planversion_plan_figures"
            ),
            models.Index(
                fields=["cycle", "created_at"], include=["number"], name="planversion_cycle_weeks"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="planversion_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableRowError("A PlanVersion is immutable once written.")
        if self.cycle_id is None:
            self.cycle_id = self.plan.cycle_id
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRowError("A PlanVersion is immutable once written.")
