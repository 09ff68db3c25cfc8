"""Kinds and states of report jobs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    PLAN_DOCUMENT = "plan_document", _("Dokumen rencana tindak (PDF)")
    REVIEW_PACKET = "review_packet", _("Paket penilaian (PDF)")
    CYCLE_SUMMARY = "cycle_summary", _("Ringkasan provinsi (PDF)")
    CYCLE_PACKETS = "cycle_packets", _("Semua paket penilaian (ZIP)")
    SCORES_XLSX = "scores_xlsx", _("Nilai per rencana dan kriteria (XLSX)")
    PLANS_XLSX = "plans_xlsx", _("Rencana, kegiatan dan target (XLSX)")
    AGENT_PORTFOLIO = "agent_portfolio", _("Portofolio agen perubahan (PDF)")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Dalam antrean")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")
