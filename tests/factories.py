"""factory_boy factories: plain rows with no surprising behaviour.

`complete_plan_content` fills every section so that the plan passes the checklist; the
workflow fixtures in tests/conftest.py move plans through the services. A plan made in a
state past `draft` comes with the version that its submission would have frozen.
"""

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from agencies.enums import AgencyKind
from agencies.models import Agency
from agents.enums import PangkatGolongan, Role
from agents.models import Agent, RoleGrant, User
from agents.validators import generate_nip
from assessment.enums import ReviewState
from assessment.models import (
    Criterion,
    CriterionLevel,
    CriterionScore,
    Review,
    ReviewAssignment,
    Rubric,
)
from plans import sections
from plans.enums import ChangeKind, PlanState
from plans.field_kinds import TEXT
from plans.models import (
    ActionPlan,
    Activity,
    ChangeArea,
    Comment,
    CommentThread,
    CoreValue,
    Cycle,
    PlanVersion,
    Target,
)
from plans.services.content import snapshot_plan

WITA = ZoneInfo("Asia/Makassar")


def wita(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"OPD-{n:04d}")
    name = factory.Sequence(lambda n: f"Dinas Contoh {n} Provinsi Kalimantan Timur")
    abbreviation = factory.Sequence(lambda n: f"Dinas {n}")
    kind = AgencyKind.DINAS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"Pengguna {n}, S.E.")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.go.id")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password("rahasia-123")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    user = factory.SubFactory(
        UserFactory,
        nip=factory.Sequence(
            lambda n: generate_nip(
                birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=n % 3000),
                appointment_month=dt.date(2005, 3, 1),
                gender="L" if n % 2 else "P",
                sequence=n % 999 + 1,
            )
        ),
        jabatan="Analis Kebijakan Ahli Muda",
        pangkat_golongan=PangkatGolongan.III_C,
    )
    agency = factory.LazyAttribute(lambda a: a.user.agency)
    sk_number = factory.Sequence(lambda n: f"800/{n}/BIRO-ORG/2026")


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = Role.REVIEWER


def user_with_role(role: str, **kwargs) -> User:
    """A user holding one role; an agency head's grant names the user's agency."""
    if role == Role.AGENT:
        return AgentFactory(**{f"user__{k}": v for k, v in kwargs.items()}).user
    user = UserFactory(**kwargs)
    RoleGrant.objects.create(
        user=user, role=role, agency=user.agency if role == Role.AGENCY_HEAD else None
    )
    return user


class CycleFactory(factory.django.DjangoModelFactory):
    """A cycle in its drafting phase now: deadline in 14 days."""

    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"Assessment Agen Perubahan Uji {n}")
    code = factory.Sequence(lambda n: f"uji-{n}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    drafting_opens = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    review_starts = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=15))
    review_ends = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=35))
    decision_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=42))
    implementation_start = factory.LazyFunction(
        lambda: (timezone.localdate() + dt.timedelta(days=45)).replace(day=1)
    )
    implementation_end = factory.LazyAttribute(
        lambda c: (c.implementation_start + dt.timedelta(days=200)).replace(day=28)
    )
    reviewers_per_plan = 2
    min_activities = 3
    min_targets = 2


