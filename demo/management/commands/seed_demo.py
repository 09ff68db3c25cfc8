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

import datetime as dt
import random
import time
from collections import Counter
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agents.enums import Role
from agents.models import Agent, RoleGrant, User
from agents.services import record_activity
from assessment.enums import DecisionOutcome
from assessment.models import Rubric
from assessment.services import assign_reviewers, decide_plan, save_review, submit_review
from assessment.services.cycle import copy_rubric
from demo.seeding.content import (
    DECISION_FEEDBACK,
    comment_for,
    overall_feedback_for,
    plan_content,
    quality_range,
)
from demo.seeding.dates import WITA, add_months, at_wita, month_end, wita
from demo.seeding.lookups import (
    agencies_by_code,
    default_rubric,
    reference_lookups,
)
from demo.seeding.people import DEMO_PASSWORD, DEMO_SEED, demo_roster, password_hash
from plans.enums import PlanSection, PlanState
from plans.models import (
    ActionPlan,
    Activity,
    Comment,
    CommentThread,
    Cycle,
    Target,
    TargetProgress,
)
from plans.services.common import PlanError
from plans.services.content import create_plan
from plans.services.workflow import (
    complete_plan,
    endorse_plan,
    grant_extension,
    start_implementation,
    submit_plan,
    withdraw_plan,
)
from reference.loading import agency_rows, load_reference_data

PAST_CODE = "assessment-2023"
PAST_PERIOD = "RPJMD 2019–2023"
CURRENT_PERIOD = "RPJMD 2025–2029"

# The 2023 history: how many of the 155 plans end in each state.
PAST_STATES = {
    PlanState.COMPLETED: 52,
    PlanState.IMPLEMENTING: 40,
    PlanState.APPROVED: 14,
    PlanState.REJECTED: 10,
    PlanState.REVISION_REQUESTED: 12,
    PlanState.REVIEWED: 6,
    PlanState.IN_REVIEW: 7,
    PlanState.SUBMITTED: 6,
    PlanState.DRAFT: 8,
}
OUTCOME = {
    PlanState.REJECTED: DecisionOutcome.REJECT,
    PlanState.REVISION_REQUESTED: DecisionOutcome.REVISE,
}
CURRENT_PLANS_SHARE = 0.6  # of the agents already have a plan in the current cycle
CURRENT_SUBMITTED_SHARE = 0.3  # ... of which submitted


def current_cycle_code() -> str:
    """The code of the demo's current cycle: the year of today's date (WITA)."""
    return f"assessment-{timezone.localdate().year}"


def _plan_rng(cycle_code: str, key: str) -> random.Random:
    """One generator per plan, so a plan's content does not depend on the others."""
    return random.Random(f"{DEMO_SEED}:{cycle_code}:{key}")  # noqa: S311 - demo data


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


