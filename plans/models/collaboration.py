"""Mentoring threads on a plan, their comments and read markers, and attachments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import PlanSection
from .bounds import COMMENT_MAX_LENGTH, length_checks
from .plan import ActionPlan, Activity, Target


class CommentThread(models.Model):
    """A mentoring thread (pendampingan) anchored to a section, activity or target."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="threads")
    section = models.CharField(_("bagian"), max_length=20, choices=PlanSection.choices)
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    target = models.ForeignKey(
        Target, on_delete=models.SET_NULL, null=True, blank=True, related_name="threads"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_comment_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("utas pendampingan")
        verbose_name_plural = _("utas pendampingan")
        ordering = ["-last_comment_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(section__in=PlanSection.values), name="thread_section_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(activity__isnull=False, target__isnull=False),
                name="thread_one_anchor",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | models.Q(resolved_at__isnull=False, resolved_by__isnull=False),
                name="thread_resolution_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — {self.get_section_display()}"


class Comment(models.Model):
    thread = models.ForeignKey(CommentThread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("komentar"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("komentar")
        verbose_name_plural = _("komentar")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body=""), name="comment_body"),
            *length_checks("comment", body=COMMENT_MAX_LENGTH),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class ThreadReadMarker(models.Model):
    """When a user last read a thread: unread counts are comments after it."""

    thread = models.ForeignKey(CommentThread, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="readmarker_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} at {self.read_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A supporting document, stored outside the public static path."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("nama berkas"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    description = models.CharField(_("keterangan"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")
        ordering = ["plan", "uploaded_at"]
        constraints = [
            # The maximum is a setting (AGENPLAN_ATTACHMENT_MAX_MB), checked on upload
            # (plans.attachments.check_upload): a constraint frozen in a migration cannot
            # follow it. The database refuses what no setting allows, an empty file.
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_size_positive"),
            *length_checks("attachment", original_name=255, description=255),
        ]

    def __str__(self) -> str:
        return self.original_name