def add_rubric(cycle: Cycle, weights=(15, 20, 20, 15, 15, 15)) -> Rubric:
    rubric = Rubric.objects.create(name=f"Instrumen {cycle.code}", cycle=cycle)
    for i, weight in enumerate(weights):
        criterion = Criterion.objects.create(
            rubric=rubric, code=f"K{i + 1}", name=f"Kriteria {i + 1}", weight=weight, order=i
        )
        CriterionLevel.objects.bulk_create(
            CriterionLevel(criterion=criterion, level=level, descriptor=f"Tingkat {level}")
            for level in range(1, 6)
        )
    return rubric


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan in any state; past `draft` it has been handed in, so it carries the
    version 1 that `submit_plan` would have frozen (and its submission time)."""

    class Meta:
        model = ActionPlan
        skip_postgeneration_save = True

    cycle = factory.SubFactory(CycleFactory)
    owner = factory.SubFactory(AgentFactory)
    agency = factory.LazyAttribute(lambda p: p.owner.agency)
    title = factory.Sequence(lambda n: f"Layanan perizinan daring {n}")

    @factory.post_generation
    def submitted_version(plan, create, extracted, **kwargs):
        if not create or plan.state == PlanState.DRAFT or plan.versions.exists():
            return
        if plan.submitted_at is None:
            plan.submitted_at = timezone.now()
            ActionPlan.objects.filter(pk=plan.pk).update(submitted_at=plan.submitted_at)
        PlanVersion.objects.create(
            plan=plan,
            number=1,
            snapshot=snapshot_plan(plan),
            created_by=plan.owner.user,
            created_at=plan.submitted_at,
        )


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    plan = factory.SubFactory(PlanFactory)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Kegiatan {n}")
    output = "Dokumen"
    start_month = factory.LazyAttribute(lambda a: a.plan.cycle.implementation_start)
    end_month = factory.LazyAttribute(lambda a: a.plan.cycle.implementation_start)
    responsible = "Sekretaris"
    budget = Decimal("1000000")


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    plan = factory.SubFactory(PlanFactory)
    order = factory.Sequence(lambda n: n)
    indicator = factory.Sequence(lambda n: f"Persentase layanan daring {n}")
    unit = "%"
    baseline = Decimal("20")
    target_value = Decimal("80")
    due_date = factory.LazyAttribute(lambda t: t.plan.cycle.implementation_end)
    verification = "Laporan bulanan"


def complete_plan_content(plan: ActionPlan) -> ActionPlan:
    """Fill every section of a plan so that its checklist is complete: each required
    field of the registry (free text as "Isi <field> yang lengkap.", other kinds with
    their kind's example), the digitalisation kind of change, one area, one value."""
    rng = random.Random(plan.pk)
    for _section, spec in sections.required_fields():
        if spec.kind is TEXT:
            setattr(plan, spec.name, f"Isi {spec.name} yang lengkap.")
        elif (value := spec.kind.example(spec, rng)) is not None:
            setattr(plan, spec.name, value)
    plan.change_kind = ChangeKind.DIGITALISATION
    plan.save()
    area, _ = ChangeArea.objects.get_or_create(code="TL", defaults={"name": "Penataan Tatalaksana"})
    value, _ = CoreValue.objects.get_or_create(
        code="B", defaults={"name": "Berorientasi Pelayanan"}
    )
    plan.change_areas.add(area)
    plan.core_values.add(value)
    for _i in range(plan.cycle.min_activities):
        ActivityFactory(plan=plan)
    for _i in range(plan.cycle.min_targets):
        TargetFactory(plan=plan)
    return plan


def thread_with_comments(
    plan: ActionPlan, authors, *, section: str = "problem", body: str = "Komentar", resolved_by=None
) -> CommentThread:
    """A mentoring thread on a plan with one comment by each author, oldest first
    ("<body> 1", "<body> 2", …), resolved by `resolved_by` when given."""
    thread = CommentThread.objects.create(
        plan=plan, section=section, started_by=authors[0] if authors else plan.owner.user
    )
    for i, author in enumerate(authors):
        Comment.objects.create(thread=thread, author=author, body=f"{body} {i + 1}")
    if resolved_by is not None:
        thread.resolved_at = timezone.now()
        thread.resolved_by = resolved_by
        thread.save(update_fields=["resolved_at", "resolved_by"])
    return thread


def scored_review(plan, version, reviewer, coordinator, levels: dict[str, int]) -> Review:
    """A submitted review of the version by a new assignment, with these levels by
    criterion code (rows written directly, not through the services)."""
    assignment = ReviewAssignment.objects.create(
        plan=plan, reviewer=reviewer, assigned_by=coordinator, due_date=dt.date(2026, 3, 1)
    )
    review = Review.objects.create(
        assignment=assignment,
        version=version,
        state=ReviewState.SUBMITTED,
        total=Decimal("50"),
        submitted_at=timezone.now(),
    )
    criteria = {c.code: c for c in Criterion.objects.filter(rubric__cycle=plan.cycle)}
    CriterionScore.objects.bulk_create(
        CriterionScore(review=review, criterion=criteria[code], level=level)
        for code, level in levels.items()
    )
    return review
