"""Importing participants from CSV or XLSX: the dry run, then one transaction; the page and
the management command."""

import datetime as dt
import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from agencies.models import Agency
from agents.models import Agent, User
from agents.validators import generate_nip
from assessment import import_files
from assessment.import_files import ImportFileError, read_rows
from assessment.models import ParticipantImport
from assessment.services import import_participants
from tests.factories import AgencyFactory, AgentFactory

HEADER = (
    "nip,nama,email,jabatan,pangkat_golongan,kode_opd,nama_opd,singkatan_opd,jenis_opd,"
    "nomor_sk,tanggal_sk"
)


def nip(n, gender="L"):
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
    assert [str(c) for c in plan.rows[1].changes] == ["nama: Lama → Lama Baru"]
    assert summary[2][0:2] == (4, "")
    assert summary[2][3][0].startswith("NIP 123 tidak valid:")
    assert summary[3] == (5, "", "", ["Perangkat daerah “ZZZ” tidak dikenal."])
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


def test_the_page_shows_the_dry_run_then_imports_on_confirmation(
    client, coordinator, dinkes, private_media, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    upload = SimpleUploadedFile(
        "peserta.csv", csv_file(f"{nip(1)},Budi,,,,DINKES,,,,,"), content_type="text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment:participants"), {"file": upload})
    job = ParticipantImport.objects.get()
    assert (response.status_code, job.status, job.created) == (302, "checked", 1)
    assert job.token.endswith(".csv")
    assert not User.objects.filter(nip=nip(1)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment:participant_import_confirm", args=[job.pk]))
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
    assert response.context["form"].errors == {
        "file": ["Kolom wajib tidak ada: nip, kode_opd / nama_opd / singkatan_opd."]
    }


def test_management_command_dry_run_and_commit(tmp_path, dinkes, capsys):
    path = tmp_path / "peserta.csv"
    path.write_bytes(csv_file(f"{nip(1)},Budi,,,,DINKES,,,,,"))
    call_command("import_participants", str(path))
    out = capsys.readouterr().out
    assert (
        f"2\t{nip(1)}\tcreate\tnama: — → Budi; perangkat daerah: — → DINKES; "
        "penunjukan agen: — → aktif"
    ) in out.splitlines()
    assert not User.objects.filter(nip=nip(1)).exists()
    call_command("import_participants", str(path), "--commit")
    assert User.objects.filter(nip=nip(1)).count() == 1
    path.write_bytes(csv_file("1,X,,,,DINKES,,,,,"))
    with pytest.raises(CommandError, match="Nothing written"):
        call_command("import_participants", str(path), "--commit")


# --- Files that would make the web worker run long or grow -----------------------------


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(content: bytes, rewrite) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = rewrite(data)
            target.writestr(info.filename, data)
    return out.getvalue()


def _declare_huge(far_row: bool):
    def rewrite(xml: bytes) -> bytes:
        xml = xml.replace(b'<dimension ref="A1:K2" />', b'<dimension ref="A1:XFD1048576"/>')
        if far_row:
            far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            xml = xml.replace(b"</sheetData>", far + b"</sheetData>")
        return xml

    return rewrite


def _peak_memory(function):
    tracemalloc.start()
    try:
        result = function()
    except Exception as error:  # noqa: BLE001 - returned for the test to assert on
        result = error
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, peak


def test_a_workbook_declaring_a_huge_sheet_is_read_within_its_caps(db):
    """A few KB that declare A1:XFD1048576: the rows are streamed and cut to the caps
    instead of being padded to 16,384 columns and a million rows (over 500 MB before)."""
    small = _xlsx([HEADER.split(","), [nip(5), "Andi", None, None, None, "DINKES"]])
    content = _rewrite_sheet(small, _declare_huge(far_row=False))
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:XFD1048576"/>' in sheet
    rows, peak = _peak_memory(lambda: read_rows("peserta.xlsx", content))
    assert [(line, values["nip"], values["nama"]) for line, values in rows] == [(2, nip(5), "Andi")]
    assert peak < 10 * 1024 * 1024


def test_a_workbook_with_a_cell_in_its_millionth_row_is_refused_without_reading_it_all(db):
    small = _xlsx([HEADER.split(","), [nip(5), "Andi", None, None, None, "DINKES"]])
    content = _rewrite_sheet(small, _declare_huge(far_row=True))
    assert len(content) < 10_000
    error, peak = _peak_memory(lambda: read_rows("peserta.xlsx", content))
    assert isinstance(error, ImportFileError)
    assert str(error.message) == "Berkas terlalu besar: paling banyak 20000 baris."
    assert peak < 10 * 1024 * 1024


def test_a_workbook_with_more_rows_than_the_cap_is_refused(db):
    rows = [HEADER.split(",")] + [[nip(i % 900), "Nama", None, None, None, "X"] for i in range(30)]
    content = _xlsx(rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(import_files, "MAX_ROWS", 20)
        with pytest.raises(import_files.ImportFileError) as error:
            read_rows("peserta.xlsx", content)
    assert str(error.value.message) == "Berkas terlalu besar: paling banyak 20 baris."


def test_a_zip_bomb_is_refused_before_it_is_parsed(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (40 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 100_000

    with pytest.raises(ImportFileError) as error:
        read_rows("peserta.xlsx", content)
    assert str(error.value.message) == (
        "Berkas XLSX terlalu besar setelah dibuka: paling besar 32 MB."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"nip,nama,kode_opd\n1," + b"x" * 200_000 + b",A\n", "pada baris 2"),
        (b'nip,nama,kode_opd\n1,"tidak ditutup,A\n' + b"y" * 140_000, "pada baris"),
    ],
)
def test_a_csv_cell_over_the_csv_modules_limit_is_the_files_error(db, content, message):
    with pytest.raises(ImportFileError) as error:
        read_rows("peserta.csv", content)
    assert str(error.value.message).startswith("Berkas CSV tidak dapat dibaca ")
    assert message in str(error.value.message)
