"""`manage.py load_reference_data`: agencies, RB frameworks, BerAKHLAK, default rubric."""

from django.core.management.base import BaseCommand

from reports.seeding.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "Load the reference data (the 48 perangkat daerah of Pemprov Kaltim, the 8 RB "
        "change areas, the 7 BerAKHLAK values, the governor's missions and the default "
        "rubric) from the apps' fixtures. Idempotent: rows are matched by natural key "
        "(agency code, change-area code, ...) and written only when they differ."
    )

    def handle(self, *args, **options):
        stats = load_reference_data()
        for label, counter in stats.items():
            self.stdout.write(
                f"{label}: {counter['created']} created, {counter['updated']} updated, "
                f"{counter['unchanged']} unchanged"
            )
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
