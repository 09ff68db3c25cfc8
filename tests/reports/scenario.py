"""Data for the report tests: a plan taken through the real workflow (submitted, scored by
two reviewers, decided), with the people its documents print. Used by test_pdf, test_jobs,
test_xlsx and the integration tests."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from agencies.models import Agency
from agents.enums import PangkatGolongan, Role
from agents.models import User
from assessment.enums import DecisionOutcome
from assessment.models import Criterion
from assessment.services import assign_reviewers, decide_plan, save_review, submit_review
from plans.models import ActionPlan, Activity, ChangeArea, CoreValue, Cycle, Target
from plans.services.workflow import submit_plan
from tests.factories import (
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    add_rubric,
    complete_plan_content,
    user_with_role,
)

# Levels per criterion (K1..K6, weights 15/20/20/15/15/15) of the two reviews.
LEVELS_A = {"K1": 4, "K2": 5, "K3": 4, "K4": 3, "K5": 4, "K6": 4}  # total 76.25
LEVELS_B = {"K1": 3, "K2": 4, "K3": 4, "K4": 3, "K5": 3, "K6": 2}  # total 56.25
TOTAL_A = Decimal("76.25")
TOTAL_B = Decimal("56.25")
PLAN_SCORE = Decimal("66.25")
AGENCY_NAME = "Dinas Penanaman Modal dan PTSP"


@dataclass
class Scenario:
    cycle: Cycle
    plan: ActionPlan
    agent: User
    head: User
    coordinator: User
    reviewers: list[User]


def detailed_plan(cycle: Cycle, *, agency=None, title: str, activities: int = 10, targets: int = 5):
    if agency is None:
        agency = Agency.objects.filter(name=AGENCY_NAME).first() or AgencyFactory(
            name=AGENCY_NAME, abbreviation="DPMPTSP"
        )
    agent = AgentFactory(
        user__agency=agency,
        user__name="Rina Marlina, S.Kom., M.M.",
        user__jabatan="Analis Perizinan Ahli Muda",
    )
    plan = PlanFactory(cycle=cycle, owner=agent, agency=agency, title=title)
    complete_plan_content(plan)
    plan.activities.all().delete()
    plan.targets.all().delete()
    start = cycle.implementation_start
    for i in range(activities):
        month = (start.month - 1 + i % 6) % 12 + 1
        year = start.year + (start.month - 1 + i % 6) // 12
        first = dt.date(year, month, 1)
        Activity.objects.create(
            plan=plan,
            order=i,
            title=f"Tahap {i + 1}: penyusunan SOP layanan izin daring",
            output=f"Dokumen keluaran {i + 1}",
            start_month=first,
            end_month=first,
            responsible="Sekretaris Dinas",
            budget=Decimal("2500000") * (i + 1),
        )
    for i in range(targets):
        Target.objects.create(
            plan=plan,
            order=i,
            indicator=f"Persentase izin terbit tepat waktu {i + 1}",
            unit="%",
            baseline=Decimal("40.5"),
            target_value=Decimal("90"),
            due_date=cycle.implementation_end,
            verification="Laporan bulanan SiCantik",
        )
    plan.strategic_issue = "Waktu layanan perizinan rata-rata 14 hari."
    plan.save()
    return plan


def reviewed_plan(*, anonymous: bool = True, decide: bool = True) -> Scenario:
    cycle = CycleFactory(name="Assessment Agen Perubahan 2026", reviewer_anonymity=anonymous)
    add_rubric(cycle)
    Criterion.objects.filter(rubric__cycle=cycle, code="K1").update(
        name="Kejelasan masalah dan data dasar"
    )
    ChangeArea.objects.get_or_create(code="TL", defaults={"name": "Penataan Tatalaksana"})
    CoreValue.objects.get_or_create(code="B", defaults={"name": "Berorientasi Pelayanan"})
    plan = detailed_plan(cycle, title="Layanan perizinan daring satu pintu")
    agent = plan.owner.user
    head = user_with_role(
        Role.AGENCY_HEAD,
        agency=plan.agency,
        name="Dr. H. Ahmad Fauzi, S.E., M.Si.",
        nip="197001011995031002",
        pangkat_golongan=PangkatGolongan.IV_C,
    )
    coordinator = user_with_role(Role.COORDINATOR, name="Koordinator Biro")
    reviewers = [
        user_with_role(Role.REVIEWER, name="Budi Santoso, S.Sos."),
        user_with_role(Role.REVIEWER, name="Citra Lestari, S.T."),
    ]
    submit_plan(plan, by=agent)
    assign_reviewers(plan, reviewers=reviewers, by=coordinator)
    for reviewer, levels in zip(reviewers, (LEVELS_A, LEVELS_B), strict=True):
        assignment = plan.assignments.get(reviewer=reviewer)
        review = save_review(
            assignment,
            levels={
                code: (level, f"Komentar {code} dari {reviewer.name}")
                for code, level in levels.items()
            },
            overall_feedback=f"Masukan umum dari {reviewer.name}.",
            confidential_note="RAHASIA-KOORDINATOR",
            by=reviewer,
        )
        submit_review(review, by=reviewer)
    if decide:
        decide_plan(
            plan,
            outcome=DecisionOutcome.APPROVE,
            feedback="Rencana layak dilaksanakan dengan penguatan target.",
            by=coordinator,
        )
    plan.refresh_from_db()
    return Scenario(cycle, plan, agent, head, coordinator, reviewers)
