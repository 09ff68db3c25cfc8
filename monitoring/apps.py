from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Pelaksanaan")

    def ready(self) -> None:
        # Register the app's tasks in every process: services publish them by name.
        from plans.templatetags.plan_ui import ACTION_LABELS  # noqa: PLC0415

        from . import tasks  # noqa: F401, PLC0415 - needs loaded models

        # The plan's history names the implementation's steps as the users say them.
        ACTION_LABELS.update(
            {
                "progress.open": _("Laporan realisasi dibuka"),
                "progress.evidence": _("Bukti dukung ditambahkan"),
                "progress.submit": _("Laporan realisasi diajukan"),
                "progress.accept": _("Laporan realisasi diterima"),
                "progress.return": _("Laporan realisasi dikembalikan"),
                "change.request": _("Perubahan diminta"),
                "change.approve": _("Perubahan disetujui dan diterapkan"),
                "change.refuse": _("Perubahan ditolak"),
                "closing.submit": _("Laporan akhir diserahkan"),
            }
        )
