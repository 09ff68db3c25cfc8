"""The participants import cannot take over accounts: accounts with another role are left
alone, another agency's user changes only on a confirmed row, every change is listed
before → after in the dry run and audited, and bad cells are the row's errors."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from agents.enums import Role
from agents.models import ActivityLog, RoleGrant, User
from assessment.import_files import read_rows
from assessment.models import ParticipantImport
from assessment.services import import_participants
from tests.factories import AgencyFactory, AgentFactory, UserFactory

from .test_imports import csv_file, nip


@pytest.fixture
def dinkes(db):
    return AgencyFactory(code="DINKES", name="Dinas Kesehatan")


@pytest.fixture
def dishub(db):
    return AgencyFactory(code="DISHUB", name="Dinas Perhubungan")


def _snapshot(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.username,
        user.email,
        user.name,
        user.password,
        user.is_active,
        user.agency_id,
        sorted(user.role_grants.values_list("role", flat=True)),
        hasattr(user, "agent_profile") and user.agent_profile.is_active,
    )


def _audit(action: str) -> list[ActivityLog]:
    return list(ActivityLog.objects.filter(action=action).order_by("id"))


@pytest.mark.parametrize(
    "make",
    [
        lambda agency: UserFactory(agency=agency, nip=nip(40), email="koor@x.go.id"),
        lambda agency: UserFactory(agency=agency, nip=nip(40), email="koor@x.go.id", is_staff=True),
        lambda agency: UserFactory(
            agency=agency, nip=nip(40), email="koor@x.go.id", is_superuser=True
        ),
    ],
    ids=["coordinator", "staff", "superuser"],
)
def test_an_account_with_another_role_is_never_changed(dinkes, dishub, coordinator, make):
    target = make(dinkes)
    if not (target.is_staff or target.is_superuser):
        RoleGrant.objects.create(user=target, role=Role.COORDINATOR)
    AgentFactory(user=target, agency=dinkes)
    before = _snapshot(target)
    content = csv_file(f"{nip(40)},Penyerang,penyerang@evil.example,,,DISHUB,,,,,")
    plan = import_participants(read_rows("p.csv", content), by=coordinator, dry_run=True)
    row = plan.rows[0]
    assert (row.action, plan.ok, plan.protected) == ("protected", True, 1)
    assert [str(c) for c in row.changes] == [
        f"nama: {before[2]} → Penyerang",
        "surel: koor@x.go.id → penyerang@evil.example",
        "perangkat daerah: DINKES → DISHUB",
    ]
    assert row.note.startswith("Akun ini memegang peran ")
    # Confirming the row changes nothing either.
    plan = import_participants(
        read_rows("p.csv", content), by=coordinator, confirmed=frozenset({nip(40)})
    )
    assert (plan.updated, plan.protected) == (0, 1)
    assert _snapshot(target) == before
    assert _audit("participants.user_updated") == []
    assert _audit("participants.import")[0].data["protected"] == 1


def test_another_agencys_user_changes_only_on_a_confirmed_row(dinkes, dishub, coordinator):
    other = AgentFactory(user__agency=dishub, user__nip=nip(41), user__email="rina@x.go.id")
    before = _snapshot(other.user)
    content = csv_file(f"{nip(41)},Rina,rina.baru@x.go.id,,,DINKES,,,,,")
    plan = import_participants(read_rows("p.csv", content), by=coordinator)
    assert (plan.rows[0].action, plan.updated, plan.awaiting_confirmation) == ("confirm", 0, 1)
    assert plan.rows[0].note == "Pengguna ini tercatat di perangkat daerah lain (DISHUB)."
    assert _snapshot(other.user) == before
    plan = import_participants(
        read_rows("p.csv", content), by=coordinator, confirmed=frozenset({nip(41)})
    )
    assert (plan.rows[0].action, plan.updated) == ("update", 1)
    other.user.refresh_from_db()
    other.refresh_from_db()
    assert (other.user.email, other.user.agency, other.agency) == (
        "rina.baru@x.go.id",
        dinkes,
        dinkes,
    )
    # Never the username, the password or the active flag.
    assert (other.user.username, other.user.password, other.user.is_active) == (
        before[0],
        before[3],
        before[4],
    )
    [entry] = _audit("participants.user_updated")
    assert (entry.actor, entry.object_id, entry.content_type) == (
        coordinator,
        other.user.pk,
        ContentType.objects.get_for_model(User),
    )
    assert entry.data == {
        "line": 2,
        "changes": {
            "name": [before[2], "Rina"],
            "email": ["rina@x.go.id", "rina.baru@x.go.id"],
            "agency": ["DISHUB", "DINKES"],
        },
        "confirmed_other_agency": True,
    }


def test_a_same_agency_agent_is_updated_without_confirmation_and_audited(dinkes, coordinator):
    agent = AgentFactory(user__agency=dinkes, user__nip=nip(42), user__name="Budi")
    agent.user.is_active = False
    agent.user.save(update_fields=["is_active"])
    password = agent.user.password
    content = csv_file(f"{nip(42)},Budi Santoso,,Analis,III/d,DINKES,,,,800/9/2026,2026-03-01")
    plan = import_participants(read_rows("p.csv", content), by=coordinator)
    assert (plan.rows[0].action, plan.updated) == ("update", 1)
    agent.user.refresh_from_db()
    assert (agent.user.name, agent.user.is_active, agent.user.password) == (
        "Budi Santoso",
        False,
        password,
    )
    [entry] = _audit("participants.user_updated")
    assert entry.data["changes"] == {
        "name": ["Budi", "Budi Santoso"],
        "jabatan": ["Analis Kebijakan Ahli Muda", "Analis"],
        "pangkat_golongan": ["III/c", "III/d"],
        "sk_number": [agent.sk_number, "800/9/2026"],
        "sk_date": ["", "2026-03-01"],
    }
    assert entry.data["confirmed_other_agency"] is False


def test_created_users_and_agencies_are_audited_with_their_values(db, coordinator):
    content = csv_file(f"{nip(43)},Siti,siti@x.go.id,,,BARU,Badan Baru,BB,badan,,")
    import_participants(read_rows("p.csv", content), by=coordinator)
    user = User.objects.get(nip=nip(43))
    [created] = _audit("participants.user_created")
    assert (created.actor, created.object_id) == (coordinator, user.pk)
    assert created.data["changes"] == {
        "name": ["", "Siti"],
        "email": ["", "siti@x.go.id"],
        "agency": ["", "BARU"],
        "agent": ["", "aktif"],
    }
    [agency] = _audit("participants.agency_created")
    assert (agency.object_repr, agency.data) == ("Badan Baru", {"line": 2, "code": "BARU"})
    [summary] = _audit("participants.import")
    assert summary.data == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "protected": 0,
        "awaiting_confirmation": 0,
        "refused": 0,
        "agencies_created": 1,
    }


def test_the_page_lists_changes_and_imports_only_the_ticked_rows(
    client, coordinator, dinkes, dishub, private_media, django_capture_on_commit_callbacks
):
    first = AgentFactory(user__agency=dishub, user__nip=nip(44), user__email="a@x.go.id")
    second = AgentFactory(user__agency=dishub, user__nip=nip(45), user__email="b@x.go.id")
    client.force_login(coordinator)
    content = csv_file(
        f"{nip(44)},Satu,a2@x.go.id,,,DINKES,,,,,", f"{nip(45)},Dua,b2@x.go.id,,,DINKES,,,,,"
    )
    upload = SimpleUploadedFile("p.csv", content, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment:participants"), {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert "surel: a@x.go.id → a2@x.go.id" in page
    assert "perangkat daerah: DISHUB → DINKES" in page
    assert page.count('name="confirm"') == 2
    job = ParticipantImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment:participant_import_confirm", args=[job.pk]), {"confirm": [nip(44)]}
        )
    assert response.status_code == 302
    first.user.refresh_from_db()
    second.user.refresh_from_db()
    assert (first.user.email, first.user.agency) == ("a2@x.go.id", dinkes)
    assert (second.user.email, second.user.agency) == ("b@x.go.id", dishub)


def test_the_command_confirms_rows_by_nip(tmp_path, dinkes, dishub, capsys):
    other = AgentFactory(user__agency=dishub, user__nip=nip(46))
    path = tmp_path / "p.csv"
    path.write_bytes(csv_file(f"{nip(46)},Baru,,,,DINKES,,,,,"))
    call_command("import_participants", str(path), "--commit")
    assert "awaiting_confirmation=1" in capsys.readouterr().out
    other.user.refresh_from_db()
    assert other.user.agency == dishub
    call_command("import_participants", str(path), "--commit", "--confirm", nip(46))
    other.user.refresh_from_db()
    assert (other.user.name, other.user.agency) == ("Baru", dinkes)


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        ("Bud\x00i,,,,DINKES", "Kolom nama berisi karakter kendali yang tidak diizinkan."),
        ("Budi\u202e,,,,DINKES", "Kolom nama berisi karakter kendali yang tidak diizinkan."),
        ("B" * 201 + ",,,,DINKES", "Kolom nama terlalu panjang: paling banyak 200 karakter."),
        (
            "Budi,,,,BARU ISI,Badan,B,badan",
            "Kode perangkat daerah BARU ISI hanya boleh berisi huruf, angka, tanda hubung "
            "dan garis bawah.",
        ),
    ],
)
def test_bad_cells_are_the_rows_errors_and_nothing_is_written(dinkes, cells, error):
    content = csv_file(f"{nip(47)},{cells}")
    plan = import_participants(read_rows("p.csv", content), by=None)
    assert plan.rows[0].errors == [error]
    assert not User.objects.filter(nip=nip(47)).exists()


def test_nul_in_the_looked_up_columns_is_a_row_error_not_a_database_error(db):
    """NIP, agency code and e-mail are looked up in the database: a NUL byte there must
    never reach PostgreSQL (found by the fuzz tests)."""
    rows = [(2, {"nip": "19\x00", "nama": "A", "email": "a\x00@x.go.id", "kode_opd": "X\x00"})]
    plan = import_participants(rows, by=None)
    assert plan.ok is False
    assert plan.rows[0].errors[:3] == [
        "Kolom nip berisi karakter kendali yang tidak diizinkan.",
        "Kolom email berisi karakter kendali yang tidak diizinkan.",
        "Kolom kode_opd berisi karakter kendali yang tidak diizinkan.",
    ]
