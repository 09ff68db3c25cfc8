"""Rubrics, conflicts of interest, reviewer assignments, reviews, scores and decisions;
the team's self-assessment (`self_assessment`). Every model is importable from
`assessment.models`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel

from agencies.models import Agency
from agents.models import Agent
from plans.models import ActionPlan, Cycle, PlanVersion

from ..enums import LEVEL_MAX, LEVEL_MIN, DecisionOutcome, ImportStatus, ReviewState, RunStatus
from ..rules import ASSIGNMENT_PERMISSIONS, REVIEW_PERMISSIONS
from .self_assessment import SelfAssessment as SelfAssessment
from .tags import PlanTag as PlanTag
from .tags import PlanTagging as PlanTagging
from .tallies import ReviewerTally as ReviewerTally


class Rubric(models.Model):
    """An assessment instrument (instrumen penilaian): criteria with weights summing to 100.

    A rubric without a cycle is a template (the default rubric); each cycle has its own
    copy, frozen once a review has used it.
    """

    name = models.CharField(_("nama"), max_length=255)
    cycle = models.OneToOneField(
        Cycle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rubric",
        verbose_name=_("siklus"),
    )
    description = models.TextField(_("keterangan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("instrumen penilaian")
        verbose_name_plural = _("instrumen penilaian")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("kriteria"), max_length=255)
    weight = models.PositiveSmallIntegerField(_("bobot"))
    guidance = models.TextField(_("panduan bagi reviewer"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    # The key of the plan section the criterion judges most (plans.sections): where the
    # self-assessment sends an agent whose level on it is low. Empty: the whole plan.
    section = models.CharField(_("bagian rencana"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("kriteria")
        verbose_name_plural = _("kriteria")
        ordering = ["rubric", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="criterion_unique_code"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=100), name="criterion_weight_1_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class CriterionLevel(models.Model):
    """The descriptor of one level (1–5) of a criterion."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("tingkat"))
    descriptor = models.TextField(_("deskripsi"))

    class Meta:
        verbose_name = _("tingkat kriteria")
        verbose_name_plural = _("tingkat kriteria")
        ordering = ["criterion", "level"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "level"], name="level_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX),
                name="level_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.descriptor[:60]}"


class ConflictOfInterest(models.Model):
    """A reviewer's declared conflict with an agency or an agent."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, null=True, blank=True)
    reason = models.CharField(_("alasan"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("konflik kepentingan")
        verbose_name_plural = _("konflik kepentingan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False, agent__isnull=True)
                | models.Q(agency__isnull=True, agent__isnull=False),
                name="conflict_exactly_one_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} × {self.agency or self.agent}"


class ReviewAssignment(RulesModel):
    """One reviewer assigned to one plan (penugasan)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(_("tenggat penilaian"))
    override_reason = models.CharField(
        _("alasan penugasan manual"),
        max_length=255,
        blank=True,
        help_text=_("Wajib bila koordinator mengesampingkan aturan penugasan otomatis."),
    )
    is_active = models.BooleanField(default=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("penugasan reviewer")
        verbose_name_plural = _("penugasan reviewer")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "reviewer"],
                condition=models.Q(is_active=True),
                name="assignment_one_active_per_reviewer",
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=True, released_at__isnull=True)
                | models.Q(is_active=False, released_at__isnull=False),
                name="assignment_release_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "is_active"]),
            models.Index(
                fields=["plan"], include=["reviewer", "is_active"], name="assignment_plan_reviewer"
            ),
        ]
        rules_permissions = ASSIGNMENT_PERMISSIONS

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.plan}"


