"""`manage.py seed_demo`: the demo province, its people, a past and a current cycle.

- Reference data (`load_reference_data`).
- 216 people: 155 change agents in the 48 perangkat daerah, a head for every agency,
  10 reviewers, a coordinator, the Sekda (leadership) and an admin; all with the
  password `agenplan-demo`.
- "Assessment Agen Perubahan 2023": the history. One plan per agent, in all nine
  states, with reviews, decisions, target progress and mentoring threads.
- "Assessment Agen Perubahan <this year>": the current cycle, named after today's year
  and dated around today (drafting open, the deadline in two weeks); mostly drafts,
  some submitted.

Every state change goes through the services (`plans.services`, `assessment.services`)
with `now=` set to a moment inside the 2023 cycle's phases, so that the audit log and
the submitted versions are real. Content is typed straight into the rows, as the editor
would. The one exception: `create_plan` refuses a cycle whose drafting phase is over, so
the 2023 plans are created directly, with the same audit entry the service writes.

Idempotent: people are matched by username, cycles by code, plans by (cycle, agent); what
exists is left alone, so a second run changes nothing and only prints the logins again.
"""

import time

from django.core.management.base import BaseCommand

from agents.enums import Role
from demo.seeding.demo_seeder import DemoSeeder
from demo.seeding.people import DEMO_PASSWORD, demo_roster
from reference.loading import agency_rows


class Command(BaseCommand):
    help = (
        "Seed the demo: reference data, 216 users (password agenplan-demo), the 2023 "
        "cycle with 155 plans in every state, and a cycle of the current year. Idempotent; "
        "--logins-only prints the demo logins without touching the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-only", action="store_true", help="Only print the table of demo logins."
        )

    def handle(self, *args, logins_only=False, **options):
        if not logins_only:
            started = time.monotonic()
            counts = DemoSeeder(self).run()
            for label, value in counts.items():
                self.stdout.write(f"  {label}: {value}")
            self.stdout.write(
                self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s.")
            )
        self.print_logins()

    def print_logins(self) -> None:
        agencies = {row["code"]: row for row in agency_rows()}
        roster = demo_roster()
        named = [p for p in roster if not p.username.startswith(("agen.", "kepala."))]
        agents = [p for p in roster if p.username.startswith("agen.")]
        heads = [p for p in roster if p.username.startswith("kepala.")]
        rows = [("Peran", "Username", "Password", "Nama", "Perangkat daerah")]
        for person in [*named, agents[0], heads[0]]:
            agency = agencies.get(person.agency_code or "", {})
            rows.append(
                (
                    str(Role(person.role).label),
                    person.username,
                    DEMO_PASSWORD,
                    person.name,
                    agency.get("abbreviation", "—").split(" / ")[0],
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        self.stdout.write(self.style.MIGRATE_HEADING("Akun demo"))
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
            if index == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            f"Agen lain: agen.<NIP> ({len(agents)} akun); kepala perangkat daerah lain: "
            f"kepala.<kode> ({len(heads)} akun); semua dengan password {DEMO_PASSWORD}."
        )
