"""`manage.py createcoordinator`: an account with the coordinator role, to start with."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from reference.first_start import (
    ENV_EMAIL,
    ENV_NAME,
    ENV_PASSWORD,
    ENV_USERNAME,
    CoordinatorRequest,
    FirstStartError,
    coordinator_from_environment,
    ensure_coordinator,
)


class Command(BaseCommand):
    help = (
        "Create a coordinator (an account holding the coordinator role, audited), or give "
        "an existing account the role. Each option defaults to its variable: "
        f"{ENV_USERNAME}, {ENV_EMAIL}, {ENV_NAME}; the password is {ENV_PASSWORD}, or "
        "asked for twice at the terminal. An existing account keeps its password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--name", help="full name with titles")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"never prompt: the password must be in {ENV_PASSWORD}",
        )

    def handle(self, *args, **options):
        from_env = coordinator_from_environment() or CoordinatorRequest("", "", "", "")
        request = CoordinatorRequest(
            username=(options["username"] or from_env.username).strip(),
            email=(options["email"] or from_env.email).strip(),
            name=(options["name"] or from_env.name).strip(),
            password=from_env.password,
        )
        if not request.username:
            raise CommandError(f"Give --username (or set {ENV_USERNAME}).")
        if not request.password and options["interactive"]:
            request = CoordinatorRequest(
                request.username, request.email, request.name, self._ask_password()
            )
        try:
            user, outcome = ensure_coordinator(request)
        except FirstStartError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            {
                "created": f"Coordinator {user.username} created.",
                "granted": f"{user.username} already existed and now holds the coordinator role.",
                "unchanged": f"{user.username} is already a coordinator; nothing changed.",
            }[outcome]
        )

    def _ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
