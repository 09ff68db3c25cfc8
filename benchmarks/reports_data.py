"""The reports benchmark's data: its cycle of submitted, reviewed and mostly decided plans
(`build_cycle`), at the full size or the smoke size (see bench_reports)."""

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

REVIEWS_PER_PLAN = 3
WEIGHTS = (15, 20, 20, 15, 15, 15)


@dataclass(frozen=True)
class Size:
    code: str  # the cycle's code
    prefix: str  # of the usernames, agency codes and names
    plans: int
    agencies: int
    reviewers: int
    nip_month: int  # NIPs are unique: each size's appointments fall in its own month


FULL = Size("bench-reports", "bench", 155, 50, 10, 3)
SMOKE = Size("bench-reports-smoke", "bench-smoke", 3, 2, REVIEWS_PER_PLAN, 6)


def build_cycle(size: Size = FULL):
    """The benchmark's cycle; built on the first run (about a minute), reused afterwards."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from agencies.enums import AgencyKind
    from agencies.models import Agency
    from agents.enums import PangkatGolongan, Role
    from agents.models import Agent, RoleGrant, User
    from agents.validators import generate_nip
    from assessment import scoring
    from assessment.enums import DecisionOutcome, ReviewState
    from assessment.models import (
        Criterion,
        CriterionLevel,
        CriterionScore,
        Decision,
        Review,
        ReviewAssignment,
        Rubric,
    )
    from plans.enums import ChangeKind, PlanState
    from plans.models import (
        ActionPlan,
        Activity,
        ChangeArea,
        CoreValue,
        Cycle,
        PlanVersion,
        Target,
    )
    from plans.sections import text_field_names
    from plans.services.content import snapshot_plan

    existing = Cycle.objects.filter(code=size.code).first()
    if existing is not None and existing.plans.count() == size.plans:
        return existing
    if existing is not None:
        raise SystemExit(f"cycle {size.code} exists but is incomplete: use a fresh database")

    rng = random.Random(5)  # noqa: S311 — benchmark data, not secrets
    tz = timezone.get_current_timezone()
    nip_seq = iter(range(1, 10_000))

    def nip():
        n = next(nip_seq)
        return generate_nip(
            birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=n * 7),
            appointment_month=dt.date(1995 + n % 20, size.nip_month, 1),
            gender="L" if n % 2 else "P",
            sequence=n % 999 + 1,
        )

    def person(username, name, agency=None, pangkat=PangkatGolongan.III_C):
        return User(
            username=username,
            name=name,
            email=f"{username}@{size.prefix}.example.go.id",
            nip=nip(),
            jabatan="Analis Kebijakan Ahli Muda",
            pangkat_golongan=pangkat,
            agency=agency,
            password="!",  # unusable
        )

    with transaction.atomic():
        areas = [
            ChangeArea.objects.get_or_create(code=f"B{i}", defaults={"name": name, "order": i})[0]
            for i, name in enumerate(
                [
                    "Manajemen Perubahan",
                    "Penataan Tatalaksana",
                    "Penataan SDM Aparatur",
                    "Penguatan Akuntabilitas",
                    "Peningkatan Kualitas Pelayanan Publik",
                ]
            )
        ]
        values = [
            CoreValue.objects.get_or_create(code=f"V{i}", defaults={"name": name, "order": i})[0]
            for i, name in enumerate(
                ["Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal"]
            )
        ]
        agencies = Agency.objects.bulk_create(
            Agency(
                code=f"{size.prefix.upper()}-{i:02d}",
                name=f"Dinas Pembanding {i:02d} Provinsi Kalimantan Timur"
                + ("" if size == FULL else f" ({size.prefix})"),
                abbreviation=f"DP{i:02d}",
                kind=AgencyKind.DINAS,
            )
            for i in range(size.agencies)
        )
        heads = User.objects.bulk_create(
            person(
                f"{size.prefix}-head-{i}", f"Dr. Kepala Dinas {i}, M.Si.", a, PangkatGolongan.IV_C
            )
            for i, a in enumerate(agencies)
        )
        RoleGrant.objects.bulk_create(
            RoleGrant(user=h, role=Role.AGENCY_HEAD, agency=a)
            for h, a in zip(heads, agencies, strict=True)
        )
        reviewers = User.objects.bulk_create(
            person(f"{size.prefix}-reviewer-{i}", f"Reviewer Pembanding {i}, S.Sos.")
            for i in range(size.reviewers)
        )
        RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.REVIEWER) for u in reviewers)
        coordinator = person(f"{size.prefix}-coordinator", "Koordinator Pembanding")
        coordinator.save()
        RoleGrant.objects.create(user=coordinator, role=Role.COORDINATOR)
        agent_users = User.objects.bulk_create(
            person(
                f"{size.prefix}-agent-{i}",
                f"Agen Pembanding {i}, S.E.",
                agencies[i % size.agencies],
            )
            for i in range(size.plans)
        )
        agents = Agent.objects.bulk_create(
            Agent(user=u, agency=u.agency, sk_number=f"800/{i}/{size.prefix.upper()}")
            for i, u in enumerate(agent_users)
        )
        now = timezone.now()
        cycle = Cycle.objects.create(
            name="Assessment Agen Perubahan (pembanding)",
            code=size.code,
            year=2027,
            drafting_opens=now - dt.timedelta(days=120),
            submission_deadline=now - dt.timedelta(days=90),
            review_starts=(now - dt.timedelta(days=89)).date(),
            review_ends=(now - dt.timedelta(days=60)).date(),
            decision_date=(now - dt.timedelta(days=50)).date(),
            implementation_start=dt.date(2027, 1, 1),
            implementation_end=dt.date(2027, 12, 1),
            reviewers_per_plan=REVIEWS_PER_PLAN,
        )
        rubric = Rubric.objects.create(name="Instrumen pembanding", cycle=cycle)
        criteria = Criterion.objects.bulk_create(
            Criterion(
                rubric=rubric,
                code=f"K{i + 1}",
                name=f"Kriteria penilaian {i + 1}",
                weight=w,
                order=i,
            )
            for i, w in enumerate(WEIGHTS)
        )
        CriterionLevel.objects.bulk_create(
            CriterionLevel(criterion=c, level=level, descriptor=f"Deskripsi tingkat {level}")
            for c in criteria
            for level in range(1, 6)
        )
        text = (
            "Uraian yang cukup panjang agar dokumen menyerupai rencana sebenarnya: data dasar, "
            "akar masalah, dan langkah perubahan yang terukur bagi perangkat daerah. "
        ) * 3
        plans = ActionPlan.objects.bulk_create(
            ActionPlan(
                cycle=cycle,
                agency=agent.agency,
                owner=agent,
                title=f"Layanan daring terpadu nomor {i + 1} untuk masyarakat",
                state=PlanState.SUBMITTED,
                change_kind=ChangeKind.DIGITALISATION,
                submitted_at=now - dt.timedelta(days=95),
                **dict.fromkeys(text_field_names(), text),
            )
            for i, agent in enumerate(agents)
        )
        Activity.objects.bulk_create(
            Activity(
                plan=p,
                order=j,
                title=f"Tahap {j + 1}: pelaksanaan kegiatan perubahan",
                output="Dokumen dan laporan",
                start_month=dt.date(2027, 1 + j, 1),
                end_month=dt.date(2027, min(12, 2 + j), 1),
                responsible="Sekretaris",
                budget=Decimal(5_000_000 + 250_000 * j),
            )
            for p in plans
            for j in range(10)
        )
        Target.objects.bulk_create(
            Target(
                plan=p,
                order=j,
                indicator=f"Indikator kinerja {j + 1}",
                unit="%",
                baseline=Decimal("35.5"),
                target_value=Decimal("85"),
                due_date=dt.date(2027, 12, 31),
                verification="Laporan bulanan",
            )
            for p in plans
            for j in range(5)
        )
        for p in plans:
            p.change_areas.add(*rng.sample(areas, 2))
            p.core_values.add(*rng.sample(values, 3))
        submitted_at = dt.datetime(2027, 2, 21, 10, tzinfo=tz)
        versions = [
            # bulk_create skips PlanVersion.save(), which fills in the plan's cycle.
            PlanVersion(
                plan=p,
                cycle_id=p.cycle_id,
                number=1,
                snapshot=snapshot_plan(p),
                created_by=p.owner.user,
            )
            for p in ActionPlan.objects.filter(cycle=cycle).select_related(
                "cycle", "agency", "owner__user", "governor_mission"
            )
        ]
        versions = PlanVersion.objects.bulk_create(versions)
        PlanVersion.objects.filter(pk__in=[v.pk for v in versions]).update(created_at=submitted_at)
        weights = {c.code: c.weight for c in criteria}
        plan_updates, decisions = [], []
        for index, version in enumerate(versions):
            plan = version.plan
            chosen = rng.sample(reviewers, REVIEWS_PER_PLAN)
            assignments = ReviewAssignment.objects.bulk_create(
                ReviewAssignment(
                    plan=plan, reviewer=r, assigned_by=coordinator, due_date=cycle.review_ends
                )
                for r in chosen
            )
            pairs = []
            for assignment in assignments:
                levels = {c.code: rng.randint(2, 5) for c in criteria}
                total = scoring.review_total(weights, levels)
                review = Review.objects.create(
                    assignment=assignment,
                    version=version,
                    state=ReviewState.SUBMITTED,
                    overall_feedback="Masukan umum reviewer untuk agen perubahan. " * 3,
                    total=total,
                    submitted_at=now - dt.timedelta(days=70),
                )
                CriterionScore.objects.bulk_create(
                    CriterionScore(
                        review=review,
                        criterion=c,
                        level=levels[c.code],
                        comment=f"Komentar untuk {c.name.lower()}: perlu data yang lebih tajam.",
                    )
                    for c in criteria
                )
                pairs.append((total, levels))
            plan.score = scoring.plan_score([t for t, _ in pairs])
            plan.review_flagged = scoring.disagreement(
                pairs, levels=cycle.disagreement_levels, points=cycle.disagreement_points
            )
            decided = index % 5 != 0
            plan.state = PlanState.APPROVED if decided else PlanState.REVIEWED
            plan_updates.append(plan)
            if decided:
                decisions.append(
                    Decision(
                        plan=plan,
                        version=version,
                        outcome=DecisionOutcome.APPROVE,
                        feedback="Rencana layak dilaksanakan.",
                        score=plan.score,
                        decided_by=coordinator,
                    )
                )
        ActionPlan.objects.bulk_update(plan_updates, ["score", "review_flagged", "state"])
        Decision.objects.bulk_create(decisions)
        # Bulk writes send no signals: the figures kept per cycle (reviewers, criteria, the
        # dashboard's rows per agency) are computed once, as seed_scale does.
        call_command("rebuild_tallies", "--cycle", cycle.code, stdout=io.StringIO())
    return cycle
