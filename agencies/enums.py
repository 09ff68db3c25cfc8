"""Kinds of perangkat daerah."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    SEKRETARIAT = "sekretariat", _("Sekretariat")
    BIRO = "biro", _("Biro")
    DINAS = "dinas", _("Dinas")
    BADAN = "badan", _("Badan")
    INSPEKTORAT = "inspektorat", _("Inspektorat")
    RSUD = "rsud", _("Rumah sakit daerah")
    SATPOL = "satpol", _("Satuan Polisi Pamong Praja")
    LAINNYA = "lainnya", _("Lainnya")
