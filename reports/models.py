"""Report jobs: PDFs and spreadsheets rendered by Celery workers, polled by the page."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import JobStatus, ReportKind

# Reports about one plan (params: plan_id) and about a whole cycle (params: cycle_id).
PLAN_KINDS = frozenset({ReportKind.PLAN_DOCUMENT, ReportKind.REVIEW_PACKET})
CYCLE_KINDS = frozenset(
    {
        ReportKind.CYCLE_SUMMARY,
        ReportKind.CYCLE_PACKETS,
        ReportKind.SCORES_XLSX,
        ReportKind.PLANS_XLSX,
    }
)
# Reports about one agent (params: agent_id): their portfolio, as its requester may see it.
AGENT_KINDS = frozenset({ReportKind.AGENT_PORTFOLIO})
# Documents that carry a verification code, printed on every page and checked at /verify/.
VERIFIABLE_KINDS = frozenset(
    {
        ReportKind.PLAN_DOCUMENT,
        ReportKind.REVIEW_PACKET,
        ReportKind.CYCLE_SUMMARY,
        ReportKind.CYCLE_PACKETS,
    }
)
FILE_EXTENSIONS = {
    ReportKind.PLAN_DOCUMENT: "pdf",
    ReportKind.REVIEW_PACKET: "pdf",
    ReportKind.CYCLE_SUMMARY: "pdf",
    ReportKind.CYCLE_PACKETS: "zip",
    ReportKind.SCORES_XLSX: "xlsx",
    ReportKind.PLANS_XLSX: "xlsx",
    ReportKind.AGENT_PORTFOLIO: "pdf",
}


class ReportJob(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=ReportKind.choices)
    params = models.JSONField(_("parameter"), default=dict, blank=True)
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="Hash of the inputs; an identical request reuses it."
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    file = models.FileField(_("berkas"), upload_to="reports/%Y/%m/", blank=True)
    verification_code = models.CharField(max_length=32, unique=True, null=True, blank=True)
    error = models.TextField(_("pesan kesalahan"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # What the document is, as printed on it: shown by the public verification page.
    title = models.CharField(_("judul dokumen"), max_length=300, blank=True)
    agency_name = models.CharField(_("perangkat daerah"), max_length=255, blank=True)
    # The Celery node (e.g. celery@host) that runs the job, for the admins' eyes; a job left
    # running past its time limit is recovered whichever node held it.
    worker = models.CharField(max_length=200, blank=True)
    # A batch (the ZIP of a cycle's packets) is rendered in chunks: `chunks_total` chunks,
    # `chunks_done` of them finished; `batch` holds the chunks' plan ids, the finished
    # chunks' temporary files and which node claimed which chunk (a latch in the database).
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    batch = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the broker last accepted the job's task (reports.services publishes it after the
    # request commits). Empty: never handed over (the broker was down); the sweep publishes
    # it again, and its requester may retry it at once.
    published_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the retention clean-up removed the finished file (AGENPLAN_REPORT_RETENTION_DAYS,
    # reports.services.remove_expired_report_files). The row stays "done": its verification
    # code must keep answering for the printed copies, but nothing is offered to download.
    file_removed_at = models.DateTimeField(_("berkas dihapus pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReportKind.values), name="reportjob_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="reportjob_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="reportjob_progress_max_100"
            ),
            models.CheckConstraint(
                condition=models.Q(chunks_done__lte=models.F("chunks_total")),
                name="reportjob_chunks_done_max_total",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["kind", "fingerprint", "status"]),
            # The outbox sweep reads the queued and running jobs only.
            models.Index(
                fields=["status"],
                condition=models.Q(status__in=["queued", "running"]),
                name="reportjob_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        """Queued or running: the job page keeps polling."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def duration(self) -> dt.timedelta | None:
        """How long the last render took (None while it has not finished)."""
        if self.started_at and self.finished_at and self.finished_at >= self.started_at:
            return self.finished_at - self.started_at
        return None

    @property
    def file_kept_days(self) -> int | None:
        """Whole days the file was kept before the clean-up removed it (None if it was not)."""
        if self.file_removed_at and self.finished_at:
            return max(0, (self.file_removed_at - self.finished_at).days)
        return None

    @property
    def printed_code(self) -> str:
        """The code printed on the document, which /verify/ confirms: "" for the archive
        of a cycle's packets (each packet in it carries its own code)."""
        if self.kind == ReportKind.CYCLE_PACKETS:
            return ""
        return self.verification_code or ""

    @property
    def file_extension(self) -> str:
        return FILE_EXTENSIONS.get(self.kind, "bin")


