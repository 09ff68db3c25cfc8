"""States and outcomes of the assessment."""

from enum import nonmember

from django.db import models
from django.utils.translation import gettext_lazy as _

LEVEL_MIN = 1
LEVEL_MAX = 5


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Dikirim")


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("Disetujui")
    REVISE = "revise", _("Perlu revisi")
    REJECT = "reject", _("Ditolak")


class ImportStatus(models.TextChoices):
    """Where a participants import (ParticipantImport) stands: checked in the background
    (the dry run), then, once the coordinator confirms, written in the background."""

    QUEUED = "queued", _("Menunggu pemeriksaan")
    CHECKING = "checking", _("Sedang diperiksa")
    CHECKED = "checked", _("Siap dikonfirmasi")
    CONFIRMED = "confirmed", _("Menunggu impor")
    IMPORTING = "importing", _("Sedang diimpor")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")

    ACTIVE = nonmember(frozenset({"queued", "checking", "confirmed", "importing"}))
    # Waiting for a worker: what the outbox sweep publishes again.
    WAITING = nonmember(frozenset({"queued", "confirmed"}))


class RunStatus(models.TextChoices):
    """Where a background run (AssignmentRun, DecisionRun) stands."""

    QUEUED = "queued", _("Dalam antrean")
    RUNNING = "running", _("Sedang berjalan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")

    ACTIVE = nonmember(frozenset({"queued", "running"}))
