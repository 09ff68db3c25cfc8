"""`manage.py cleanup_files [--dry-run]`: the nightly retention clean-up, by hand.

Celery beat runs the same services every night (reports.tasks.clean_up_report_files,
assessment.tasks.clean_up_import_files); this command is for operators without beat, or
to see what the next run would remove. It prints one line per file and per import whose
rows are emptied, then a summary.
"""

from django.core.management.base import BaseCommand

from assessment.services.import_jobs import details_retention, forget_expired_import_details
from assessment.services.staging import import_retention, remove_expired_import_files
from reports.services import remove_expired_report_files, report_retention


def _kept(retention, unit: str) -> str:
    if retention is None:
        return "kept for ever"
    amount = retention.days if unit == "days" else int(retention.total_seconds() // 3600)
    return f"older than {amount} {unit}"


class Command(BaseCommand):
    help = (
        "Hapus berkas laporan yang lebih tua dari AGENPLAN_REPORT_RETENTION_DAYS dan berkas "
        "impor peserta yang tidak dikonfirmasi dalam AGENPLAN_IMPORT_RETENTION_HOURS, serta "
        "rincian baris impor yang berakhir lebih dari AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Tampilkan saja berkas yang akan dihapus; tidak ada yang diubah.",
        )

    def handle(self, *args, dry_run: bool, **options):
        verb = "would remove" if dry_run else "removed"
        reports = remove_expired_report_files(dry_run=dry_run)
        imports = remove_expired_import_files(dry_run=dry_run)
        details = forget_expired_import_details(dry_run=dry_run)
        for name in [*reports, *imports]:
            self.stdout.write(f"{verb}\t{name}")
        for job_id in details:
            self.stdout.write(f"{verb}\tthe rows of participants import {job_id}")
        summary = (
            f"reports={len(reports)} ({_kept(report_retention(), 'days')}) "
            f"imports={len(imports)} ({_kept(import_retention(), 'hours')}) "
            f"import rows={len(details)} ({_kept(details_retention(), 'days')})"
        )
        if dry_run:
            self.stdout.write(f"Dry run (run without --dry-run to remove): {summary}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Removed: {summary}"))
