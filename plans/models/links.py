"""Links the Biro Organisasi records between plans of different agencies: a shared
innovation (kolaborasi), or one plan replicating another (replikasi)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import LinkKind


class PlanLink(models.Model):
    """`plan` and `other` share an innovation (kolaborasi, stored once per pair with the
    smaller id first), or `plan` replicates `other` (replikasi: `other` is the original)."""

    plan = models.ForeignKey(
        "plans.ActionPlan", on_delete=models.CASCADE, related_name="links_from"
    )
    other = models.ForeignKey("plans.ActionPlan", on_delete=models.CASCADE, related_name="links_to")
    kind = models.CharField(_("jenis tautan"), max_length=16, choices=LinkKind.choices)
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tautan rencana")
        verbose_name_plural = _("tautan rencana")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "other"], name="planlink_one_per_pair"),
            models.CheckConstraint(
                condition=~models.Q(plan=models.F("other")), name="planlink_not_itself"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=LinkKind.values), name="planlink_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="collaboration") | models.Q(plan__lt=models.F("other")),
                name="planlink_collaboration_ordered",
            ),
        ]
        indexes = [models.Index(fields=["other"], name="planlink_other")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind} {self.other_id}"
