"""`ScaleGenerator`: the end state of a whole national cycle written with bulk inserts
(see `seed_scale` for why not through the services)."""

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from django.db import reset_queries
from django.utils import timezone

from agencies.models import Agency
from agents.enums import Role
from agents.models import Agent, RoleGrant, User
from assessment import scoring
from assessment.enums import ReviewState
from assessment.models import (
    CriterionScore,
    Decision,
    Review,
    ReviewAssignment,
    SelfAssessment,
)
from assessment.services.cycle import copy_rubric
from demo.seeding.content import (
    DECISION_FEEDBACK,
    comment_for,
    overall_feedback_for,
    plan_content,
    quality_range,
)
from demo.seeding.dates import wita
from demo.seeding.lookups import (
    default_rubric,
    reference_lookups,
)
from demo.seeding.people import SCALE_SEQUENCES, PeopleFactory, password_hash
from demo.seeding.scale_monitoring import ScaleMonitoring
from demo.seeding.scale_own import ScaleSelfAssessments
from demo.seeding.scale_setup import OUTCOME, STATE_SHARES, UNITS, split_by_shares, user_prefix
from plans.enums import PlanState
from plans.models import (
    ActionPlan,
    Activity,
    Cycle,
    PlanVersion,
    Target,
    TargetProgress,
)
from plans.sections import freeze_content
from plans.services.alignment import alignment_key

REVIEWED_ONCE = frozenset(PlanState.SUBMITTED_ONCE) - {PlanState.SUBMITTED}


