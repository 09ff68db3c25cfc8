"""Importing participants from CSV or XLSX: the dry run, then one transaction; the page and
the management command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from agencies.models import Agency
from agents.models import Agent, User
from agents.validators import generate_nip
from assessment.imports import read_rows
from assessment.services import import_participants
from tests.factories import AgencyFactory, AgentFactory

HEADER = (
    "nip,nama,email,jabatan,pangkat_golongan,kode_opd,nama_opd,singkatan_opd,jenis_opd,"
    "nomor_sk,tanggal_sk"
)


def nip(n, gender="L"):
    import datetime as dt

    return generate_nip(
        birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=n),
        appointment_month=dt.date(2006, 3, 1),
        gender=gender,
        sequence=n + 1,
    )


@pytest.fixture
def dinkes(db):
    return AgencyFactory(code="DINKES", name="Dinas Kesehatan Provinsi Kalimantan Timur")


def csv_file(*lines):
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def test_dry_run_lists_every_row_with_its_outcome_and_errors_and_writes_nothing(dinkes):
    existing = AgentFactory(user__agency=dinkes, user__name="Lama", user__email="lama@x.go.id")
    content = csv_file(
        f"{nip(1)},Budi Santoso S.Kom.,budi@kaltimprov.go.id,Pranata Komputer,III/c,DINKES,,,,"
        "800/1/2026,2026-02-21",
        f"{existing.user.nip},Lama Baru,lama@x.go.id,,,DINKES,,,,,",
        "123,Salah NIP,,,,DINKES,,,,,",
        f"{nip(2)},Tanpa OPD,,,,ZZZ,,,,,",
        f"{nip(1)},Budi Ganda,,,,DINKES,,,,,",
        f"{nip(3)},Siti,,,,BARU,Badan Baru Provinsi,Badan Baru,badan,,",
    )
    agencies_before = Agency.objects.count()
    plan = import_participants(read_rows("peserta.csv", content), by=None, dry_run=True)
    summary = [(r.line, r.action, r.agency_action, r.errors) for r in plan.rows]
    assert summary[0] == (2, "create", "", [])
    assert summary[1] == (3, "update", "", [])
    assert plan.rows[1].changes == ["nama"]
    assert summary[2][0:2] == (4, "")
    assert summary[2][3][0].startswith("NIP 123 tidak valid:")
    assert summary[3] == (5, "", "", ["Perangkat daerah dengan kode ZZZ tidak dikenal."])
    assert summary[4] == (6, "", "", [f"NIP {nip(1)} ganda: sudah ada di baris 2."])
    assert summary[5] == (7, "create", "create", [])
    assert (plan.errors, plan.ok) == (3, False)
    assert Agency.objects.count() == agencies_before
    assert not User.objects.filter(nip=nip(1)).exists()
    # Committing a plan with errors writes nothing either.
    plan = import_participants(read_rows("peserta.csv", content), by=None)
    assert plan.ok is False
    assert not User.objects.filter(nip=nip(3)).exists()


def test_a_clean_file_is_imported_in_one_transaction(dinkes):
    content = csv_file(
        f"{nip(1)},Budi Santoso S.Kom.,budi@kaltimprov.go.id,Pranata Komputer,III/c,dinkes,,,,"
        "800/1/2026,21-02-2026",
        f"{nip(3)},Siti,,,,BARU,Badan Baru Provinsi,Badan Baru,badan,,",
        f"{nip(4)},Rina,,,,BARU,Badan Baru Provinsi,Badan Baru,badan,,",
    )
    plan = import_participants(read_rows("peserta.csv", content), by=None)
    assert (plan.created, plan.updated, plan.agencies_created) == (3, 0, 1)
    budi = Agent.objects.select_related("user").get(user__nip=nip(1))
    assert (budi.user.name, budi.agency, budi.sk_number, str(budi.sk_date)) == (
        "Budi Santoso S.Kom.",
        dinkes,
        "800/1/2026",
        "2026-02-21",
    )
    assert budi.user.has_usable_password() is False
    assert Agent.objects.filter(agency__code="BARU").count() == 2
    # Running it again changes nothing.
    again = import_participants(read_rows("peserta.csv", content), by=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_xlsx_is_read_like_csv(dinkes):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([nip(5), "Andi", None, None, None, "DINKES", None, None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_rows("peserta.xlsx", buffer.getvalue())
    assert rows == [
        (
            2,
            {
                **dict.fromkeys(HEADER.split(","), ""),
                "nip": nip(5),
                "nama": "Andi",
                "kode_opd": "DINKES",
            },
        )
    ]


def test_the_page_shows_the_dry_run_then_imports_on_confirmation(client, coordinator, dinkes):
    client.force_login(coordinator)
    upload = SimpleUploadedFile(
        "peserta.csv", csv_file(f"{nip(1)},Budi,,,,DINKES,,,,,"), content_type="text/csv"
    )
    response = client.post(reverse("assessment:participants"), {"file": upload})
    assert response.status_code == 200
    assert response.context["plan"].created == 1
    token = response.context["token"]
    assert token.endswith(".csv")
    assert not User.objects.filter(nip=nip(1)).exists()
    response = client.post(reverse("assessment:participants_confirm"), {"token": token})
    assert response.status_code == 302
    assert Agent.objects.get(user__nip=nip(1)).agency == dinkes


def test_the_page_refuses_other_file_types_on_the_field(client, coordinator):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("peserta.txt", b"x", content_type="text/plain")
    response = client.post(reverse("assessment:participants"), {"file": upload})
    assert response.context["form"].errors == {"file": ["Unggah berkas .csv atau .xlsx."]}


def test_a_missing_required_column_is_reported_for_the_file(client, coordinator):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("peserta.csv", b"nama\nBudi\n", content_type="text/csv")
    response = client.post(reverse("assessment:participants"), {"file": upload})
    assert response.context["form"].errors == {"file": ["Kolom wajib tidak ada: nip, kode_opd."]}


def test_management_command_dry_run_and_commit(tmp_path, dinkes, capsys):
    path = tmp_path / "peserta.csv"
    path.write_bytes(csv_file(f"{nip(1)},Budi,,,,DINKES,,,,,"))
    call_command("import_participants", str(path))
    out = capsys.readouterr().out
    assert f"2\t{nip(1)}\tcreate" in out.splitlines()
    assert not User.objects.filter(nip=nip(1)).exists()
    call_command("import_participants", str(path), "--commit")
    assert User.objects.filter(nip=nip(1)).count() == 1
    path.write_bytes(csv_file("1,X,,,,DINKES,,,,,"))
    with pytest.raises(CommandError, match="Nothing written"):
        call_command("import_participants", str(path), "--commit")
