"""Participant sync through the API: the participants import's own check, dry run,
writing and audit (assessment.services.import_participants), as JSON."""

import csv
import datetime as dt
import io

import pytest
from django.db import transaction

from agents.enums import Role
from agents.models import ActivityLog, Agent, User
from agents.validators import generate_nip
from assessment.imports import read_rows
from assessment.services import import_participants
from tests.factories import AgencyFactory, AgentFactory, user_with_role

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/participants/sync/"


def participant(number: int, agency) -> dict:
    return {
        "nip": generate_nip(
            birth_date=dt.date(1975, 1, 1) + dt.timedelta(days=number),
            appointment_month=dt.date(2001, 4, 1),
            gender="P" if number % 2 else "L",
            sequence=number % 999 + 1,
        ),
        "nama": f"Peserta {number}, S.E.",
        "email": f"peserta{number}@kaltimprov.go.id",
        "jabatan": "Analis Kebijakan Ahli Muda",
        "pangkat_golongan": "III/c",
        "kode_opd": agency.code,
        "nomor_sk": f"800/{number}/BKD",
    }


def people() -> list[tuple]:
    """Every agent as the sync or the import left them, with their user's identity."""
    return sorted(
        Agent.objects.values_list(
            "user__nip",
            "user__name",
            "user__email",
            "user__jabatan",
            "user__pangkat_golongan",
            "agency__code",
            "sk_number",
            "is_active",
            "user__is_active",
        )
    )


def test_a_dry_run_says_what_would_change_and_writes_nothing(api):
    coordinator = user_with_role(Role.COORDINATOR)
    agency = AgencyFactory()
    existing = AgentFactory(user__agency=agency, user__name="Nama Lama")
    row = participant(1, agency) | {"nip": existing.user.nip, "nama": "Nama Baru"}
    body = (
        api(coordinator)
        .post(SYNC, {"participants": [row, participant(2, agency)], "dry_run": True})
        .json()
    )
    assert (body["dry_run"], body["written"], body["created"], body["updated"]) == (
        True,
        False,
        1,
        1,
    )
    changes = {c["field"]: (c["before"], c["after"]) for c in body["rows"][0]["changes"]}
    assert changes["name"] == ("Nama Lama", "Nama Baru")
    assert User.objects.filter(name="Nama Baru").count() == 0 and Agent.objects.count() == 1


def test_a_refused_row_writes_nothing_unless_told_to_skip_it(api):
    coordinator = user_with_role(Role.COORDINATOR)
    agency = AgencyFactory()
    rows = [participant(1, agency), participant(2, agency) | {"nip": "123"}]
    body = api(coordinator).post(SYNC, {"participants": rows}).json()
    assert (body["written"], body["refused"], Agent.objects.count()) == (False, 1, 0)
    assert body["rows"][1]["errors"] and body["rows"][1]["row"] == 2
    body = api(coordinator).post(SYNC, {"participants": rows, "skip_invalid": True}).json()
    assert (body["written"], body["created"], Agent.objects.count()) == (True, 1, 1)


def test_only_the_coordinator_syncs_and_unknown_columns_are_refused_on_the_field(api):
    agency = AgencyFactory()
    agent = AgentFactory().user
    for user in (user_with_role(Role.LEADERSHIP), agent):
        response = api(user).post(SYNC, {"participants": [participant(1, agency)]})
        assert response.status_code == 403
    coordinator = user_with_role(Role.COORDINATOR)
    read_only = api(coordinator, {"participants": "read"})
    assert read_only.post(SYNC, {"participants": [participant(1, agency)]}).status_code == 403
    bad = api(coordinator).post(SYNC, {"participants": [{"nip": "1", "gaji": "9"}]})
    assert bad.status_code == 400
    assert bad.json()["fields"]["participants"][0].startswith("Kolom tidak dikenal: gaji.")
    assert api(coordinator).post(SYNC, {"participants": []}).status_code == 400
    assert list(Agent.objects.values_list("user", flat=True)) == [agent.pk]


def test_a_thousand_participants_through_the_api_are_the_same_as_through_the_import(api, settings):
    coordinator = user_with_role(Role.COORDINATOR)
    agencies = [AgencyFactory() for _ in range(5)]
    # Some already there, one with a changed name; one row refused.
    rows = [participant(n, agencies[n % 5]) for n in range(1000)]
    for row in rows[:50]:
        AgentFactory(user__nip=row["nip"], user__agency=agencies[0], user__name="Lama")
    rows[7]["nip"] = "19750101"
    rows[11]["pangkat_golongan"] = "V/z"

    with transaction.atomic():
        body = api(coordinator).post(SYNC, {"participants": rows, "skip_invalid": True}).json()
        through_api = people()
        api_audit = ActivityLog.objects.filter(action__startswith="participants.").count()
        transaction.set_rollback(True)

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    plan = import_participants(
        read_rows("peserta.csv", buffer.getvalue().encode()), by=coordinator, skip_invalid=True
    )
    through_import = people()
    assert body["written"] is True
    counts = ("created", "updated", "unchanged", "awaiting_confirmation", "protected")
    assert {name: body[name] for name in counts} == {name: getattr(plan, name) for name in counts}
    # The 50 already there: 10 of their own agency renamed, 40 of another agency wait for
    # the coordinator's confirmation (two of them refused).
    assert (plan.errors, body["refused"], plan.created, plan.updated) == (2, 2, 950, 10)
    assert [r["errors"] for r in body["rows"] if r["errors"]] == [r.errors for r in plan.refused]
    assert through_api == through_import and len(through_api) == 1000
    assert api_audit == ActivityLog.objects.filter(action__startswith="participants.").count()
