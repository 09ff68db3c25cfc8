from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Rencana tindak")

    def ready(self) -> None:
        from .services.alignment import connect_signals  # noqa: PLC0415 - needs loaded models

        connect_signals()
