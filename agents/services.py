"""Writes about people, and the audit log that every state-changing service uses."""

import datetime as dt
import secrets

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from .models import ActivityLog, RoleGrant, User
from .selectors import calendar_token_hash


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


# --- The profile ----------------------------------------------------------------------------


def update_profile(user: User, *, changes: dict, by: User) -> list[str]:
    """Save a person's own profile fields (the profile form's cleaned data); audited as
    "profile.updated" with each changed field before → after. Returns the changed names."""
    if by.pk != user.pk:
        raise PermissionDenied
    before = {name: getattr(user, name) for name in changes}
    changed = [name for name, value in changes.items() if before[name] != value]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(user, name, changes[name])
        user.save(update_fields=changed)
        record_activity(
            actor=by,
            action="profile.updated",
            obj=user,
            data={"changes": {name: [before[name], changes[name]] for name in changed}},
        )
    return changed


# --- The calendar of deadlines -------------------------------------------------------------


def reset_calendar_token(user: User, *, by: User) -> str:
    """A new secret for the address of the person's calendar feed (the old address stops
    working); only its hash is stored. Audited as "calendar.reset". Returns the secret."""
    if by.pk != user.pk:
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        user.calendar_token_hash = calendar_token_hash(token)
        user.save(update_fields=["calendar_token_hash"])
        record_activity(actor=by, action="calendar.reset", obj=user)
    return token


# --- Roles ------------------------------------------------------------------------------------
# A role is a grant that someone gave: each grant, change and revocation is in the audit
# log of the person concerned, with the role and agency as data.


def _grant_data(grant: RoleGrant) -> dict:
    return {"role": grant.role, "agency_id": grant.agency_id}


def _forget_roles(user: User) -> None:
    """Drop the roles cached on the user object (agents.selectors.roles_of)."""
    for name in ("_agenplan_roles", "_agenplan_headed", "agenplan_grants"):
        user.__dict__.pop(name, None)


def grant_role(user: User, *, role: str, agency=None, by: User | None) -> RoleGrant:
    """Give `user` a role (an agency head's names the agency), audited."""
    return save_role_grant(RoleGrant(user=user, role=role, agency=agency), by=by)


@transaction.atomic
def save_role_grant(grant: RoleGrant, *, by: User | None) -> RoleGrant:
    """Write a new or changed grant and record it: "role.grant" for a new one,
    "role.change" (with the grant as it was) for a changed one."""
    before = None
    if not grant._state.adding and grant.pk is not None:
        before = RoleGrant.objects.filter(pk=grant.pk).values("role", "agency_id").first()
    grant.save()
    if before is None:
        action, data = "role.grant", _grant_data(grant)
    else:
        if before == _grant_data(grant):
            return grant
        action, data = "role.change", {**_grant_data(grant), "before": before}
    record_activity(actor=by, action=action, obj=grant.user, note=str(grant), data=data)
    _forget_roles(grant.user)
    return grant


@transaction.atomic
def revoke_role(grant: RoleGrant, *, by: User | None) -> None:
    """Remove a grant, recording what it was."""
    user, note, data = grant.user, str(grant), _grant_data(grant)
    grant.delete()
    record_activity(actor=by, action="role.revoke", obj=user, note=note, data=data)
    _forget_roles(user)


def record_audit_export(filters: dict, *, by: User) -> ActivityLog:
    """Audit an export of the audit log itself (who, with which filters)."""
    return record_activity(
        actor=by,
        action="audit.exported",
        obj=by,
        data={key: str(value) for key, value in filters.items() if value not in (None, "")},
    )


# --- Sign-in locks (django-axes) ---------------------------------------------------------


def _sign_in_subject(username: str | None, fallback: models.Model) -> models.Model:
    """The audited object of a sign-in lock: the account when the name is one, else the
    failed-attempt row itself (its text stays in the log after the row is gone)."""
    user = User.objects.filter(username=username).first() if username else None
    return user or fallback


def record_sign_in_lock(*, username: str | None, ip_address: str | None) -> ActivityLog | None:
    """Audit that `username` is locked out from `ip_address` after repeated failures."""
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .first()
    )
    if attempt is None:
        return None
    return record_activity(
        actor=None,
        action="sign_in_locked",
        obj=_sign_in_subject(username, attempt),
        data={
            "username": username or "",
            "ip_address": ip_address or "",
            "failures": attempt.failures_since_start,
        },
    )


def record_sign_in_lock_expired(attempt: AccessAttempt) -> ActivityLog | None:
    """Audit that a lock ran its cool-off out, when django-axes removes its expired
    attempts (on the next sign-in attempt after it): no actor, dated when the lock ended.
    A row that was no lock, or that an admin removes before its end (audited by
    `unlock_sign_in`), is not such an end."""
    cooloff = settings.AXES_COOLOFF_TIME
    if not cooloff or attempt.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return None
    ended = attempt.attempt_time + cooloff
    if ended > timezone.now():
        return None
    return record_activity(
        actor=None,
        action="sign_in_lock_expired",
        obj=_sign_in_subject(attempt.username, attempt),
        data={
            "username": attempt.username or "",
            "ip_address": attempt.ip_address or "",
            "failures": attempt.failures_since_start,
        },
        at=ended,
    )


def unlock_sign_in(attempts, *, by: User) -> int:
    """Remove failed sign-in attempts (an admin's early unlock); each lock it ends is
    audited with who ended it. Returns how many locked pairs were opened."""
    limit = settings.AXES_FAILURE_LIMIT
    opened = 0
    with transaction.atomic():
        for attempt in attempts.select_for_update():
            if attempt.failures_since_start >= limit:
                record_activity(
                    actor=by,
                    action="sign_in_unlocked",
                    obj=_sign_in_subject(attempt.username, attempt),
                    data={
                        "username": attempt.username or "",
                        "ip_address": attempt.ip_address or "",
                        "failures": attempt.failures_since_start,
                    },
                )
                opened += 1
            attempt.delete()
    return opened