class CriterionTally(models.Model):
    """One agency's scores on one criterion of a cycle, as the agency page compares them:
    the levels of the current reviews (the latest version of each plan, active reviewers,
    submitted) of its decided plans, summed and counted. Kept current by
    `reports.services.criteria` when plans move; the cycle's mean is the sum of its
    agencies' rows."""

    cycle = models.ForeignKey("plans.Cycle", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(
        "assessment.Criterion", on_delete=models.CASCADE, related_name="+"
    )
    level_sum = models.PositiveIntegerField(default=0)
    scores = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rekap kriteria")
        verbose_name_plural = _("rekap kriteria")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "agency", "criterion"], name="criteriontally_one_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.agency_id}/{self.criterion_id}: {self.scores}"


class KeptFigures(models.Model):
    """The dashboard's figures as kept per agency and per cycle: plans per state, per
    score bin of the decided ones, per RB change area and BerAKHLAK value served, the
    decided plans' scores counted, the flagged plans, the agents the cycle counts, the
    submissions per week and the implementation's targets."""

    plans = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    scored = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    agents = models.PositiveIntegerField(default=0)
    # {"draft": 3, ...}; {"60": 2, ...} (decided plans by the low end of their score bin);
    # {"<area id>": 4, ...}; {"<value id>": 1, ...}; {"2026-03-02": [first, again], ...}.
    states = models.JSONField(default=dict)
    bins = models.JSONField(default=dict)
    areas = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    weeks = models.JSONField(default=dict)
    # The implementation: the targets of the plans in implementation or completed, those
    # with a verified realisation, the green and yellow ones; per RB change area
    # {"<area id>": [targets, "sum"]}. (The sum of their capped realisations, `realised`,
    # is each subclass's: a target without one counts 0.)
    measured = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    realised_areas = models.JSONField(default=dict)

    class Meta:
        abstract = True


class AgencyTally(KeptFigures):
    """One agency's figures in a cycle, as the leadership dashboard shows them (the kept
    figures, the sum of the decided plans' scores and the latest submission extension of
    a plan still editable). Kept current by `reports.services.agency_tallies` whenever a
    plan, its alignment, its team or an agent changes, and whenever a report's acceptance
    rewrites verified realisations; the cycle's figures are the sums of its agencies'
    rows (kept in `CycleTally`)."""

    cycle = models.ForeignKey("plans.Cycle", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    score_sum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    extended = models.DateTimeField(null=True, blank=True)
    realised = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("rekap perangkat daerah")
        verbose_name_plural = _("rekap perangkat daerah")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency"], name="agencytally_one_per_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.agency_id}: {self.plans}"


class CycleTally(KeptFigures):
    """A cycle's figures summed over its agencies' rows (`AgencyTally`), kept beside them
    so that the province-wide dashboard reads one row instead of summing two thousand:
    the same figures (but the latest extension, which only an agency has), the decided
    plans' score sum (0 without any) and the number of agencies with plans. Changed by the
    difference each agency row's recomputation makes, in the same transaction
    (`reports.services.agency_tallies`); rebuilt with them."""

    cycle = models.OneToOneField("plans.Cycle", on_delete=models.CASCADE, related_name="+")
    agencies = models.PositiveIntegerField(default=0)
    score_sum = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    realised = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("rekap siklus")
        verbose_name_plural = _("rekap siklus")

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.plans}"
