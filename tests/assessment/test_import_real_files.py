"""The participants file a coordinator actually has: agencies by name, abbreviation or
alias, loose headers, each row judged on its own (--skip-invalid and the refused rows
returned with reasons), NIPs that Excel turned into numbers, encodings, unsaved formulas."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from agencies.matching import AgencyIndex, match_key
from agencies.models import Agency
from agenplan.cycle_cache import versions
from agents.models import Agent, User
from assessment.import_sheets import example_workbook, refused_workbook
from assessment.imports import ImportFileError, read_rows
from assessment.services import import_participants
from reference.loading import load_reference_data
from tests.assessment.test_imports import nip


@pytest.fixture
def province(db):
    """The bundled reference data: Kalimantan Timur's agencies with their aliases."""
    load_reference_data()


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_match_keys_ignore_case_spaces_and_punctuation():
    assert match_key("D.P.U.P.R. - Pera") == match_key("dpupr pera") == "dpuprpera"
    assert match_key("Dinas Kesehatan, Provinsi Kaltim") == "dinaskesehatanprovinsikaltim"
    assert match_key("Sétiawan") == "setiawan"


def test_the_reference_agencies_carry_their_common_abbreviations(province):
    index = AgencyIndex(Agency.objects.all())
    for text, code in [
        ("Diskominfo", "DISKOMINFO"),
        ("BPKAD", "BPKAD"),
        ("dinkes", "DINKES"),
        ("Dinas Kesehatan", "DINKES"),
        ("Dinas Kesehatan Provinsi Kalimantan Timur", "DINKES"),
        ("Satpol-PP", "SATPOLPP"),
        ("DPUPR", "DPUPR-PERA"),
    ]:
        assert [a.code for a in index.find(text)] == [code], text
    assert index.find("Dinas Kesehatan Hewan") == []


MIXED = (
    "NIP Baru;Nama Lengkap;E-mail;Unit Kerja;Gol.\n"
    f"{nip(1)};Budi Santoso;budi@kaltimprov.go.id;Dinas Kesehatan Provinsi Kalimantan Timur;"
    "III/c\n"
    f"{nip(2)};Rina Lestari;rina@kaltimprov.go.id;Diskominfo;III/b\n"
    f"{nip(3)};Andi;;b.p.k.a.d;\n"
    f"{nip(4)};Salah OPD;;Dinas Kesehtan;\n"
    f"{nip(5)};Gol salah;;BPKAD;3C\n"
    f"{nip(6)};;;Dinkes;\n"
    f"{nip(7)};Tanpa OPD;;;\n"
)


def test_a_mixed_file_imports_its_good_rows_and_returns_the_refused_with_reasons(
    province, tmp_path, capsys
):
    path = tmp_path / "daftar agen.csv"
    path.write_text(MIXED, encoding="utf-8")
    refused = tmp_path / "ditolak.xlsx"

    # Without --skip-invalid a refused row still writes nothing.
    with pytest.raises(CommandError, match="Nothing written"):
        call_command("import_participants", str(path), "--commit")
    assert not User.objects.filter(nip__in=[nip(1), nip(2), nip(3)]).exists()
    capsys.readouterr()

    call_command(
        "import_participants", str(path), "--commit", "--skip-invalid", "--refused", str(refused)
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"2\t{nip(1)}\tcreate\t")
    assert lines[1].startswith(f"3\t{nip(2)}\tcreate\t")
    assert lines[2].startswith(f"4\t{nip(3)}\tcreate\t")
    assert lines[3].startswith(
        f"5\t{nip(4)}\tERROR\tPerangkat daerah “Dinas Kesehtan” tidak dikenal. Mungkin maksud "
        "Anda: Dinas Kesehatan Provinsi Kalimantan Timur (DINKES); "
    )
    assert lines[4] == (
        f"6\t{nip(5)}\tERROR\tPangkat/golongan 3C tidak dikenal; tulis misalnya III/c."
    )
    assert lines[5] == f"7\t{nip(6)}\tERROR\tKolom nama wajib diisi."
    assert lines[6].startswith(f"8\t{nip(7)}\tERROR\tPerangkat daerah wajib diisi")
    assert lines[-1].startswith("Imported the valid rows, refused 4: created=3 ")

    agencies = dict(
        Agent.objects.filter(user__nip__in=[nip(1), nip(2), nip(3)]).values_list(
            "user__name", "agency__code"
        )
    )
    assert agencies == {"Budi Santoso": "DINKES", "Rina Lestari": "DISKOMINFO", "Andi": "BPKAD"}
    assert User.objects.get(nip=nip(1)).pangkat_golongan == "III/c"
    assert not User.objects.filter(nip__in=[nip(4), nip(5), nip(6), nip(7)]).exists()

    sheet = load_workbook(refused).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("nip", "nama") and rows[0][-2:] == ("baris", "alasan")
    assert [(r[0], r[1], r[-2]) for r in rows[1:]] == [
        (nip(4), "Salah OPD", 5),
        (nip(5), "Gol salah", 6),
        (nip(6), None, 7),
        (nip(7), "Tanpa OPD", 8),
    ]
    assert rows[1][-1].startswith("Perangkat daerah “Dinas Kesehtan” tidak dikenal.")
    assert rows[1][6] == "Dinas Kesehtan"  # as the file had it, under nama_opd


