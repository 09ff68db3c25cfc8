"""`manage.py create_service_account USERNAME --name NAME [--role ROLE ...]
[--scope AREA=read|write ...] [--token-name NAME]`: an account for another system
(SIMPEG, a dashboard built elsewhere) with its first API token, whose secret is printed
once. The account has no password: it cannot sign in to the pages. Its roles decide what
it may see and do, as for a person (a participants sync needs the coordinator's role);
the scopes narrow the token to areas of the API."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agents.enums import ApiArea
from agents.tokens import SERVICE_ROLES, create_service_account, create_token


class Command(BaseCommand):
    help = "Buat akun layanan (integrasi sistem lain) dengan token API pertamanya."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="Nama sistem, misalnya SIMPEG.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=SERVICE_ROLES,
            help="Peran akun (boleh berulang).",
        )
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            metavar="AREA=read|write",
            help=f"Cakupan token (boleh berulang); area: {', '.join(ApiArea.values)}.",
        )
        parser.add_argument("--token-name", default="", help="Nama token (bawaan: --name).")

    def handle(self, *args, **options):
        scopes = {}
        for item in options["scope"]:
            area, _, access = item.partition("=")
            scopes[area.strip()] = access.strip()
        try:
            with transaction.atomic():  # no account without its token
                user, token, secret = self._create(options, scopes)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Akun layanan {user.username} dibuat (id {user.pk}).")
        self.stdout.write(f"Token {token.name}, salin sekarang (tidak ditampilkan lagi):")
        self.stdout.write(secret)

    def _create(self, options, scopes):
        user = create_service_account(
            username=options["username"],
            name=options["name"],
            email=options["email"],
            roles=options["role"],
            by=None,
        )
        token, secret = create_token(
            user, name=options["token_name"] or options["name"], scopes=scopes, by=None
        )
        return user, token, secret
