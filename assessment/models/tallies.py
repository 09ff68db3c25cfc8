"""Each reviewer's figures in each cycle, kept as rows so that the coordinator's pages read
them instead of aggregating the cycle's assignments and reviews on every request.

`assessment.services.tallies` writes them (a change to an assignment, a review or a
plan's versions recomputes the rows of the plan's reviewers); `rebuild_tallies`
recomputes a whole cycle.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Cycle


class ReviewerTally(models.Model):
    """One reviewer in one cycle: the load (active assignments, and those whose review of
    the plan's latest version is sent) and the calibration (submitted reviews on active
    assignments: how many, the mean and spread of their totals, the co-reviewers' mean on
    the same plan versions and the difference)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    active = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    reviews = models.PositiveIntegerField(default=0)
    mean = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    spread = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    co_mean = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    difference = models.DecimalField(max_digits=6, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("rekap reviewer")
        verbose_name_plural = _("rekap reviewer")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "reviewer"], name="tally_one_per_reviewer"),
            models.CheckConstraint(
                condition=models.Q(sent__lte=models.F("active")), name="tally_sent_of_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} @ {self.cycle_id}: {self.active}"
