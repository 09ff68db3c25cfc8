"""`manage.py seed_scale --plans N`: a national-scale data set for benchmarks.

Why bulk inserts and not the services: the services are for real actions, one person at
a time, with permission checks, row locks and an audit entry each. This command is a
benchmark generator: it writes the end state of a whole cycle (every plan with its
activities, targets, submitted version, assignments, reviews, scores and decision) with
`bulk_create`, so that 50,000 plans take minutes, not hours. The data are still
consistent: review totals and plan scores use `assessment.scoring`, the submitted version
has the layout of `plans.services.snapshot_plan`, every NIP is valid and unique.
No audit log (ActivityLog) is written for these rows.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from demo.seeding.scale import ScaleGenerator
from demo.seeding.scale_setup import delete_generated_cycle
from plans.models import Cycle
from reference.loading import load_reference_data
from reports.services import agency_tallies


def analyse(models) -> None:
    """ANALYZE the tables written (PostgreSQL; inside the transaction it sees its rows)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class Command(BaseCommand):
    help = (
        "Generate a national-scale cycle for benchmarks: N plans with one agent user each, "
        "5 targets and 3-5 activities per plan, submitted versions, reviewer assignments, "
        "reviews with criterion scores, decisions and target progress, in realistic "
        "proportions of every state. Written with bulk inserts, not the services: the "
        "services are for real actions (permission checks, row locks, audit log per "
        "action); this is a benchmark generator, and 50,000 plans must take minutes. "
        "Refuses an existing cycle code unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, default=1000, help="Number of plans (N).")
        parser.add_argument(
            "--agencies", type=int, default=None, help="Number of agencies; max(48, N//25)."
        )
        parser.add_argument(
            "--cycle-code", default=None, help="Code of the cycle; nasional-<year>."
        )
        parser.add_argument(
            "--year", type=int, default=None, help="Year of the cycle; the current year."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (reproducible).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the cycle of that code and its generated users first.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Rows per INSERT (and plans per chunk)."
        )

    def handle(self, *args, **options):
        plans = options["plans"]
        if plans < 1:
            raise CommandError("--plans must be at least 1.")
        year = options["year"] or timezone.localdate().year
        code = options["cycle_code"] or f"nasional-{year}"
        agencies = options["agencies"] or max(48, plans // 25)
        started = time.monotonic()
        load_reference_data()
        existing = Cycle.objects.filter(code=code).first()
        if existing is not None and not options["replace"]:
            raise CommandError(
                f"Siklus {code} sudah ada. Jalankan dengan --replace untuk menghapus dan "
                "membuat ulang datanya, atau pilih --cycle-code lain."
            )
        with transaction.atomic():
            if existing is not None:
                deleted = delete_generated_cycle(existing)
                self.stdout.write(f"Deleted cycle {code}: {deleted} users and their plans.")
            generator = ScaleGenerator(
                code=code,
                year=year,
                n_plans=plans,
                n_agencies=agencies,
                seed=options["seed"],
                batch_size=options["batch_size"],
                log=self.stdout.write,
            )
            counts = generator.run()
            analyse(generator.ANALYSED)
            # The bulk inserts send no signals: the figures kept per cycle (reviewers,
            # criteria, the dashboard's per agency) are computed once.
            call_command("rebuild_tallies", "--cycle", code, stdout=self.stdout)
            # Its agents (and those a replaced cycle took away) count in every cycle whose
            # submission deadline they were there before: the other cycles' dashboard rows
            # are recomputed as well.
            for other in Cycle.objects.exclude(code=code).order_by("pk"):
                agency_tallies.rebuild(other)
        elapsed = time.monotonic() - started
        for label, value in counts.items():
            self.stdout.write(f"  {label}: {value:,}")
        self.stdout.write(self.style.SUCCESS(f"Cycle {code}: {plans:,} plans in {elapsed:.1f} s."))
