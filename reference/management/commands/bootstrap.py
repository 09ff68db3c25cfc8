"""`manage.py bootstrap`: what a new installation needs before anyone signs in."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from reference.first_start import (
    ENV_USERNAME,
    FirstStartError,
    coordinator_from_environment,
    coordinators,
    ensure_coordinator,
    reference_data_loaded,
)


class Command(BaseCommand):
    help = (
        "Migrate the database, load the region's reference data when the database has "
        "none yet (agencies, frameworks, default rubric; never demo people), and create "
        "the first coordinator from AGENPLAN_COORDINATOR_USERNAME, _EMAIL, _NAME and "
        "_PASSWORD when set. Safe to run on every start: each step that is done is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reference-data",
            action="store_true",
            help="load the reference data even when some is there (load_reference_data)",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        self.stdout.write("bootstrap: migrating the database")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))

        if options["reference_data"] or not reference_data_loaded():
            self.stdout.write("bootstrap: loading the reference data")
            call_command("load_reference_data", verbosity=verbosity, stdout=self.stdout)
        else:
            self.stdout.write(
                "bootstrap: reference data already loaded (manage.py load_reference_data "
                "applies changed files)"
            )

        request = coordinator_from_environment()
        if request is not None:
            try:
                user, outcome = ensure_coordinator(request)
            except FirstStartError as error:
                raise CommandError(f"bootstrap: {error}") from error
            self.stdout.write(f"bootstrap: coordinator {user.username}: {outcome}")
        elif not coordinators().exists():
            self.stdout.write(
                self.style.WARNING(
                    "bootstrap: no coordinator yet: set "
                    f"{ENV_USERNAME} (and _EMAIL, _NAME, _PASSWORD) or run "
                    "manage.py createcoordinator"
                )
            )
        self.stdout.write(self.style.SUCCESS("bootstrap: done"))
