"""`manage.py import_participants FILE [--commit] [--skip-invalid] [--refused OUT.xlsx]
[--confirm NIP ...]`: the same import as the coordinator's page.

Without --commit it is a dry run that prints every row's outcome (tab-separated: line,
NIP, outcome, changes before → after, note), or its errors. With --commit the file is
written in one transaction when no row has an error; with --skip-invalid as well, the
valid rows are written and the refused ones are only reported (and, with --refused,
written to a spreadsheet with a reason column). A row whose user belongs to another agency
is written only when its NIP is given with --confirm; a row naming an account with another
role is never written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents.validators import normalize_nip
from assessment.import_sheets import refused_workbook
from assessment.imports import ImportFileError, max_file_bytes, read_rows
from assessment.services import import_participants


class Command(BaseCommand):
    help = "Impor agen perubahan (dan perangkat daerahnya) dari berkas CSV atau XLSX."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--commit",
            action="store_true",
            help="Simpan (satu transaksi). Tanpa ini: uji coba saja.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Simpan baris yang valid walaupun ada baris yang ditolak.",
        )
        parser.add_argument(
            "--refused",
            type=Path,
            metavar="OUT.xlsx",
            help="Tulis baris yang ditolak, dengan alasannya, ke berkas XLSX ini.",
        )
        parser.add_argument(
            "--confirm",
            action="append",
            default=[],
            metavar="NIP",
            help="Konfirmasi baris pengguna dari perangkat daerah lain (boleh berulang).",
        )

    def handle(self, *args, file: Path, commit: bool, skip_invalid: bool, **options):
        if not file.is_file():
            raise CommandError(f"File not found: {file}")
        if file.stat().st_size > max_file_bytes():
            raise CommandError(f"File larger than {max_file_bytes()} bytes: {file}")
        try:
            rows = read_rows(file.name, file.read_bytes())
        except ImportFileError as error:
            raise CommandError(str(error.message)) from error
        confirmed = frozenset(normalize_nip(nip) for nip in options["confirm"])
        plan = import_participants(
            rows, by=None, dry_run=not commit, confirmed=confirmed, skip_invalid=skip_invalid
        )
        for row in plan.rows:
            if row.errors:
                self.stdout.write(
                    f"{row.line}\t{row.values.get('nip', '')}\tERROR\t" + "; ".join(row.errors)
                )
            else:
                extra = f"\t{'; '.join(str(c) for c in row.changes)}" if row.changes else ""
                if row.note:
                    extra += f"\t{row.note}"
                agency = "\tagency:create" if row.agency_action == "create" else ""
                self.stdout.write(f"{row.line}\t{row.values['nip']}\t{row.action}{agency}{extra}")
        if options["refused"] and plan.errors:
            options["refused"].write_bytes(
                refused_workbook((r.line, r.source, r.errors) for r in plan.refused)
            )
            self.stdout.write(f"Refused rows written to {options['refused']}")
        summary = (
            f"created={plan.created} updated={plan.updated} unchanged={plan.unchanged} "
            f"protected={plan.protected} awaiting_confirmation={plan.awaiting_confirmation} "
            f"agencies_created={plan.agencies_created} errors={plan.errors}"
        )
        if plan.errors and not skip_invalid:
            raise CommandError(f"Nothing written: {summary}")
        if not commit:
            self.stdout.write(f"Dry run (use --commit to write): {summary}")
        elif plan.errors:
            self.stdout.write(
                self.style.WARNING(f"Imported the valid rows, refused {plan.errors}: {summary}")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary}"))
