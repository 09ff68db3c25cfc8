from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Laporan")

    def ready(self) -> None:
        from .cache import connect_signals  # noqa: PLC0415 - needs loaded models
        from .services import agency_tallies, criteria  # noqa: PLC0415 - needs loaded models

        connect_signals()
        criteria.connect_signals()
        agency_tallies.connect_signals()
        # Register the app's tasks in every process: services publish them by name.
        from . import tasks  # noqa: F401, PLC0415 - needs loaded models
