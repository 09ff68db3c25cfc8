"""Progress reports (realisasi) of plans in implementation, their evidence, the verified
realisation of each target, change requests and the closing report."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from plans.models import ActionPlan, Activity, Cycle, Target
from plans.models.bounds import length_checks

from .enums import ActivityStatus, ChangeState, ReportState

TEXT_MAX = 4000


class ProgressReport(models.Model):
    """The report of one plan for one reporting period of its cycle."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="progress")
    period = models.PositiveSmallIntegerField(_("periode"))
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    due_date = models.DateField(_("batas laporan"))
    state = models.CharField(
        _("status"), max_length=12, choices=ReportState.choices, default=ReportState.DRAFT
    )
    done_text = models.TextField(_("yang telah dilakukan"), max_length=TEXT_MAX, blank=True)
    obstacles = models.TextField(_("kendala"), max_length=TEXT_MAX, blank=True)
    next_steps = models.TextField(_("langkah berikutnya"), max_length=TEXT_MAX, blank=True)
    review_note = models.TextField(_("catatan verifikasi"), max_length=TEXT_MAX, blank=True)
    answer = models.TextField(_("tanggapan agen"), max_length=TEXT_MAX, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("laporan realisasi")
        verbose_name_plural = _("laporan realisasi")
        ordering = ["plan", "period"]
        indexes = [models.Index(fields=["state", "submitted_at"], name="progress_state_queue")]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="progress_unique_period"),
            models.CheckConstraint(
                condition=models.Q(state__in=ReportState.values), name="progress_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(period__gte=1), name="progress_period_from_1"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="progress_period_end_after_start",
            ),
            *length_checks(
                "progress",
                done_text=TEXT_MAX,
                obstacles=TEXT_MAX,
                next_steps=TEXT_MAX,
                review_note=TEXT_MAX,
                answer=TEXT_MAX,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — {self.period}"


class TargetValue(models.Model):
    """What one report says of one target: the value reached and its date, and the
    verifier's comment when the report is returned."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="values")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reported_values")
    value = models.DecimalField(_("realisasi"), max_digits=14, decimal_places=2, null=True)
    achieved_on = models.DateField(_("tanggal"), null=True, blank=True)
    comment = models.TextField(_("catatan verifikator"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("realisasi target")
        verbose_name_plural = _("realisasi target")
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="targetvalue_unique"),
            *length_checks("targetvalue", comment=TEXT_MAX),
        ]

    def __str__(self) -> str:
        return f"{self.target} — {self.value}"


class ActivityProgress(models.Model):
    """What one report says of one activity: its status and the months it actually ran."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="activities")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ActivityStatus.choices,
        default=ActivityStatus.NOT_STARTED,
    )
    actual_start = models.DateField(_("bulan mulai sebenarnya"), null=True, blank=True)
    actual_end = models.DateField(_("bulan selesai sebenarnya"), null=True, blank=True)

    class Meta:
        verbose_name = _("kemajuan kegiatan")
        verbose_name_plural = _("kemajuan kegiatan")
        constraints = [
            models.UniqueConstraint(fields=["report", "activity"], name="activityprogress_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=ActivityStatus.values),
                name="activityprogress_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_start__isnull=True)
                | models.Q(actual_end__isnull=True)
                | models.Q(actual_end__gte=models.F("actual_start")),
                name="activityprogress_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} — {self.status}"


class Evidence(models.Model):
    """Bukti dukung of a report: a file (the attachments' rules) or a link."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(_("nama"), max_length=255)
    file = models.FileField(_("berkas"), upload_to="evidence/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    link = models.URLField(_("tautan"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")
        ordering = ["report", "added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(file="") & models.Q(link=""))
                | (models.Q(file="") & ~models.Q(link="")),
                name="evidence_file_or_link",
            ),
            *length_checks("evidence", name=255, link=500),
        ]

    def __str__(self) -> str:
        return self.name


class TargetRealisation(models.Model):
    """A target's verified realisation: written when a report is accepted, from the value
    of the accepted report of the latest period; the only realisation figures read."""

    target = models.OneToOneField(
        Target, on_delete=models.CASCADE, primary_key=True, related_name="realisation"
    )
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    achieved_on = models.DateField(null=True)
    # Percent, uncapped (shown), and capped to 0..100 (counted in every roll-up).
    realisation = models.DecimalField(max_digits=12, decimal_places=2)
    counted = models.DecimalField(max_digits=5, decimal_places=2)
    verified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("realisasi terverifikasi")
        verbose_name_plural = _("realisasi terverifikasi")
        indexes = [
            models.Index(fields=["cycle", "agency"], include=["counted"], name="realisation_fig"),
            # The cycle's targets on track (counted at least the elapsed share) and the
            # lowest ones, read in the order of this index.
            models.Index(fields=["cycle", "counted"], name="realisation_counted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(counted__gte=0, counted__lte=100),
                name="realisation_counted_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} — {self.realisation}%"


class ChangeRequest(models.Model):
    """A change to a plan's activities or targets once it is fixed in implementation.

    `changes` lists the new values the agent asks for, each with the value it replaces
    when requested: {"kind": "target" | "activity", "id", "label", "field", "old", "new"},
    values as text (a decimal, or an ISO date). Approving applies them to the plan."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="changes")
    what = models.TextField(_("perubahan yang diminta"), max_length=TEXT_MAX)
    changes = models.JSONField(_("nilai baru"), default=list, blank=True)
    why = models.TextField(_("alasan"), max_length=TEXT_MAX)
    state = models.CharField(
        _("status"), max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("catatan keputusan"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("permintaan perubahan")
        verbose_name_plural = _("permintaan perubahan")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ChangeState.values), name="change_state_valid"
            ),
            *length_checks("change", what=TEXT_MAX, why=TEXT_MAX, decision_note=TEXT_MAX),
        ]

    def __str__(self) -> str:
        return self.what[:80]


class ClosingReport(models.Model):
    """The agent's closing report at the end of the window."""

    plan = models.OneToOneField(ActionPlan, on_delete=models.CASCADE, related_name="closing")
    results = models.TextField(_("hasil per target"), max_length=TEXT_MAX)
    internal_impact = models.TextField(_("dampak internal"), max_length=TEXT_MAX)
    external_impact = models.TextField(_("dampak eksternal"), max_length=TEXT_MAX)
    lessons = models.TextField(_("pelajaran"), max_length=TEXT_MAX, blank=True)
    continues = models.BooleanField(_("inovasi dilanjutkan"), default=False)
    institutionalised_by = models.CharField(
        _("dilembagakan dengan (SK / SOP)"), max_length=255, blank=True
    )
    decree = models.FileField(_("berkas SK / SOP"), upload_to="closing/%Y/", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("laporan akhir")
        verbose_name_plural = _("laporan akhir")
        constraints = length_checks(
            "closing",
            results=TEXT_MAX,
            internal_impact=TEXT_MAX,
            external_impact=TEXT_MAX,
            lessons=TEXT_MAX,
            institutionalised_by=255,
        )

    def __str__(self) -> str:
        return str(self.plan)