def test_the_refused_rows_never_run_as_formulas():
    content = refused_workbook([(2, {"nip": "=1+1", "nama": '=HYPERLINK("x")'}, ["salah"])])
    sheet = load_workbook(io.BytesIO(content)).active
    assert [(c.value, c.data_type, c.quotePrefix) for c in sheet[2][:2]] == [
        ("=1+1", "s", True),
        ('=HYPERLINK("x")', "s", True),
    ]


def test_an_nip_that_excel_stored_as_a_number_is_refused_never_imported(province):
    real = nip(8)
    content = _xlsx(
        [
            ["NIP", "Nama", "OPD"],
            [int(real), "Angka Bulat", "Dinkes"],  # exact, but still a number in the file
            [float(real), "Angka Excel", "Dinkes"],  # what Excel keeps: 15 digits
            [nip(9), "Teks", "Dinkes"],
        ]
    )
    plan = import_participants(read_rows("peserta.xlsx", content), by=None, skip_invalid=True)
    first, second, third = plan.rows
    assert "Excel hanya menyimpan 15 digit bermakna" in first.errors[0]
    assert "Format kolom NIP sebagai Teks" in first.errors[0]
    assert second.errors[0].startswith(f"NIP {int(float(real))} tersimpan sebagai angka")
    assert int(float(real)) != int(real)
    assert (third.errors, third.action) == ([], "create")
    assert list(User.objects.filter(agency__code="DINKES").values_list("nip", flat=True)) == [
        nip(9)
    ]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "windows-1252"],
)
def test_csv_in_utf8_with_or_without_bom_and_windows_1252_is_read(province, encode):
    text = f"nip,nama,opd\r\n{nip(10)},Séptian Müller – Kepala,Disdikbud\r\n"
    [(line, values)] = read_rows("peserta.csv", encode(text))
    assert (line, values["nip"], values["nama"], values["nama_opd"]) == (
        2,
        nip(10),
        "Séptian Müller – Kepala",
        "Disdikbud",
    )


def test_a_csv_in_no_known_encoding_is_refused_for_the_file():
    with pytest.raises(ImportFileError) as error:
        read_rows("peserta.csv", b"nip,nama,opd\n1,\x81\x8d,x\n")
    assert "UTF-8 atau Windows-1252" in str(error.value.message)


def test_formula_cells_without_saved_values_are_named_as_such(province):
    content = _xlsx(
        [
            ["nip", "nama", "kode_opd"],
            [nip(11), '=CONCAT("Budi", " ", "Santoso")', "DINKES"],
            ['=TEXT(A2,"0")', "Rina", "DINKES"],
        ]
    )
    plan = import_participants(read_rows("p.xlsx", content), by=None, dry_run=True)
    first, second = plan.rows
    assert first.errors == [
        "Kolom nama berisi rumus yang nilainya tidak tersimpan di berkas. Buka berkas di Excel "
        "atau LibreOffice lalu simpan ulang, atau salin kolom itu dan tempel sebagai nilai."
    ]
    assert second.errors[0].startswith("Kolom nip berisi rumus")
    assert not any("wajib diisi" in e for row in plan.rows for e in row.errors)


def test_headers_are_matched_loosely_and_other_columns_left_out(province):
    content = _xlsx(
        [
            ["No.", " NIP  ", "NAMA LENGKAP", "e-mail", "Perangkat Daerah", "Catatan"],
            [1, nip(12), "Budi", "budi@x.go.id", "dinkes", "apa saja"],
        ]
    )
    [(_line, values)] = read_rows("p.xlsx", content)
    assert dict(values) == {
        "nip": nip(12),
        "nama": "Budi",
        "email": "budi@x.go.id",
        "nama_opd": "dinkes",
    }


def test_a_name_that_several_agencies_go_by_asks_for_the_code(db):
    Agency.objects.create(code="DKP", name="Dinas Kelautan", kind="dinas", aliases=["DKP"])
    Agency.objects.create(
        code="DKP-2", name="Dinas Ketahanan Pangan", kind="dinas", aliases=["DKP"]
    )
    rows = [(2, {"nip": nip(13), "nama": "Budi", "nama_opd": "dkp."})]
    [row] = import_participants(rows, by=None, dry_run=True).rows
    assert row.errors == [
        "dkp. cocok dengan lebih dari satu perangkat daerah (DKP, DKP-2); tulis kodenya di "
        "kolom kode_opd."
    ]


def test_the_example_file_is_read_back_as_two_good_rows(province):
    rows = read_rows("contoh.xlsx", example_workbook())
    plan = import_participants(rows, by=None, dry_run=True)
    assert [(r.errors, r.action, r.values["kode_opd"]) for r in plan.rows] == [
        ([], "create", "DISKOMINFO"),
        ([], "create", "DINKES"),
    ]
    book = load_workbook(io.BytesIO(example_workbook()))
    assert book["Peserta"]["A3"].number_format == "@"
    assert book["Petunjuk"]["A2"].value == "nip"


def test_a_bulk_import_tells_the_dashboard_cache(province, django_capture_on_commit_callbacks):
    before = versions(1)
    rows = [(2, {"nip": nip(14), "nama": "Budi", "kode_opd": "DINKES"})]
    with django_capture_on_commit_callbacks(execute=True):
        import_participants(rows, by=None)
    assert versions(1)[0] != before[0]
