"""States of progress reports, activities and change requests during implementation."""

from enum import nonmember

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    ACCEPTED = "accepted", _("Diterima")
    RETURNED = "returned", _("Dikembalikan")

    # The agent may still write in these states.
    EDITABLE = nonmember(frozenset({"draft", "returned"}))
    # Handed in for its period (a period whose report is in none of these is overdue
    # once its due date has passed).
    HANDED_IN = nonmember(frozenset({"submitted", "accepted"}))


# Not a stored state: a period without a report handed in past its due date.
OVERDUE = "overdue"
OVERDUE_LABEL = _("Terlambat")


class ActivityStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Belum dimulai")
    RUNNING = "running", _("Berjalan")
    DONE = "done", _("Selesai")
    LATE = "late", _("Terlambat")


class ChangeState(models.TextChoices):
    PENDING = "pending", _("Menunggu keputusan")
    APPROVED = "approved", _("Disetujui")
    REFUSED = "refused", _("Ditolak")
