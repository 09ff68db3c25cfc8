from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Penilaian")

    def ready(self) -> None:
        # Register the app's tasks in every process: services publish them by name.
        from . import tasks  # noqa: F401, PLC0415 - needs loaded models
        from .receivers import connect_signals  # noqa: PLC0415 - needs loaded models

        connect_signals()