class DemoSeeder:
    def __init__(self, command: BaseCommand):
        self.out = command.stdout
        self.style = command.style
        self.counts: Counter = Counter()

    # --- Orchestration --------------------------------------------------------------

    def run(self) -> Counter:
        load_reference_data()
        self.agencies = agencies_by_code()
        self.areas, self.values, self.missions = reference_lookups()
        self.rows = {row["code"]: row for row in agency_rows()}
        with transaction.atomic():
            self.ensure_people()
            past = self.ensure_cycle(PAST_CODE, self.past_cycle_fields())
            current = self.ensure_cycle(current_cycle_code(), self.current_cycle_fields())
            self.load_balance = Counter()
            self.seed_past(past)
            self.seed_current(current)
        return self.counts

    # --- People ---------------------------------------------------------------------

    def ensure_people(self) -> None:
        roster = demo_roster()
        existing = set(
            User.objects.filter(username__in=[p.username for p in roster]).values_list(
                "username", flat=True
            )
        )
        hashed = password_hash()
        new_users = [
            User(
                username=p.username,
                name=p.name,
                nip=p.nip,
                email=p.email,
                jabatan=p.jabatan,
                pangkat_golongan=p.pangkat,
                agency=self.agencies.get(p.agency_code or ""),
                password=hashed,
                is_staff=p.is_staff,
                is_superuser=p.is_superuser,
            )
            for p in roster
            if p.username not in existing
        ]
        User.objects.bulk_create(new_users, batch_size=500)
        self.counts["users created"] = len(new_users)
        users = {
            u.username: u for u in User.objects.filter(username__in=[p.username for p in roster])
        }
        with_profile = set(
            Agent.objects.filter(user__in=users.values()).values_list("user_id", flat=True)
        )
        new_agents = [
            Agent(
                user=users[p.username],
                agency=self.agencies[p.agency_code],
                sk_number=p.sk_number,
                sk_date=p.sk_date,
            )
            for p in roster
            if p.role == Role.AGENT and users[p.username].pk not in with_profile
        ]
        Agent.objects.bulk_create(new_agents, batch_size=500)
        grants = set(
            RoleGrant.objects.filter(user__in=users.values()).values_list(
                "user_id", "role", "agency_id"
            )
        )
        new_grants = []
        for p in roster:
            if p.role in (Role.AGENT, Role.ADMIN):
                continue
            user = users[p.username]
            agency = self.agencies[p.agency_code] if p.role == Role.AGENCY_HEAD else None
            if (user.pk, p.role, agency.pk if agency else None) not in grants:
                new_grants.append(RoleGrant(user=user, role=p.role, agency=agency))
        RoleGrant.objects.bulk_create(new_grants)
        # Fresh objects: the role caches of django-rules predicates start empty.
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=users).select_related("agent_profile__agency")
        }
        self.roster = roster
        self.coordinator = self.users["koordinator"]
        self.reviewers = [self.users[f"reviewer{n}"] for n in range(1, 11)]
        self.heads = {
            p.agency_code: self.users[p.username] for p in roster if p.role == Role.AGENCY_HEAD
        }
        self.agents = [self.users[p.username] for p in roster if p.role == Role.AGENT]

    # --- Cycles ---------------------------------------------------------------------

    @staticmethod
    def past_cycle_fields() -> dict:
        return {
            "name": "Assessment Agen Perubahan 2023",
            "year": 2023,
            "description": (
                "Assessment dan Pendampingan Penyusunan Rencana Tindak Agen Perubahan, "
                "Biro Organisasi Setdaprov Kaltim; pembukaan di Balikpapan, 21 Februari 2023."
            ),
            "drafting_opens": wita(2023, 1, 16, 8, 0),
            "submission_deadline": wita(2023, 3, 10, 23, 59),
            "review_starts": dt.date(2023, 3, 13),
            "review_ends": dt.date(2023, 3, 31),
            "decision_date": dt.date(2023, 4, 7),
            "implementation_start": dt.date(2023, 4, 1),
            "implementation_end": dt.date(2023, 12, 31),
            "reviewers_per_plan": 2,
            "reviewer_anonymity": True,
            "head_endorsement_required": False,
            "min_activities": 3,
            "min_targets": 2,
        }

    @staticmethod
    def current_cycle_fields() -> dict:
        today = timezone.localdate()
        review_starts = today + dt.timedelta(days=15)
        review_ends = review_starts + dt.timedelta(days=20)
        decision = review_ends + dt.timedelta(days=7)
        implementation_start = add_months(decision, 1)
        return {
            "name": f"Assessment Agen Perubahan {today.year}",
            "year": today.year,
            "description": "Siklus berjalan: penyusunan dibuka, batas pengajuan dua pekan lagi.",
            "drafting_opens": at_wita(today - dt.timedelta(days=30), 8, 0),
            "submission_deadline": at_wita(today + dt.timedelta(days=14), 23, 59),
            "review_starts": review_starts,
            "review_ends": review_ends,
            "decision_date": decision,
            "implementation_start": implementation_start,
            "implementation_end": month_end(add_months(implementation_start, 5)),
            "reviewers_per_plan": 2,
            "reviewer_anonymity": True,
            "head_endorsement_required": False,
            "min_activities": 3,
            "min_targets": 2,
        }

    def ensure_cycle(self, code: str, fields: dict) -> Cycle:
        cycle = Cycle.objects.filter(code=code).first()
        if cycle is None:
            cycle = Cycle.objects.create(code=code, **fields)
            self.counts["cycles created"] += 1
        if not Rubric.objects.filter(cycle=cycle).exists():
            copy_rubric(default_rubric(), cycle)
        return cycle

    # --- Typing a plan --------------------------------------------------------------

    def type_content(self, plan: ActionPlan, draft, *, period: str, parts: str = "all") -> None:
        """Fill the plan as the agent would in the editor; `parts` is all / partial / title."""
        if parts == "title":
            return
        fields = dict(draft.fields)
        if parts == "partial":
            keep = {"strategic_issue", "baseline_data", "root_cause", "innovation", "change_kind"}
            fields = {k: v for k, v in fields.items() if k in keep}
        for name, value in fields.items():
            setattr(plan, name, value)
        if parts == "all":
            plan.governor_mission = self.missions.get((period, draft.mission_number))
        plan.save()
        plan.change_areas.set([self.areas[c] for c in draft.change_area_codes])
        if parts == "all":
            plan.core_values.set([self.values[c] for c in draft.core_value_codes])
        activities = draft.activities if parts == "all" else draft.activities[:2]
        Activity.objects.bulk_create(Activity(plan=plan, **a) for a in activities)
        targets = draft.targets if parts == "all" else draft.targets[:1]
        Target.objects.bulk_create(Target(plan=plan, **t) for t in targets)

    def revise_content(self, plan: ActionPlan, rng: random.Random) -> None:
        """What an agent changes after "perlu revisi": sharper data, one more target."""
        plan.baseline_data += " Data diperbarui dari laporan triwulan IV dan survei awal."
        plan.root_cause += " Analisis akar masalah dengan diagram tulang ikan bersama tim."
        plan.lock_version += 1
        plan.save(update_fields=["baseline_data", "root_cause", "lock_version", "updated_at"])
        last = plan.targets.order_by("-order").first()
        Target.objects.create(
            plan=plan,
            order=last.order + 1,
            indicator="Pegawai yang memahami inovasi (hasil survei internal)",
            unit="%",
            baseline=Decimal(rng.randint(10, 30)),
            target_value=Decimal(rng.randint(75, 95)),
            due_date=last.due_date,
            verification="Laporan survei internal",
        )

    # --- Reviewing ------------------------------------------------------------------

    def pick_reviewers(self, plan: ActionPlan, rng: random.Random) -> list[User]:
        """Two reviewers from outside the plan's agency, the least loaded first."""
        eligible = [r for r in self.reviewers if r.agency_id != plan.agency_id]
        rng.shuffle(eligible)
        eligible.sort(key=lambda r: self.load_balance[r.pk])
        chosen = eligible[:2]
        for reviewer in chosen:
            self.load_balance[reviewer.pk] += 1
        return chosen

    def review(
        self,
        assignment,
        *,
        quality: float,
        rng: random.Random,
        when: dt.datetime,
        submit: bool = True,
        skew: bool = False,
    ) -> None:
        reviewer = assignment.reviewer
        bias = rng.uniform(-0.25, 0.25)
        levels = {}
        for index, code in enumerate(self.criterion_codes):
            level = round(quality + bias + rng.gauss(0, 0.3))
            if skew and index == 0:
                level = round(quality) + 2 if quality < 3 else round(quality) - 2
            level = max(1, min(5, level))
            levels[code] = (level, comment_for(code, level))
        mean = sum(level for level, _ in levels.values()) / len(levels)
        if not submit:  # a review in progress: half the criteria scored
            levels = dict(list(levels.items())[:3])
        review = save_review(
            assignment,
            levels=levels,
            overall_feedback=overall_feedback_for(mean),
            confidential_note=(
                "Perlu pendampingan intensif pada penyusunan target." if mean < 2.5 else ""
            ),
            by=reviewer,
        )
        if submit:
            submit_review(review, by=reviewer, now=when)

    def review_round(
        self,
        plan: ActionPlan,
        reviewers: list[User],
        *,
        quality: float,
        rng: random.Random,
        assigned: dt.datetime,
        complete: bool = True,
    ) -> None:
        assign_reviewers(
            plan,
            reviewers=reviewers,
            by=self.coordinator,
            due_date=plan.cycle.review_ends,
            now=assigned,
        )
        skew = rng.random() < 0.08  # reviewers who disagree: flagged
        assignments = list(
            plan.assignments.filter(is_active=True).select_related("reviewer").order_by("id")
        )
        for index, assignment in enumerate(assignments):
            when = assigned + dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
            last = index == len(assignments) - 1
            if not complete and last:
                if rng.random() < 0.6:  # the second reviewer has started, not finished
                    self.review(assignment, quality=quality, rng=rng, when=when, submit=False)
                continue
            self.review(assignment, quality=quality, rng=rng, when=when, skew=skew and last)

    # --- The 2023 history -----------------------------------------------------------

    def past_scenarios(self) -> list[str]:
        states = [state for state, n in PAST_STATES.items() for _ in range(n)]
        random.Random(DEMO_SEED).shuffle(states)  # noqa: S311 - demo data
        # The demo agent `agen` has the richest story: revised once, then completed.
        agen_index = next(i for i, u in enumerate(self.agents) if u.username == "agen")
        swap = states.index(PlanState.COMPLETED)
        states[agen_index], states[swap] = states[swap], states[agen_index]
        return states

    def seed_past(self, cycle: Cycle) -> None:
        self.criterion_codes = list(cycle.rubric.criteria.values_list("code", flat=True))
        done = set(ActionPlan.objects.filter(cycle=cycle).values_list("owner__user_id", flat=True))
        for row in cycle.plans.filter(assignments__is_active=True).values_list(
            "assignments__reviewer_id", flat=True
        ):
            self.load_balance[row] += 1
        created = 0
        for user, state in zip(self.agents, self.past_scenarios(), strict=True):
            if user.pk in done:
                continue
            with transaction.atomic():
                self.play_past(cycle, user, state)
            created += 1
        self.counts["plans created (2023)"] = created

    def play_past(self, cycle: Cycle, user: User, state: str) -> None:
        rng = _plan_rng(cycle.code, user.username)
        agent = user.agent_profile
        row = self.rows[agent.agency.code]
        draft = plan_content(
            rng,
            agency=row,
            window=(cycle.implementation_start, cycle.implementation_end),
            year=cycle.year,
            mission_period=PAST_PERIOD,
        )
        # create_plan refuses a cycle whose drafting is over: same row, same audit entry.
        plan = ActionPlan.objects.create(
            cycle=cycle, owner=agent, agency=agent.agency, title=draft.title
        )
        record_activity(actor=user, action="plan.create", obj=plan, to_state=plan.state)
        revised = user.username == "agen" or (
            state in (PlanState.APPROVED, PlanState.IMPLEMENTING, PlanState.COMPLETED)
            and rng.random() < 0.08
        )

        if state == PlanState.DRAFT:
            kind = rng.choice(["withdrawn", "partial", "title", "all"])
            if kind == "withdrawn":
                self.type_content(plan, draft, period=PAST_PERIOD)
                submit_plan(plan, by=user, now=wita(2023, 3, rng.randint(1, 8), 10))
                withdraw_plan(
                    plan,
                    by=user,
                    note="Ditarik untuk memperbaiki target dan jadwal kegiatan.",
                    now=wita(2023, 3, 9, 14),
                )
            else:
                self.type_content(plan, draft, period=PAST_PERIOD, parts=kind)
            self.maybe_thread(plan, user, rng, force=kind == "partial")
            return

        self.type_content(plan, draft, period=PAST_PERIOD)
        submitted_at = wita(2023, 2, 6, 9) + dt.timedelta(
            days=rng.randint(0, 31), hours=rng.randint(0, 7), minutes=rng.randint(0, 59)
        )
        late = rng.random() < 0.05
        if late:
            grant_extension(
                plan,
                until=wita(2023, 3, 17, 23, 59),
                by=self.coordinator,
                note="Agen bertugas ke luar daerah; perpanjangan satu pekan.",
            )
            submitted_at = wita(2023, 3, 15, 10, rng.randint(0, 59))
        if rng.random() < 0.4:
            endorse_plan(
                plan, by=self.heads[agent.agency.code], now=submitted_at - dt.timedelta(days=1)
            )
        if rng.random() < 0.04:  # handed in, taken back, handed in again
            submit_plan(plan, by=user, now=submitted_at - dt.timedelta(days=3))
            withdraw_plan(
                plan,
                by=user,
                note="Ada data baseline yang keliru.",
                now=submitted_at - dt.timedelta(days=2),
            )
        self.maybe_thread(plan, user, rng)
        submit_plan(plan, by=user, now=submitted_at)
        if state == PlanState.SUBMITTED:
            return

        reviewers = self.pick_reviewers(plan, rng)
        assigned = wita(2023, 3, 16, 9) if late else wita(2023, 3, 13, 9)
        low, high = quality_range(state)
        quality = rng.uniform(low, high)
        if revised:
            self.review_round(
                plan, reviewers, quality=rng.uniform(2.5, 3.1), rng=rng, assigned=assigned
            )
            decide_plan(
                plan,
                outcome=DecisionOutcome.REVISE,
                feedback=DECISION_FEEDBACK["revise"],
                by=self.coordinator,
                now=wita(2023, 3, 24, 15),
            )
            self.revise_content(plan, rng)
            submit_plan(plan, by=user, now=wita(2023, 3, 29, 10, rng.randint(0, 59)))
            assigned = wita(2023, 3, 30, 9)
        self.review_round(
            plan,
            reviewers,
            quality=quality,
            rng=rng,
            assigned=assigned,
            complete=state != PlanState.IN_REVIEW,
        )
        if state in (PlanState.IN_REVIEW, PlanState.REVIEWED):
            return

        outcome = OUTCOME.get(state, DecisionOutcome.APPROVE)
        decide_plan(
            plan,
            outcome=outcome,
            feedback=DECISION_FEEDBACK[outcome],
            by=self.coordinator,
            now=wita(2023, 4, rng.randint(3, 7), rng.randint(9, 16)),
        )
        if state not in (PlanState.IMPLEMENTING, PlanState.COMPLETED):
            return

        start_implementation(plan, by=user, now=wita(2023, 4, rng.randint(10, 28), 9))
        reports = [dt.date(2023, 6, 30), dt.date(2023, 9, 29)]
        if state == PlanState.COMPLETED:
            reports.append(dt.date(2023, 12, 15))
        elif rng.random() < 0.4:
            reports = reports[:1]
        self.report_progress(plan, user, reports, rng)
        if state == PlanState.COMPLETED:
            complete_plan(
                plan,
                by=user,
                note="Seluruh kegiatan selesai; laporan akhir dan bukti realisasi diunggah.",
                now=wita(2023, 12, rng.randint(18, 29), 10),
            )

    def report_progress(
        self, plan: ActionPlan, user: User, dates: list[dt.date], rng: random.Random
    ) -> None:
        """Realisasi per target on each reporting date, moving from baseline to target."""
        achievement = rng.uniform(0.75, 1.1)
        rows = []
        for target in plan.targets.all():
            span = target.target_value - target.baseline
            for index, day in enumerate(dates, start=1):
                share = Decimal(index / 3 * achievement)
                value = (target.baseline + span * min(share, Decimal("1.1"))).quantize(
                    Decimal("0.01")
                )
                rows.append(
                    TargetProgress(
                        target=target,
                        reported_on=day,
                        value=max(value, Decimal(0)),
                        note=(
                            "Sesuai rencana."
                            if share >= Decimal(index / 3)
                            else "Sedikit di bawah rencana; kegiatan sosialisasi diperluas."
                        ),
                        reported_by=user,
                    )
                )
        TargetProgress.objects.bulk_create(rows)

    def maybe_thread(
        self, plan: ActionPlan, user: User, rng: random.Random, *, force: bool = False
    ) -> None:
        """A mentoring thread on a draft: the pendamping asks, the agent answers."""
        if not force and rng.random() > 0.08:
            return
        mentor = rng.choice(self.reviewers[:4])
        section, question, answer = rng.choice(
            [
                (
                    PlanSection.TARGETS,
                    "Target kedua belum memiliki baseline yang jelas. Dari mana angka awalnya?",
                    "Baik, Bu/Pak. Baseline kami ambil dari rekap layanan tahun lalu; "
                    "sudah kami tambahkan sumber datanya.",
                ),
                (
                    PlanSection.PROBLEM,
                    "Akar masalahnya masih umum. Coba uraikan dengan data per bulan.",
                    "Terima kasih, sudah kami lengkapi dengan data per bulan.",
                ),
                (
                    PlanSection.ALIGNMENT,
                    "Jelaskan kaitan gagasan ini dengan area perubahan yang dipilih.",
                    "Sudah kami tambahkan pada penjelasan keselarasan.",
                ),
            ]
        )
        thread = CommentThread.objects.create(plan=plan, section=section, started_by=mentor)
        comments = [Comment(thread=thread, author=mentor, body=question)]
        answered = rng.random() < 0.7 or not force
        if answered:
            comments.append(Comment(thread=thread, author=user, body=answer))
        Comment.objects.bulk_create(comments)
        if answered and rng.random() < 0.6:
            thread.resolved_at = timezone.now()
            thread.resolved_by = mentor
            thread.save(update_fields=["resolved_at", "resolved_by"])
        self.counts["mentoring threads"] += 1

    # --- The current cycle ----------------------------------------------------------

    def seed_current(self, cycle: Cycle) -> None:
        self.criterion_codes = list(cycle.rubric.criteria.values_list("code", flat=True))
        done = set(ActionPlan.objects.filter(cycle=cycle).values_list("owner__user_id", flat=True))
        now = timezone.now()
        created = 0
        for user in self.agents:
            rng = _plan_rng(cycle.code, user.username)
            take_part = user.username == "agen" or rng.random() < CURRENT_PLANS_SHARE
            if not take_part or user.pk in done:
                continue
            try:
                with transaction.atomic():
                    self.play_current(cycle, user, rng, now)
            except PlanError as error:  # e.g. a later run after drafting closed
                self.out.write(self.style.WARNING(f"{user.username}: {error}"))
                continue
            created += 1
        self.counts["plans created (current cycle)"] = created

    def play_current(self, cycle: Cycle, user: User, rng: random.Random, now: dt.datetime) -> None:
        agent = user.agent_profile
        draft = plan_content(
            rng,
            agency=self.rows[agent.agency.code],
            window=(cycle.implementation_start, cycle.implementation_end),
            year=cycle.year,
            mission_period=CURRENT_PERIOD,
        )
        plan = create_plan(cycle=cycle, owner=agent, title=draft.title, by=user)
        if user.username == "agen":
            # Almost done: the checklist still asks for risks, mitigation and a target.
            self.type_content(plan, draft, period=CURRENT_PERIOD)
            plan.risks = plan.mitigation = ""
            plan.save(update_fields=["risks", "mitigation", "updated_at"])
            plan.targets.filter(order__gt=1).delete()
            self.current_thread(plan, user)
            return
        submitted = rng.random() < CURRENT_SUBMITTED_SHARE
        parts = "all" if submitted else rng.choice(["all", "all", "partial", "title"])
        self.type_content(plan, draft, period=CURRENT_PERIOD, parts=parts)
        if submitted:
            opened = timezone.localtime(cycle.drafting_opens, WITA)
            moment = min(
                now - dt.timedelta(hours=1),
                opened + dt.timedelta(days=rng.randint(10, 29), hours=rng.randint(1, 8)),
            )
            submit_plan(plan, by=user, now=moment)
        elif parts == "partial" and rng.random() < 0.3:
            self.current_thread(plan, user)

    def current_thread(self, plan: ActionPlan, user: User) -> None:
        """An open mentoring question waiting for the agent's answer."""
        mentor = self.users["reviewer1"]
        thread = CommentThread.objects.create(
            plan=plan, section=PlanSection.TARGETS, started_by=mentor
        )
        Comment.objects.create(
            thread=thread,
            author=mentor,
            body=(
                "Target baru satu. Siklus ini mensyaratkan sedikitnya dua target terukur; "
                "tambahkan target dampak bagi masyarakat beserta alat verifikasinya."
            ),
        )
        self.counts["mentoring threads"] += 1
