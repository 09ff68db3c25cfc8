"""A cycle's own wording of the messages the application sends (`plans.message_templates`):
saved, checked and audited here."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.services import record_activity

from ..message_templates import KINDS, unknown_placeholders, wording
from ..models import Cycle, MessageTemplate
from ..models.messages import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from .common import PlanError, _require

EDIT = "plans.edit_message_templates"


def check_wording(kind: str, *, subject: str, body: str) -> None:
    """Refuse, on its field, an empty or too long text or a placeholder the kind does not
    fill."""
    message_kind = KINDS[kind]
    for field, text, limit in (
        ("subject", subject, SUBJECT_MAX_LENGTH),
        ("body", body, BODY_MAX_LENGTH),
    ):
        if not text.strip():
            raise PlanError(_("Wajib diisi."), field=field)
        if len(text) > limit:
            raise PlanError(_("Paling banyak %(limit)s karakter.") % {"limit": limit}, field=field)
        unknown = unknown_placeholders(message_kind, text)
        if unknown:
            raise PlanError(
                _("Tanda %(unknown)s tidak dikenal. Yang dapat dipakai: %(allowed)s.")
                % {
                    "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                    "allowed": ", ".join(f"{{{name}}}" for name in message_kind.placeholders),
                },
                field=field,
            )


def _check_target(by: User, cycle: Cycle, kind: str, language: str) -> None:
    _require(by, EDIT, cycle, _("Hanya koordinator yang dapat mengubah teks pesan."))
    if kind not in KINDS or language not in dict(settings.LANGUAGES):
        raise PlanError(_("Jenis pesan atau bahasa tidak dikenal."), code="not_found")


def save_message_template(
    cycle: Cycle, *, kind: str, language: str, subject: str, body: str, by: User
) -> MessageTemplate | None:
    """The cycle's wording of `kind` in `language`. The default wording saved as it is
    keeps (or goes back to) the default: None. Audited as "message_template.updated" with
    the texts before → after."""
    _check_target(by, cycle, kind, language)
    subject, body = subject.strip(), body.strip().replace("\r\n", "\n")
    check_wording(kind, subject=subject, body=body)
    with transaction.atomic():
        # Two coordinators saving at once take turns on the cycle's row.
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        cycle.__dict__.pop("_agenplan_wordings", None)
        before_subject, before_body, _edited = wording(cycle, kind, language)
        if (before_subject, before_body) == (subject, body):
            return MessageTemplate.objects.filter(cycle=cycle, kind=kind, language=language).first()
        default_subject, default_body, _e = wording(None, kind, language)
        template = None
        if (subject, body) == (default_subject, default_body):
            MessageTemplate.objects.filter(cycle=cycle, kind=kind, language=language).delete()
        else:
            template, _created = MessageTemplate.objects.update_or_create(
                cycle=cycle,
                kind=kind,
                language=language,
                defaults={
                    "subject": subject,
                    "body": body,
                    "updated_by": by,
                    "updated_at": timezone.now(),
                },
            )
        record_activity(
            actor=by,
            action="message_template.updated",
            obj=cycle,
            data={
                "kind": kind,
                "language": language,
                "subject": [before_subject, subject],
                "body": [before_body, body],
            },
        )
    return template


def reset_message_template(cycle: Cycle, *, kind: str, language: str, by: User) -> bool:
    """Back to the default wording; audited as "message_template.reset". False when the
    cycle had no wording of its own."""
    _check_target(by, cycle, kind, language)
    with transaction.atomic():
        deleted, _rows = MessageTemplate.objects.filter(
            cycle=cycle, kind=kind, language=language
        ).delete()
        if deleted:
            record_activity(
                actor=by,
                action="message_template.reset",
                obj=cycle,
                data={"kind": kind, "language": language},
            )
    cycle.__dict__.pop("_agenplan_wordings", None)
    return bool(deleted)
