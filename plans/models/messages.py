"""A cycle's own wording of a message the application sends (a notification and its
e-mail), in one language; without one, the default wording of `plans.message_templates`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bounds import length_checks
from .cycle import Cycle

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 2000


class MessageTemplate(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="message_templates")
    # A key of plans.message_templates.KINDS.
    kind = models.CharField(_("jenis pesan"), max_length=40)
    language = models.CharField(_("bahasa"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("judul"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("isi"), max_length=BODY_MAX_LENGTH)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("templat pesan")
        verbose_name_plural = _("templat pesan")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "kind", "language"], name="message_template_one_per_language"
            ),
            models.CheckConstraint(
                condition=~models.Q(subject="") & ~models.Q(body=""),
                name="message_template_not_empty",
            ),
            *length_checks("message_template", subject=SUBJECT_MAX_LENGTH, body=BODY_MAX_LENGTH),
        ]

    def __str__(self) -> str:
        return f"{self.cycle.code}: {self.kind} ({self.language})"
