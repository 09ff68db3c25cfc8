"""Writes about people, and the audit log that every state-changing service uses."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import ActivityLog, User


def record_activity(**fields) -> ActivityLog:
    """Write one audit entry: who did what, to which object, from which state to which
    (the fields of `activity_entry`)."""
    entry = activity_entry(**fields)
    entry.save(force_insert=True)
    return entry


def activity_entry(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> ActivityLog:
    """The audit entry `record_activity` writes, unsaved: for `record_activities`."""
    return ActivityLog(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        object_repr=str(obj)[:255],
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        created_at=at or timezone.now(),
    )


def record_activities(entries: list[ActivityLog]) -> list[ActivityLog]:
    """Write many audit entries (from `activity_entry`) in one INSERT: for bulk services,
    whose entries must read exactly as if each had been recorded on its own."""
    return ActivityLog.objects.bulk_create(entries) if entries else []
