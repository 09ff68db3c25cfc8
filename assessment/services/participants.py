"""Importing participants (agents and their agencies) from a checked file, all or nothing.

Between the dry run and the confirmation the page keeps the checked file in the storage
(`staging`), so that the confirmation imports exactly what was checked.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agents.models import Agent, User
from agents.services import activity_entry, record_activities
from plans.services.common import PlanError

from ..imports import USER_FIELDS, WRITTEN, ImportPlan, plan_import, wanted

# The audit log's action for a user the import wrote.
USER_ACTIONS = {"create": "participants.user_created", "update": "participants.user_updated"}


def import_participants(
    rows,
    *,
    by: User | None,
    dry_run: bool = False,
    confirmed: frozenset[str] = frozenset(),
) -> ImportPlan:
    """Check the rows (the dry run) and, unless `dry_run` or any row has an error, write
    them in one transaction. The check is repeated inside the transaction, so what is
    written is what the database holds at that moment, not at the dry run.

    `confirmed` holds the NIPs of the rows whose user belongs to another agency and that
    the coordinator confirmed; the other such rows, and every row naming an account with
    another role (`assessment.imports`), are not written. Each user created or changed is
    audited with its changes (before → after), and the import as a whole once.

    `by` is None only for the management command (an operator at the console).
    """
    if by is not None and not by.has_perm("assessment.import_participants"):
        raise PlanError(_("Hanya koordinator yang mengimpor peserta."), code="permission_denied")
    confirmed = frozenset(confirmed)
    if dry_run:
        return plan_import(rows, confirmed=confirmed)
    with transaction.atomic():
        plan = plan_import(rows, confirmed=confirmed)
        if not plan.ok:
            return plan
        now = timezone.now()
        agencies = {
            a.code.upper(): a
            for a in Agency.objects.filter(code__in={r.values["kode_opd"] for r in plan.rows})
        }
        entries = []
        for row in plan.rows:
            code = row.values["kode_opd"]
            if code not in agencies:
                agencies[code] = Agency.objects.create(
                    code=code,
                    name=row.values["nama_opd"].strip(),
                    abbreviation=row.values.get("singkatan_opd", "").strip(),
                    kind=row.values["jenis_opd"].strip().lower(),
                )
                entries.append(
                    activity_entry(
                        actor=by,
                        action="participants.agency_created",
                        obj=agencies[code],
                        data={"line": row.line, "code": code},
                        at=now,
                    )
                )
            if row.action not in WRITTEN:
                continue
            user = _write_row(row, agencies[code])
            entries.append(
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
            )
        entries.append(
            activity_entry(
                actor=by,
                action="participants.import",
                obj=by or agencies[plan.rows[0].values["kode_opd"]],
                data={
                    "created": plan.created,
                    "updated": plan.updated,
                    "unchanged": plan.unchanged,
                    "protected": plan.protected,
                    "awaiting_confirmation": plan.awaiting_confirmation,
                    "agencies_created": plan.agencies_created,
                },
                at=now,
            )
        )
        record_activities(entries)
    return plan


def _write_row(row, agency: Agency) -> User:
    """Create or change the row's user and agent appointment. Never the username (but
    for a new user), the password, the active flag or any role grant."""
    want = wanted(row.values)
    nip = row.values["nip"]
    user = User.objects.filter(nip=nip).first()
    if user is None:
        user = User(username=nip, nip=nip)
        user.set_unusable_password()
    for name in USER_FIELDS:
        if want[name]:
            setattr(user, name, want[name])
    user.agency = agency
    user.save()
    profile = Agent.objects.filter(user=user).first()
    if profile is None:
        profile = Agent(user=user)
    profile.agency = agency
    profile.is_active = True
    if want["sk_number"]:
        profile.sk_number = want["sk_number"]
    if want["sk_date"]:
        profile.sk_date = want["sk_date"]
    profile.save()
    return user
