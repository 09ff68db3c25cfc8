"""The team's own scoring of its plan before handing it in (penilaian mandiri)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SelfAssessment(models.Model):
    """The plan's team scores its plan on the cycle's rubric, once per version: the
    version the plan is handed in as (while the plan is a draft or a revision, the next
    one). Levels are kept per criterion code, so that a rubric edited during drafting
    keeps the levels of the criteria it kept.

    Private to the team until the decision (`assessment.view_self_assessment`); never
    shown to reviewers."""

    plan = models.ForeignKey(
        "plans.ActionPlan", on_delete=models.CASCADE, related_name="self_assessments"
    )
    version_number = models.PositiveIntegerField(_("versi"))
    # {criterion code: level 1..5}
    levels = models.JSONField(_("tingkat per kriteria"), default=dict)
    total = models.DecimalField(_("nilai total"), max_digits=5, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("penilaian mandiri")
        verbose_name_plural = _("penilaian mandiri")
        ordering = ["plan", "-version_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "version_number"], name="selfassessment_one_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0, total__lte=100),
                name="selfassessment_total_0_100",
            ),
            models.CheckConstraint(
                condition=models.Q(version_number__gte=1), name="selfassessment_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.version_number}: {self.total}"
