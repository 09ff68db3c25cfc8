"""Importing participants (agents and their agencies) from a checked file, all or nothing.

Between the dry run and the confirmation the page keeps the checked file in the storage
(`staging`), so that the confirmation imports exactly what was checked.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agents.models import Agent, User
from agents.services import record_activity

from ..imports import ImportPlan, plan_import, wanted
from .common import PlanError


def import_participants(rows, *, by: User | None, dry_run: bool = False) -> ImportPlan:
    """Check the rows (the dry run) and, unless `dry_run` or any row has an error, write
    them in one transaction. The check is repeated inside the transaction, so what is
    written is what the database holds at that moment, not at the dry run.

    `by` is None only for the management command (an operator at the console).
    """
    if by is not None and not by.has_perm("plans.add_cycle"):
        raise PlanError(_("Hanya koordinator yang mengimpor peserta."), code="permission_denied")
    if dry_run:
        return plan_import(rows)
    with transaction.atomic():
        plan = plan_import(rows)
        if not plan.ok:
            return plan
        agencies = {
            a.code.upper(): a
            for a in Agency.objects.filter(code__in={r.values["kode_opd"] for r in plan.rows})
        }
        for row in plan.rows:
            code = row.values["kode_opd"]
            if code not in agencies:
                agencies[code] = Agency.objects.create(
                    code=code,
                    name=row.values["nama_opd"].strip(),
                    abbreviation=row.values.get("singkatan_opd", "").strip(),
                    kind=row.values["jenis_opd"].strip().lower(),
                )
            if row.action == "unchanged":
                continue
            _write_row(row, agencies[code])
        record_activity(
            actor=by,
            action="participants.import",
            obj=by or agencies[plan.rows[0].values["kode_opd"]],
            data={
                "created": plan.count("create"),
                "updated": plan.count("update"),
                "unchanged": plan.count("unchanged"),
                "agencies_created": plan.agencies_created,
            },
        )
    return plan


def _write_row(row, agency: Agency) -> None:
    want = wanted(row.values)
    nip = row.values["nip"]
    user = User.objects.filter(nip=nip).first()
    if user is None:
        user = User(username=nip, nip=nip)
        user.set_unusable_password()
    for name in ("name", "email", "jabatan", "pangkat_golongan"):
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
