"""Perangkat daerah (OPD): the units in which change agents are appointed."""

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from .enums import AgencyKind


class Agency(models.Model):
    code = models.SlugField(
        _("kode"),
        max_length=40,
        unique=True,
        help_text=_("Kode singkat unik, huruf besar, misalnya DINKES atau BIRO-ORGANISASI."),
    )
    name = models.CharField(_("nama resmi"), max_length=255)
    abbreviation = models.CharField(_("singkatan"), max_length=80, blank=True)
    # Other names the agency goes by in people's spreadsheets ("Dinkes", "Dinas Kesehatan"):
    # the participants import matches them like the code, the name and the abbreviation.
    aliases = models.JSONField(
        _("nama lain"),
        default=list,
        blank=True,
        help_text=_("Singkatan atau nama lain yang lazim dipakai, misalnya Dinkes, BPKAD."),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=AgencyKind.choices)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("perangkat daerah")
        verbose_name_plural = _("perangkat daerah")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AgencyKind.values), name="agency_kind_valid"
            ),
            models.UniqueConstraint(Upper("name"), name="agency_name_unique_ci"),
            models.CheckConstraint(condition=~models.Q(code=""), name="agency_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def short_name(self) -> str:
        return self.abbreviation or self.name
