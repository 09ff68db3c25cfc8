"""`DemoSeeder`: the demo province's people and cycles, and the typing and reviewing that
the plans' stories (`demo_plays`) are made of."""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from agents.enums import Role
from agents.models import Agent, RoleGrant, User
from assessment.models import Rubric
from assessment.services import assign_reviewers, save_review, submit_review
from assessment.services.cycle import copy_rubric
from demo.seeding.content import (
    comment_for,
    overall_feedback_for,
)
from demo.seeding.demo_cycles import (
    PAST_CODE,
    current_cycle_code,
    current_cycle_fields,
    past_cycle_fields,
)
from demo.seeding.demo_gallery import GalleryPlays
from demo.seeding.demo_monitoring import MonitoringPlays
from demo.seeding.demo_plays import DemoPlays
from demo.seeding.lookups import (
    agencies_by_code,
    default_rubric,
    reference_lookups,
)
from demo.seeding.people import demo_roster, password_hash
from plans.models import (
    ActionPlan,
    Activity,
    ChangeAgentRole,
    Cycle,
    Target,
)
from reference.loading import agency_rows, load_reference_data


class DemoSeeder(DemoPlays, MonitoringPlays, GalleryPlays):
    """Seeds the demo once per run of `seed_demo`; `run()` returns what it created."""

    def __init__(self, command: BaseCommand):
        self.out = command.stdout
        self.style = command.style
        self.counts: Counter = Counter()

    # --- Orchestration --------------------------------------------------------------

    def run(self) -> Counter:
        self.say("Seeding the demo: reference data")
        load_reference_data()
        self.agencies = agencies_by_code()
        self.areas, self.values, self.missions = reference_lookups()
        self.rows = {row["code"]: row for row in agency_rows()}
        with transaction.atomic():
            self.say("Seeding the demo: people")
            self.ensure_people()
            past = self.ensure_cycle(PAST_CODE, past_cycle_fields())
            current = self.ensure_cycle(current_cycle_code(), current_cycle_fields())
            self.load_balance = Counter()
            self.seed_past(past)
            self.say("Seeding the demo: the public gallery")
            self.seed_gallery(past)
            self.seed_current(current)
        return self.counts

    def say(self, text: str) -> None:
        """One line of progress, shown at once (the seeding takes a while)."""
        self.out.write(text)
        self.out.flush()

    def progress(self, label: str, done: int, total: int, every: int = 25) -> None:
        """`label: done/total agents` every `every` agents and at the end."""
        if done == total or done % every == 0:
            self.say(f"  {label}: {done}/{total} agents")

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
            plan.agent_roles.set(ChangeAgentRole.objects.filter(code__in=draft.agent_role_codes))
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
