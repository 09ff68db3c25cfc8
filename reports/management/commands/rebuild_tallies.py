"""`manage.py rebuild_tallies [--cycle CODE ...]`: recompute the figures kept per cycle
(each reviewer's load and calibration, each agency's scores per criterion and its
dashboard figures) of the cycles
(every cycle without --cycle) from their assignments, reviews and plans. They follow every
change made through the application; data written around it (a bulk load, a restored
backup, a fix in SQL) needs this."""

from django.core.management.base import BaseCommand, CommandError

from assessment.services import tallies
from plans.models import Cycle
from reports.services import agency_tallies, criteria


class Command(BaseCommand):
    help = (
        "Hitung ulang rekap per siklus: beban dan kalibrasi reviewer, nilai per kriteria, "
        "angka dasbor per perangkat daerah."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cycle", action="append", default=[], metavar="CODE", help="Kode siklus."
        )

    def handle(self, *args, **options):
        cycles = Cycle.objects.order_by("pk")
        if options["cycle"]:
            cycles = cycles.filter(code__in=options["cycle"])
            missing = set(options["cycle"]) - {cycle.code for cycle in cycles}
            if missing:
                raise CommandError(f"Siklus tidak ditemukan: {', '.join(sorted(missing))}")
        for cycle in cycles:
            reviewers = tallies.rebuild(cycle)
            scores = criteria.rebuild(cycle)
            agencies = agency_tallies.rebuild(cycle)
            self.stdout.write(
                f"{cycle.code}: {reviewers} reviewer, {scores} rekap kriteria, "
                f"{agencies} rekap perangkat daerah"
            )
