"""`manage.py import_participants FILE [--commit] [--confirm NIP ...]`: the same import as
the coordinator's page. Without --commit it is a dry run that prints every row's outcome,
its changes (before → after) and its errors. A row whose user belongs to another agency is
written only when its NIP is given with --confirm; a row naming an account with another
role is never written."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents.validators import normalize_nip
from assessment.import_files import ImportFileError, max_file_bytes, read_rows
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
            "--confirm",
            action="append",
            default=[],
            metavar="NIP",
            help="Konfirmasi baris pengguna dari perangkat daerah lain (boleh berulang).",
        )

    def handle(self, *args, file: Path, commit: bool, confirm: list[str], **options):
        if not file.is_file():
            raise CommandError(f"File not found: {file}")
        if file.stat().st_size > max_file_bytes():
            raise CommandError(f"File larger than {max_file_bytes()} bytes: {file}")
        try:
            rows = read_rows(file.name, file.read_bytes())
        except ImportFileError as error:
            raise CommandError(str(error.message)) from error
        confirmed = frozenset(normalize_nip(nip) for nip in confirm)
        plan = import_participants(rows, by=None, dry_run=not commit, confirmed=confirmed)
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
        summary = (
            f"created={plan.created} updated={plan.updated} unchanged={plan.unchanged} "
            f"protected={plan.protected} awaiting_confirmation={plan.awaiting_confirmation} "
            f"agencies_created={plan.agencies_created} errors={plan.errors}"
        )
        if plan.errors:
            raise CommandError(f"Nothing written: {summary}")
        if commit:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary}"))
        else:
            self.stdout.write(f"Dry run (use --commit to write): {summary}")