class ScaleGenerator(ScaleMonitoring, ScaleSelfAssessments):
    # The large tables it writes, analysed before the tallies are computed over them.
    ANALYSED = (
        ActionPlan,
        Activity,
        Target,
        PlanVersion,
        ReviewAssignment,
        Review,
        CriterionScore,
        Decision,
        SelfAssessment,
        TargetProgress,
        *ScaleMonitoring.MONITORING_TABLES,
    )

    def __init__(self, *, code, year, n_plans, n_agencies, seed, batch_size, log):
        self.code = code
        self.year = year
        self.n_plans = n_plans
        self.n_agencies = n_agencies
        self.batch = batch_size
        self.log = log
        self.rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
        # The teams' own scores draw from their own sequence, so that the rest of the
        # data set is the same with them as it was before they were generated.
        self.own_rng = random.Random(seed + 1)  # noqa: S311 - benchmark data
        self.prefix = user_prefix(code)
        self.counts: Counter = Counter()
        self.hash = password_hash()

    def run(self) -> Counter:
        self.areas, self.values, self.missions = reference_lookups()
        self.cycle = self.create_cycle()
        self.criteria = list(self.cycle.rubric.criteria.all())
        self.weights = {c.code: c.weight for c in self.criteria}
        self.agencies = self.ensure_agencies()
        before = min(dt.date(self.year, 1, 1), timezone.localdate())
        taken = set(User.objects.exclude(nip=None).values_list("nip", flat=True))
        self.people = PeopleFactory(self.rng, sequences=SCALE_SEQUENCES, taken=taken)
        self.before = before
        self.create_staff()
        states = [
            s for s, n in split_by_shares(self.n_plans, STATE_SHARES).items() for _ in range(n)
        ]
        self.rng.shuffle(states)
        # Every agency gets a plan; the rest go to agencies of uneven size.
        weights = [self.rng.lognormvariate(0, 0.6) for _ in self.agencies]
        owners = list(range(len(self.agencies)))[: self.n_plans]
        owners += self.rng.choices(
            range(len(self.agencies)), weights=weights, k=self.n_plans - len(owners)
        )
        self.rng.shuffle(owners)
        for start in range(0, self.n_plans, self.batch):
            stop = min(self.n_plans, start + self.batch)
            self.write_chunk(range(start, stop), states[start:stop], owners[start:stop])
            reset_queries()  # with DEBUG on, Django keeps every INSERT's SQL in memory
            self.log(f"  {stop:,} / {self.n_plans:,} plans")
        return self.counts

    # --- Cycle, agencies, staff --------------------------------------------------------

    def create_cycle(self) -> Cycle:
        y = self.year
        cycle = Cycle.objects.create(
            code=self.code,
            name=f"Assessment Agen Perubahan Nasional {y}",
            year=y,
            description="Data sintetis skala nasional untuk uji kinerja (seed_scale).",
            drafting_opens=wita(y, 1, 16, 8, 0),
            submission_deadline=wita(y, 3, 10, 23, 59),
            review_starts=dt.date(y, 3, 13),
            review_ends=dt.date(y, 3, 31),
            decision_date=dt.date(y, 4, 7),
            implementation_start=dt.date(y, 4, 1),
            implementation_end=dt.date(y, 12, 31),
            reviewers_per_plan=2,
        )
        copy_rubric(default_rubric(), cycle)
        return cycle

    def ensure_agencies(self) -> list[dict]:
        rows = []
        for number in range(1, self.n_agencies + 1):
            kind, unit, abbreviation = UNITS[(number - 1) % len(UNITS)]
            rows.append(
                {
                    "code": f"NAS-{number:04d}",
                    "name": f"{unit} Daerah Uji {number:04d}",
                    "abbreviation": f"{abbreviation} DU-{number:04d}",
                    "kind": kind,
                }
            )
        existing = dict(
            Agency.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "pk")
        )
        new = [Agency(**row) for row in rows if row["code"] not in existing]
        Agency.objects.bulk_create(new, batch_size=self.batch)
        self.counts["agencies created"] = len(new)
        ids = dict(
            Agency.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "pk")
        )
        for row in rows:
            row["id"] = ids[row["code"]]
        return rows

    def new_user(self, person, agency_id=None) -> User:
        return User(
            username=person.username,
            name=person.name,
            nip=person.nip,
            email=person.email,
            jabatan=person.jabatan,
            pangkat_golongan=person.pangkat,
            agency_id=agency_id,
            password=self.hash,
        )

    def create_staff(self) -> None:
        """The cycle's coordinator and its reviewers (about one per 500 plans, at least 10)."""
        people = [
            self.people.person(
                username=f"{self.prefix}koordinator",
                role=Role.COORDINATOR,
                agency_code=None,
                before=self.before,
                unique_name=False,
            )
        ]
        n_reviewers = max(10, self.n_plans // 500)
        people += [
            self.people.person(
                username=f"{self.prefix}reviewer{n:04d}",
                role=Role.REVIEWER,
                agency_code=None,
                before=self.before,
                unique_name=False,
            )
            for n in range(1, n_reviewers + 1)
        ]
        users = User.objects.bulk_create([self.new_user(p) for p in people], batch_size=self.batch)
        RoleGrant.objects.bulk_create(
            RoleGrant(user=user, role=person.role)
            for user, person in zip(users, people, strict=True)
        )
        self.coordinator, self.reviewers = users[0], users[1:]
        self.counts["users"] += len(users)

    # --- Plans -------------------------------------------------------------------------

    def write_chunk(self, numbers: range, states: list[str], owners: list[int]) -> None:
        rng, cycle = self.rng, self.cycle
        window = (cycle.implementation_start, cycle.implementation_end)
        period = "RPJMD 2025–2029" if self.year >= 2025 else "RPJMD 2019–2023"
        people = [
            self.people.person(
                username=f"{self.prefix}agen{n + 1:06d}",
                role=Role.AGENT,
                agency_code=None,
                before=self.before,
                unique_name=False,
            )
            for n in numbers
        ]
        agencies = [self.agencies[i] for i in owners]
        users = User.objects.bulk_create(
            [self.new_user(p, a["id"]) for p, a in zip(people, agencies, strict=True)],
            batch_size=self.batch,
        )
        agents = Agent.objects.bulk_create(
            [
                Agent(
                    user=user,
                    agency_id=agency["id"],
                    sk_number=f"800/{rng.randint(100, 999)}/{agency['code']}/{self.year}",
                    sk_date=dt.date(self.year, 1, rng.randint(2, 13)),
                )
                for user, agency in zip(users, agencies, strict=True)
            ],
            batch_size=self.batch,
        )
        drafts = [
            plan_content(
                rng,
                agency=agency,
                window=window,
                year=self.year,
                mission_period=period,
                n_targets=5,
                n_activities=rng.randint(3, 5),
            )
            for agency in agencies
        ]
        reviews = [
            self.plan_reviews(state, number) for state, number in zip(states, numbers, strict=True)
        ]
        plans = []
        for index, (draft, state) in enumerate(zip(drafts, states, strict=True)):
            done = [s["review"] for s in reviews[index] if s["review"] and s["review"]["submitted"]]
            totals = [r["total"] for r in done]
            pairs = [(r["total"], r["levels"]) for r in done]
            mission = self.missions.get((period, draft.mission_number))
            plans.append(
                ActionPlan(
                    cycle=cycle,
                    agency_id=agencies[index]["id"],
                    owner=agents[index],
                    state=state,
                    title=draft.title,
                    governor_mission=mission,
                    submitted_at=self.submitted_at(state),
                    decided_at=(
                        wita(self.year, 4, rng.randint(3, 7), rng.randint(9, 16))
                        if state in OUTCOME
                        else None
                    ),
                    # Its decision (write_reviews) judges its one version.
                    decided_version_number=1 if state in OUTCOME else None,
                    score=scoring.plan_score(totals, cycle.score_method),
                    review_flagged=scoring.disagreement(
                        pairs,
                        levels=cycle.disagreement_levels,
                        points=cycle.disagreement_points,
                    ),
                    # The links are bulk-inserted below (no m2m signal): their ids here.
                    area_ids=alignment_key(self.areas[c].pk for c in draft.change_area_codes),
                    value_ids=alignment_key(self.values[c].pk for c in draft.core_value_codes),
                    **draft.fields,
                )
            )
        plans = ActionPlan.objects.bulk_create(plans, batch_size=self.batch)
        self.counts["users"] += len(users)
        self.counts["agents"] += len(agents)
        self.counts["plans"] += len(plans)
        self.write_alignment(plans, drafts)
        targets, activities = self.write_parts(plans, drafts)
        versions = self.write_versions(plans, drafts, people, agencies)
        self.write_reviews(plans, reviews, versions)
        self.write_self_assessments(plans, reviews, users)
        self.write_progress(plans, targets, users)
        self.write_monitoring(plans, targets, activities, users)

    def submitted_at(self, state: str) -> dt.datetime | None:
        if state not in PlanState.SUBMITTED_ONCE:
            return None
        start = wita(self.year, 2, 1, 8)
        return start + dt.timedelta(minutes=self.rng.randint(0, 37 * 24 * 60))

    def plan_reviews(self, state: str, number: int) -> list[dict]:
        """The two assignments of a reviewed plan, in memory, each with its review or None.

        A review is a dict of levels (criterion code -> 1..5), total, submitted, mean.
        """
        if state not in REVIEWED_ONCE:
            return []
        rng = self.rng
        low, high = quality_range(state)
        quality = rng.uniform(low, high)
        slots = []
        for slot in range(2):
            reviewer = self.reviewers[(2 * number + slot) % len(self.reviewers)]
            bias = rng.uniform(-0.25, 0.25)
            levels = {
                c.code: max(1, min(5, round(quality + bias + rng.gauss(0, 0.3))))
                for c in self.criteria
            }
            submitted = state != PlanState.IN_REVIEW or slot == 0
            review = None
            if submitted or rng.random() < 0.5:  # else: the second one has not started
                if not submitted:
                    levels = dict(list(levels.items())[:3])
                review = {
                    "levels": levels,
                    "submitted": submitted,
                    "total": scoring.review_total(self.weights, levels) if submitted else None,
                    "mean": sum(levels.values()) / len(levels),
                }
            slots.append({"reviewer": reviewer, "review": review})
        return slots

    def write_alignment(self, plans: list[ActionPlan], drafts: list) -> None:
        area_through = ActionPlan.change_areas.through
        value_through = ActionPlan.core_values.through
        areas = [
            area_through(actionplan_id=plan.pk, changearea_id=self.areas[code].pk)
            for plan, draft in zip(plans, drafts, strict=True)
            for code in draft.change_area_codes
        ]
        values = [
            value_through(actionplan_id=plan.pk, corevalue_id=self.values[code].pk)
            for plan, draft in zip(plans, drafts, strict=True)
            for code in draft.core_value_codes
        ]
        area_through.objects.bulk_create(areas, batch_size=self.batch)
        value_through.objects.bulk_create(values, batch_size=self.batch)
        self.counts["plan change areas"] += len(areas)
        self.counts["plan core values"] += len(values)

    def write_parts(self, plans: list[ActionPlan], drafts: list) -> tuple[list, list]:
        activities = [
            Activity(plan_id=plan.pk, **activity)
            for plan, draft in zip(plans, drafts, strict=True)
            for activity in draft.activities
        ]
        targets = [
            Target(plan_id=plan.pk, **target)
            for plan, draft in zip(plans, drafts, strict=True)
            for target in draft.targets
        ]
        activities = Activity.objects.bulk_create(activities, batch_size=self.batch)
        targets = Target.objects.bulk_create(targets, batch_size=self.batch)
        self.counts["activities"] += len(activities)
        self.counts["targets"] += len(targets)
        return targets, activities

    def write_versions(self, plans, drafts, people, agencies) -> dict[int, PlanVersion]:
        """Version 1 of every plan handed in, in the layout of `snapshot_plan`."""
        versions = []
        for plan, draft, person, agency in zip(plans, drafts, people, agencies, strict=True):
            if plan.state not in PlanState.SUBMITTED_ONCE:
                continue
            versions.append(
                PlanVersion(
                    plan=plan,
                    cycle_id=plan.cycle_id,
                    number=1,
                    snapshot=self.snapshot(plan, draft, person, agency),
                    created_by_id=plan.owner.user_id,
                )
            )
        versions = PlanVersion.objects.bulk_create(versions, batch_size=self.batch)
        self.counts["plan versions"] += len(versions)
        return {version.plan_id: version for version in versions}

    def snapshot(self, plan, draft, person, agency) -> dict:
        related = {
            "change_areas": [self.areas[code] for code in draft.change_area_codes],
            "core_values": [self.values[code] for code in draft.core_value_codes],
            "activities": draft.activities,
            "targets": draft.targets,
        }
        return {
            "schema": 1,
            "lock_version": 1,
            "cycle": {"id": self.cycle.pk, "name": self.cycle.name},
            "agency": {"id": agency["id"], "name": agency["name"]},
            "owner": {"id": plan.owner_id, "name": person.name, "nip": person.nip},
            "co_agents": [],
            **freeze_content(plan, related=related),
            "attachments": [],
        }

    def write_reviews(self, plans, reviews, versions) -> None:
        rng, cycle = self.rng, self.cycle
        assignments, pending = [], []
        for plan, slots in zip(plans, reviews, strict=True):
            for slot in slots:
                assignments.append(
                    ReviewAssignment(
                        plan=plan,
                        reviewer=slot["reviewer"],
                        assigned_by=self.coordinator,
                        due_date=cycle.review_ends,
                    )
                )
                pending.append((plan, slot["review"]))
        assignments = ReviewAssignment.objects.bulk_create(assignments, batch_size=self.batch)
        rows, contents = [], []
        for assignment, (plan, review) in zip(assignments, pending, strict=True):
            if review is None:
                continue
            rows.append(
                Review(
                    assignment_id=assignment.pk,
                    version_id=versions[plan.pk].pk,
                    state=ReviewState.SUBMITTED if review["submitted"] else ReviewState.DRAFT,
                    overall_feedback=overall_feedback_for(review["mean"]),
                    total=review["total"],
                    submitted_at=(
                        wita(self.year, 3, rng.randint(14, 29), rng.randint(8, 17))
                        if review["submitted"]
                        else None
                    ),
                )
            )
            contents.append(review["levels"])
        rows = Review.objects.bulk_create(rows, batch_size=self.batch)
        criteria = {c.code: c for c in self.criteria}
        scores = [
            CriterionScore(
                review_id=review.pk,
                criterion_id=criteria[code].pk,
                level=level,
                comment=comment_for(code, level),
            )
            for review, levels in zip(rows, contents, strict=True)
            for code, level in levels.items()
        ]
        CriterionScore.objects.bulk_create(scores, batch_size=self.batch)
        decisions = [
            Decision(
                plan=plan,
                version=versions[plan.pk],
                outcome=OUTCOME[plan.state],
                feedback=DECISION_FEEDBACK[OUTCOME[plan.state]],
                score=plan.score,
                decided_by=self.coordinator,
            )
            for plan in plans
            if plan.state in OUTCOME
        ]
        Decision.objects.bulk_create(decisions, batch_size=self.batch)
        self.counts["review assignments"] += len(assignments)
        self.counts["reviews"] += len(rows)
        self.counts["criterion scores"] += len(scores)
        self.counts["decisions"] += len(decisions)

    def write_progress(self, plans, targets, users) -> None:
        """One progress report per target of the plans being (or done) implemented."""
        owner_user = {plan.pk: user.pk for plan, user in zip(plans, users, strict=True)}
        states = {plan.pk: plan.state for plan in plans}
        day = dt.date(self.year, 9, 30)
        rows = []
        for target in targets:
            state = states[target.plan_id]
            if state not in (PlanState.IMPLEMENTING, PlanState.COMPLETED):
                continue
            share = Decimal("1.0") if state == PlanState.COMPLETED else Decimal("0.6")
            share *= Decimal(self.rng.uniform(0.75, 1.1)).quantize(Decimal("0.01"))
            value = target.baseline + (target.target_value - target.baseline) * share
            rows.append(
                TargetProgress(
                    target_id=target.pk,
                    reported_on=day,
                    value=max(value.quantize(Decimal("0.01")), Decimal(0)),
                    reported_by_id=owner_user[target.plan_id],
                )
            )
        TargetProgress.objects.bulk_create(rows, batch_size=self.batch)
        self.counts["target progress reports"] += len(rows)
