"""Importing participants (agents and their agencies) from checked rows.

Each row is judged on its own (`assessment.imports.plan_import`). Without `skip_invalid`
a single refused row writes nothing; with it the valid rows are written and the refused
ones are returned with their reasons (`ImportPlan.refused`). Rows are written in bulk,
BATCH rows at a time (a fixed number of queries a batch, whatever the file's size).

Between the dry run and the confirmation the page keeps the checked file in the storage
(`staging`), so that the confirmation imports exactly what was checked.
"""

import secrets
from collections.abc import Callable

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agents.models import Agent, User
from agents.services import activity_entry, record_activities
from plans.services.common import PlanError

from ..imports import USER_FIELDS, WRITTEN, ImportPlan, ImportRow, plan_import, wanted
from ..signals import participants_imported

# The audit log's action for a user the import wrote.
USER_ACTIONS = {"create": "participants.user_created", "update": "participants.user_updated"}
# Rows written by one batch of bulk queries.
BATCH = 2000


def import_participants(
    rows,
    *,
    by: User | None,
    dry_run: bool = False,
    confirmed: frozenset[str] = frozenset(),
    skip_invalid: bool = False,
    on_batch: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Check the rows (the dry run) and, unless `dry_run`, write them in one transaction:
    all of them when none has an error, else only with `skip_invalid` the valid ones. The
    check is repeated inside the transaction, so what is written is what the database
    holds at that moment, not at the dry run.

    `confirmed` holds the NIPs of the rows whose user belongs to another agency and that
    the coordinator confirmed; the other such rows, and every row naming an account with
    another role (`assessment.imports`), are not written. Each user created or changed is
    audited with its changes (before → after), and the import as a whole once.
    `on_batch(rows)` is called after each batch is written (inside the transaction).

    `by` is None only for the management command (an operator at the console).
    """
    check_permission(by)
    confirmed = frozenset(confirmed)
    if dry_run:
        return plan_import(rows, confirmed=confirmed)
    with transaction.atomic():
        plan = plan_import(rows, confirmed=confirmed)
        if plan.rows and (plan.ok or skip_invalid):
            write_plan(plan, by=by, on_batch=on_batch)
    return plan


def check_permission(by: User | None) -> None:
    if by is not None and not by.has_perm("assessment.import_participants"):
        raise PlanError(_("Hanya koordinator yang mengimpor peserta."), code="permission_denied")


def write_plan(
    plan: ImportPlan, *, by: User | None, on_batch: Callable[[int], None] | None = None
) -> list[User]:
    """Write the plan's valid rows; return the users written. The new agencies, then each
    batch of rows (with `on_batch`), are written in a transaction of their own: inside an
    outer transaction the whole plan is one, outside it each batch is committed."""
    now = timezone.now()
    valid = [row for row in plan.rows if row.ok]
    if not valid:
        return []
    entries = []
    with transaction.atomic():
        agencies = _agencies(valid, by=by, now=now, entries=entries)
        record_activities(entries)
    written = []
    for start in range(0, len(valid), BATCH):
        batch = valid[start : start + BATCH]
        with transaction.atomic():
            written.extend(_write_audited(batch, agencies, by=by, now=now))
            if on_batch is not None:
                on_batch(len(batch))
    record_activities(
        [
            activity_entry(
                actor=by,
                action="participants.import",
                obj=by or next(iter(agencies.values())),
                data={
                    "created": plan.created,
                    "updated": plan.updated,
                    "unchanged": plan.unchanged,
                    "protected": plan.protected,
                    "awaiting_confirmation": plan.awaiting_confirmation,
                    "agencies_created": plan.agencies_created,
                    "refused": plan.errors,
                },
                at=now,
            )
        ]
    )
    participants_imported.send(sender=Agent, users=[u.pk for u in written])
    return written


def _write_audited(batch: list[ImportRow], agencies, *, by, now) -> list[User]:
    """Write a batch of rows and audit each user written."""
    users = _write_batch([r for r in batch if r.action in WRITTEN], agencies)
    record_activities(
        [
            activity_entry(
                actor=by,
                action=USER_ACTIONS[row.action],
                obj=user,
                data={
                    "line": row.line,
                    "changes": {c.field: [c.before, c.after] for c in row.changes},
                    "confirmed_other_agency": row.confirmed,
                },
                at=now,
            )
            for row, user in users
        ]
    )
    return [user for _row, user in users]


def _agencies(rows: list[ImportRow], *, by, now, entries: list) -> dict[str, Agency]:
    """The rows' agencies by code; the new ones created (one INSERT) and audited."""
    codes = {row.values["kode_opd"] for row in rows}
    agencies = {a.code.upper(): a for a in Agency.objects.filter(code__in=codes)}
    new = {}
    for row in rows:
        code = row.values["kode_opd"]
        if code not in agencies and code not in new:
            new[code] = (
                row,
                Agency(
                    code=code,
                    name=row.values["nama_opd"].strip(),
                    abbreviation=row.values.get("singkatan_opd", "").strip(),
                    kind=row.values["jenis_opd"].strip().lower(),
                ),
            )
    if new:
        Agency.objects.bulk_create([agency for _row, agency in new.values()])
        created = {a.code.upper(): a for a in Agency.objects.filter(code__in=new)}
        agencies.update(created)
        entries.extend(
            activity_entry(
                actor=by,
                action="participants.agency_created",
                obj=created[code],
                data={"line": row.line, "code": code},
                at=now,
            )
            for code, (row, _agency) in new.items()
        )
    return agencies


def _unusable() -> str:
    """What `make_password(None)` gives (no password can match it), without drawing its
    40 characters one by one: rows are many."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _write_batch(rows: list[ImportRow], agencies: dict[str, Agency]) -> list[tuple]:
    """Create or change the rows' users and agent appointments, in bulk. Never the
    username (but for a new user), the password, the active flag or any role grant."""
    if not rows:
        return []
    nips = [row.values["nip"] for row in rows]
    existing = {u.nip: u for u in User.objects.filter(nip__in=nips).order_by()}
    new_users, changed_users = [], []
    for row in rows:
        want = wanted(row.values)
        user = existing.get(row.values["nip"])
        if user is None:
            user = User(username=row.values["nip"], nip=row.values["nip"], password=_unusable())
            new_users.append(user)
        else:
            changed_users.append(user)
        for name in USER_FIELDS:
            if want[name]:
                setattr(user, name, want[name])
        user.agency = agencies[row.values["kode_opd"]]
        existing[row.values["nip"]] = user
    User.objects.bulk_create(new_users)
    if changed_users:
        User.objects.bulk_update(changed_users, [*USER_FIELDS, "agency"])
    users = [existing[nip] for nip in nips]
    profiles = {a.user_id: a for a in Agent.objects.filter(user__in=users).order_by()}
    new_profiles, changed_profiles = [], []
    for row, user in zip(rows, users, strict=True):
        want = wanted(row.values)
        profile = profiles.get(user.pk)
        if profile is None:
            profile = Agent(user=user)
            new_profiles.append(profile)
        else:
            changed_profiles.append(profile)
        profile.agency = user.agency
        profile.is_active = True
        if want["sk_number"]:
            profile.sk_number = want["sk_number"]
        if want["sk_date"]:
            profile.sk_date = want["sk_date"]
    Agent.objects.bulk_create(new_profiles)
    if changed_profiles:
        Agent.objects.bulk_update(changed_profiles, ["agency", "is_active", "sk_number", "sk_date"])
    return list(zip(rows, users, strict=True))
