"""How the demo's plans come to be where they are: the 2023 history (every state, with
reviews, decisions, progress reports and mentoring) and the current cycle (mostly drafts).
Mixed into `DemoSeeder`, whose people, typing and reviewing they use."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from agents.models import User
from agents.services import record_activity
from assessment.enums import DecisionOutcome
from assessment.services import decide_plan
from demo.seeding.content import (
    DECISION_FEEDBACK,
    plan_content,
    quality_range,
)
from demo.seeding.dates import WITA, wita
from demo.seeding.demo_cycles import (
    CURRENT_PERIOD,
    CURRENT_PLANS_SHARE,
    CURRENT_SUBMITTED_SHARE,
    OUTCOME,
    PAST_PERIOD,
    PAST_STATES,
    plan_rng,
)
from demo.seeding.people import DEMO_SEED
from demo.seeding.similar import similar_sides_in_order, with_side
from plans.enums import PlanSection, PlanState
from plans.models import (
    ActionPlan,
    Comment,
    CommentThread,
    Cycle,
)
from plans.services.common import PlanError
from plans.services.content import create_plan
from plans.services.workflow import (
    endorse_plan,
    grant_extension,
    start_implementation,
    submit_plan,
    withdraw_plan,
)


class DemoPlays:
    """The stories of the plans, played through the services as their people would."""

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
        label = f"{cycle.name}: plans, reviews and decisions"
        scenarios = zip(self.agents, self.past_scenarios(), strict=True)
        for index, (user, state) in enumerate(scenarios, start=1):
            if user.pk not in done:
                with transaction.atomic():
                    self.play_past(cycle, user, state)
                created += 1
            self.progress(label, index, len(self.agents))
        self.counts["plans created (2023)"] = created

    def known_similar(self, draft, agent):
        """The first past plans carry the labelled similar innovations
        (demo/seeding/similar_pairs.yaml), the two sides of a pair in different agencies:
        reworded near-duplicates that the similar-innovations lists find."""
        queue = getattr(self, "_similar_queue", None)
        if queue is None:
            queue = self._similar_queue = similar_sides_in_order()
            self._similar_agency = None
        if not queue or agent.user.username == "agen":
            return draft
        second = len(queue) % 2 == 1
        if second and agent.agency_id == self._similar_agency:
            return draft
        self._similar_agency = agent.agency_id
        return with_side(draft, queue.pop(0))

    def play_past(self, cycle: Cycle, user: User, state: str) -> None:
        rng = plan_rng(cycle.code, user.username)
        agent = user.agent_profile
        row = self.rows[agent.agency.code]
        draft = plan_content(
            rng,
            agency=row,
            window=(cycle.implementation_start, cycle.implementation_end),
            year=cycle.year,
            mission_period=PAST_PERIOD,
        )
        draft = self.known_similar(draft, agent)
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
        self.play_implementation(plan, user, state, rng)

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
        label = f"{cycle.name}: drafts"
        for index, user in enumerate(self.agents, start=1):
            if user.pk not in done and self.take_part_current(cycle, user, now):
                created += 1
            self.progress(label, index, len(self.agents))
        self.counts["plans created (current cycle)"] = created

    def take_part_current(self, cycle: Cycle, user: User, now: dt.datetime) -> bool:
        """Whether this agent drafts a plan in the current cycle (and it was written)."""
        rng = plan_rng(cycle.code, user.username)
        if not (user.username == "agen" or rng.random() < CURRENT_PLANS_SHARE):
            return False
        try:
            with transaction.atomic():
                self.play_current(cycle, user, rng, now)
        except PlanError as error:  # e.g. a later run after drafting closed
            self.out.write(self.style.WARNING(f"{user.username}: {error}"))
            return False
        return True

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
