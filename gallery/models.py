"""The public gallery of innovations (docs/domain.md, "The public gallery"): a plan is
shown at /inovasi/ when its team consents and the Biro Organisasi publishes it, and only
while both hold and the plan is approved, in implementation or completed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from monitoring.models import Evidence
from plans.models import ActionPlan


class Publication(models.Model):
    """One plan's place in the gallery: the team's consent and the coordinator's
    publication, each with who and when, and the evidence the team shows the public."""

    plan = models.OneToOneField(
        ActionPlan,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="publication",
        verbose_name=_("rencana tindak"),
    )
    consent = models.BooleanField(_("persetujuan tim untuk dipublikasikan"), default=False)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    consent_at = models.DateTimeField(null=True, blank=True)
    published = models.BooleanField(_("dipublikasikan"), default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Evidence of the plan's progress reports that the team marked public; every other
    # file or link of the plan stays with those who may open the plan.
    public_evidence = models.ManyToManyField(
        Evidence, blank=True, related_name="+", verbose_name=_("bukti dukung publik")
    )

    class Meta:
        verbose_name = _("publikasi galeri")
        verbose_name_plural = _("publikasi galeri")
        constraints = [
            # Never published without the team's consent.
            models.CheckConstraint(
                condition=models.Q(published=False) | models.Q(consent=True),
                name="publication_needs_consent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["published_at"],
                condition=models.Q(published=True),
                name="publication_shown",
            )
        ]

    def __str__(self) -> str:
        return str(self.plan)