class Review(RulesModel):
    """A reviewer's assessment of one submitted version of a plan."""

    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="reviews"
    )
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    state = models.CharField(
        _("status"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    overall_feedback = models.TextField(_("masukan untuk agen"), blank=True)
    confidential_note = models.TextField(_("catatan rahasia untuk koordinator"), blank=True)
    total = models.DecimalField(
        _("nilai total"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("penilaian")
        verbose_name_plural = _("penilaian")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["state", "assignment"], name="review_state_assignment")]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "version"], name="review_one_per_assignment_version"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=ReviewState.values), name="review_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(total__gte=0, total__lte=100),
                name="review_total_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(state=ReviewState.DRAFT)
                | models.Q(submitted_at__isnull=False, total__isnull=False),
                name="review_submitted_complete",
            ),
        ]
        rules_permissions = REVIEW_PERMISSIONS

    def __str__(self) -> str:
        return f"{self.assignment} ({self.get_state_display()})"


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    level = models.PositiveSmallIntegerField(_("tingkat"))
    comment = models.TextField(_("komentar"), blank=True)

    class Meta:
        verbose_name = _("nilai kriteria")
        verbose_name_plural = _("nilai kriteria")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX),
                name="score_level_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.level}"


class Decision(models.Model):
    """The coordinator's decision on a reviewed version of a plan."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="decisions")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("keputusan"), max_length=10, choices=DecisionOutcome.choices)
    feedback = models.TextField(_("masukan gabungan"), blank=True)
    score = models.DecimalField(_("nilai"), max_digits=5, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("keputusan")
        verbose_name_plural = _("keputusan")
        ordering = ["plan", "-decided_at"]
        get_latest_by = "decided_at"
        constraints = [
            models.UniqueConstraint(fields=["version"], name="decision_one_per_version"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=DecisionOutcome.values),
                name="decision_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_outcome_display()}"


class BackgroundRun(models.Model):
    """What every background run of the assessment shares: who asked, where it stands, the
    outbox's and the worker's moments. The row the page polls, never a result backend
    (docs/architecture.md, "The row is the outbox"). Each run declares its cycle and its
    `total` and `done` counts."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diminta oleh"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    error = models.TextField(_("pesan kesalahan"), blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    # When the broker last accepted the run's task (published after the request commits).
    # Empty: never handed over (the broker was down); the sweep publishes it again.
    published_at = models.DateTimeField(null=True, blank=True)
    # Set once, when a worker first takes the run: the moment its rows are stamped with,
    # so that a retried task finds (and notifies about) the same rows.
    started_at = models.DateTimeField(null=True, blank=True)
    # When a worker last took the run (every attempt): a run still "running" long after
    # this, past the task's hard time limit, was left by a worker that is gone.
    taken_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.cycle} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        """Queued or running: the page keeps polling."""
        return self.status in RunStatus.ACTIVE

    @property
    def progress(self) -> int:
        """Percent of the plans handled (0–100)."""
        if not self.total:
            return 100 if self.status == RunStatus.DONE else 0
        return min(100, self.done * 100 // self.total)


class AssignmentRun(BackgroundRun):
    """One automatic assignment of a big cycle, run in the background by a Celery task
    (`assessment.tasks.run_auto_assign`). A cycle has at most one run queued or running."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="assignment_runs", verbose_name=_("siklus")
    )
    # Plans waiting for reviewers when the run was asked for, and those handled so far.
    total = models.PositiveIntegerField(_("rencana yang ditugaskan"), default=0)
    done = models.PositiveIntegerField(_("rencana yang sudah diproses"), default=0)
    # What the run did (AutoAssignResult): plans given reviewers (or sent back to their
    # reviewers as a revision), assignments created, plans still short of reviewers.
    plans = models.PositiveIntegerField(_("rencana"), default=0)
    created = models.PositiveIntegerField(_("penugasan dibuat"), default=0)
    short = models.PositiveIntegerField(_("rencana kurang reviewer"), default=0)

    class Meta:
        verbose_name = _("penugasan otomatis")
        verbose_name_plural = _("penugasan otomatis")
        ordering = ["-requested_at", "-id"]
        get_latest_by = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RunStatus.values), name="assignmentrun_status_valid"
            ),
            models.UniqueConstraint(
                fields=["cycle"],
                condition=models.Q(status__in=sorted(RunStatus.ACTIVE)),
                name="assignmentrun_one_active_per_cycle",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "-requested_at"])]


class DecisionRun(BackgroundRun):
    """One bulk decision (the same outcome for the plans the coordinator chose on the
    decision board), run in the background by a Celery task
    (`assessment.tasks.run_bulk_decision`) in batches."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="decision_runs", verbose_name=_("siklus")
    )
    outcome = models.CharField(_("keputusan"), max_length=10, choices=DecisionOutcome.choices)
    # The same feedback for every plan; empty: each plan's consolidated review feedback.
    feedback = models.TextField(_("masukan"), blank=True)
    # The ids of the plans chosen, in order.
    plan_ids = models.JSONField(_("rencana terpilih"), default=list)
    total = models.PositiveIntegerField(_("rencana terpilih"), default=0)
    done = models.PositiveIntegerField(_("rencana yang sudah diproses"), default=0)
    # What the run did: plans decided, and plans left alone because they no longer waited
    # for a decision (a review reopened, decided meanwhile) or lacked the feedback a
    # revision or a rejection needs.
    decided = models.PositiveIntegerField(_("rencana diputuskan"), default=0)
    skipped = models.PositiveIntegerField(_("rencana dilewati"), default=0)

    class Meta:
        verbose_name = _("keputusan massal")
        verbose_name_plural = _("keputusan massal")
        ordering = ["-requested_at", "-id"]
        get_latest_by = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RunStatus.values), name="decisionrun_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=DecisionOutcome.values),
                name="decisionrun_outcome_valid",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "-requested_at"])]


