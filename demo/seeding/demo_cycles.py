"""The demo's two cycles: the 2023 history and a current cycle dated around today, how
many plans end in each state, and the per-plan random generators."""

import datetime as dt
import random

from django.utils import timezone

from assessment.enums import DecisionOutcome
from demo.seeding.dates import add_months, at_wita, month_end, wita
from demo.seeding.people import DEMO_SEED
from plans.enums import PlanState

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


def plan_rng(cycle_code: str, key: str) -> random.Random:
    """One generator per plan, so a plan's content does not depend on the others."""
    return random.Random(f"{DEMO_SEED}:{cycle_code}:{key}")  # noqa: S311 - demo data


def past_cycle_fields() -> dict:
    """The 2023 cycle as it ran in Kalimantan Timur."""
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
        "reporting_months": 3,  # quarterly progress reports
        "reviewers_per_plan": 2,
        "reviewer_anonymity": True,
        "head_endorsement_required": False,
        "min_activities": 3,
        "min_targets": 2,
    }


def current_cycle_fields() -> dict:
    """A cycle of this year: drafting open for a month, the deadline in two weeks."""
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
