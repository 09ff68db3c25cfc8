"""Tags the coordinator defines per cycle to triage plans on the decision board (for
example "perlu diskusi", "cek data dasar"); only coordinators see and set them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import ActionPlan, Cycle

TAG_NAME_MAX_LENGTH = 40


class PlanTag(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="plan_tags")
    name = models.CharField(_("nama label"), max_length=TAG_NAME_MAX_LENGTH)
    plans = models.ManyToManyField(ActionPlan, through="PlanTagging", related_name="tags")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("label")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name"], name="plan_tag_unique_per_cycle"),
            models.CheckConstraint(condition=~models.Q(name=""), name="plan_tag_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanTagging(models.Model):
    tag = models.ForeignKey(PlanTag, on_delete=models.CASCADE, related_name="taggings")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="taggings")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "plan"], name="plan_tagging_once"),
        ]

    def __str__(self) -> str:
        return f"{self.tag.name}: {self.plan_id}"
