from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GalleryConfig(AppConfig):
    name = "gallery"
    verbose_name = _("Galeri inovasi")

    def ready(self) -> None:
        from .cache import connect_signals  # noqa: PLC0415 - needs loaded models

        connect_signals()
