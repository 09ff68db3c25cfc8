"""Report jobs: PDFs and spreadsheets rendered by Celery workers, polled by the page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import JobStatus, ReportKind


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
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

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
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["kind", "fingerprint", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
