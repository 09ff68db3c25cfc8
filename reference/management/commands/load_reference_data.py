"""`manage.py load_reference_data`: the region's agencies, frameworks and default rubric."""

from django.core.management.base import BaseCommand

from reference.loading import data_dir, load_reference_data


class Command(BaseCommand):
    help = (
        "Load the region's reference data (its perangkat daerah, the RB change areas, the "
        "BerAKHLAK values, the regional head's missions and the default rubric) from the "
        "folder of AGENPLAN_REFERENCE_DATA_DIR. Idempotent: rows are matched by natural "
        "key (agency code, change-area code, ...) and written only when they differ."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Reference data from {data_dir()}")
        stats = load_reference_data()
        for label, counter in stats.items():
            self.stdout.write(
                f"{label}: {counter['created']} created, {counter['updated']} updated, "
                f"{counter['unchanged']} unchanged"
            )
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