class ParticipantImport(models.Model):
    """One participants file, checked (the dry run) and then written by a Celery task
    (`assessment.tasks.run_participant_import`): the row the import page polls. The file
    stays in the storage (`assessment.services.staging`) under `token` until it is written.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diminta oleh"),
    )
    filename = models.CharField(_("nama berkas"), max_length=255)
    token = models.CharField(max_length=48)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    # What the coordinator chose when confirming.
    skip_invalid = models.BooleanField(_("lewati baris yang ditolak"), default=False)
    send_invitations = models.BooleanField(_("kirim undangan"), default=False)
    invite_base_url = models.CharField(max_length=200, blank=True)  # links in the mail
    invited = models.PositiveIntegerField(_("undangan dikirim"), default=0)
    not_invited = models.PositiveIntegerField(default=0)  # new accounts without an e-mail
    confirmed_nips = models.JSONField(default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    # Progress: rows read from the file, judged, written.
    rows_total = models.PositiveIntegerField(_("baris"), default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_judged = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    # The dry run's (then the import's) counts.
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)  # protected, or not confirmed
    awaiting_confirmation = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    agencies_created = models.PositiveIntegerField(default=0)
    # Each row's outcome (`assessment.services.import_jobs.outcome_of`), and the refused
    # rows as the file had them with their reasons: [line, {column: text}, [reason, ...]].
    outcome = models.JSONField(default=list, blank=True)
    refused_rows = models.JSONField(default=list, blank=True)
    error = models.TextField(_("pesan kesalahan"), blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    # When the broker last accepted the task (the check, then the import); empty: not yet
    # handed over, and the outbox sweep publishes it again.
    published_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("impor peserta")
        verbose_name_plural = _("impor peserta")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values),
                name="participantimport_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return f"{self.filename} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        """Checked or written in the background right now: the page keeps polling."""
        return self.status in ImportStatus.ACTIVE

    @property
    def progress(self) -> int:
        """Percent of the current phase done (0–100): read and judged, then written."""
        if not self.rows_total:
            return 0
        if self.status in (ImportStatus.CONFIRMED, ImportStatus.IMPORTING):
            done, total = self.rows_judged + self.rows_written, 2 * self.rows_total
        else:
            done, total = self.rows_read + self.rows_judged, 2 * self.rows_total
        return min(100, done * 100 // total)
