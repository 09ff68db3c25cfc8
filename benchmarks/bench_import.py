"""Time the participants import of the largest file allowed (MAX_ROWS rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_bench \
        python -m benchmarks.run import

Writes an XLSX of BENCH_IMPORT_ROWS rows (default 20,000, the maximum) as a coordinator
has it: NIPs as text, headers in other words ("NIP Baru", "Nama Lengkap", "Unit Kerja"),
agencies by abbreviation, alias or official name, and one row in BENCH_IMPORT_BAD_EVERY
(default 100) refused. Then, inside one transaction that is rolled back at the end
(nothing is left behind), it runs what the Celery task does: the check (read and judge
every row: the dry run), the confirmation with "import the valid rows", and the writing
in bulk batches. Prints the time of each phase, the SQL statements (all of them, counted
by an execute wrapper) and the peak memory of the process. The web request only checks
the header and stages the file: its time is printed too. `--smoke`: 50 rows, one in 10
refused.
"""

import datetime as dt
import io
import os
import time
from contextlib import contextmanager

from benchmarks.common import database_label, peak_rss_mb, setup_django, smoke_mode, stopwatch

AGENCY_TEXTS = (
    "Dinkes",
    "Diskominfo",
    "BPKAD",
    "Dinas Kesehatan Provinsi Kalimantan Timur",
    "bappeda",
    "Disdikbud Kaltim",
    "Satpol PP",
    "DPUPR-PERA",
    "Badan Kepegawaian Daerah",
    "RSUD AWS",
)


class _Rollback(Exception):
    pass


def _workbook(rows: int, bad_every: int) -> bytes:
    from openpyxl import Workbook

    from agents.validators import generate_nip

    book = Workbook()  # as Excel writes it: with the sheet's dimensions
    sheet = book.active
    sheet.append(["No.", "NIP Baru", "Nama Lengkap", "E-mail", "Gol.", "Unit Kerja"])
    days = 10_950  # birth dates over thirty years, then the sequence number
    for i in range(rows):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=i % days)
        nip = generate_nip(
            birth_date=born,
            appointment_month=dt.date(born.year + 25, 1, 1),
            gender="L" if i % 2 else "P",
            sequence=i // days + 1,
        )
        grade = "3C" if bad_every and i % bad_every == 0 else "III/c"  # "3C" is refused
        sheet.append(
            [
                i + 1,
                nip,
                f"Peserta Bench {i}",
                f"bench.{i}@kaltimprov.go.id",
                grade,
                AGENCY_TEXTS[i % len(AGENCY_TEXTS)],
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@contextmanager
def cpu():
    """The process's CPU seconds (the database server's are not in it): on a shared
    machine the wall time also holds the time others had the cores."""
    box = {}
    start = time.process_time()
    yield box
    box["seconds"] = round(time.process_time() - start, 2)


def main(argv: list[str]) -> int:
    setup_django()
    from django.db import connection, transaction

    from agents.enums import Role
    from assessment.enums import ImportStatus
    from assessment.import_files import check_header
    from assessment.services import import_jobs
    from reference.loading import load_reference_data
    from tests.factories import user_with_role

    smoke = smoke_mode(argv)
    n_rows = int(os.environ.get("BENCH_IMPORT_ROWS", "50" if smoke else "20000"))
    bad_every = int(os.environ.get("BENCH_IMPORT_BAD_EVERY", "10" if smoke else "100"))
    with stopwatch() as made:
        content = _workbook(n_rows, bad_every)
    statements = {"n": 0}

    def count(execute, sql, params, many, context):
        statements["n"] += 1
        return execute(sql, params, many, context)

    figures = {}
    try:
        with transaction.atomic():
            load_reference_data()
            coordinator = user_with_role(Role.COORDINATOR)
            with connection.execute_wrapper(count):
                with stopwatch() as request:
                    check_header("peserta.xlsx", content)
                    job = import_jobs.request_import("peserta.xlsx", content, by=coordinator)
                figures["request_statements"] = statements["n"]
                with stopwatch() as check, cpu() as check_cpu:
                    job = import_jobs.perform_import(job.pk)
                figures["check_statements"] = statements["n"] - figures["request_statements"]
                assert job.status == ImportStatus.CHECKED, (job.status, job.error)
                figures["checked"] = (job.rows_total, job.created, job.refused)
                import_jobs.confirm_import(job, by=coordinator, skip_invalid=True)
                before = statements["n"]
                with stopwatch() as write, cpu() as write_cpu:
                    job = import_jobs.perform_import(job.pk)
                figures["write_statements"] = statements["n"] - before
            assert job.status == ImportStatus.DONE, (job.status, job.error)
            figures["done"] = (job.created, job.refused, job.rows_written)
            raise _Rollback
    except _Rollback:
        pass
    total = round(check["seconds"] + write["seconds"], 2)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"database: {database_label()}; cores: {os.cpu_count()}; load average {load}")
    print(f"file: {n_rows} rows, {len(content) / 2**20:.1f} MB XLSX (made in {made['seconds']} s)")
    print(
        f"upload request (header check, staging, queued import): {request['seconds']} s, "
        f"{figures['request_statements']} statements"
    )
    rows, valid, refused = figures["checked"]
    print(
        f"check (read + judge {rows} rows; {valid} to create, {refused} refused): "
        f"{check['seconds']} s ({check_cpu['seconds']} s CPU), "
        f"{figures['check_statements']} statements"
    )
    created, refused, written = figures["done"]
    print(
        f"import (judge again + write {written} valid rows in bulk; {created} created, "
        f"{refused} refused): {write['seconds']} s ({write_cpu['seconds']} s CPU), "
        f"{figures['write_statements']} statements"
    )
    total_cpu = round(check_cpu["seconds"] + write_cpu["seconds"], 2)
    print(f"check + import: {total} s ({total_cpu} s CPU); peak RSS {peak_rss_mb()} MB")
    return 0
