"""What a generated national cycle is made of (the share of plans in each state, the
decision behind each decided state, the kinds of synthetic perangkat daerah) and how a
generated cycle is removed again."""

from django.contrib.contenttypes.models import ContentType

from agents.models import ActivityLog, Agent, RoleGrant, User
from assessment.enums import DecisionOutcome
from assessment.models import (
    CriterionScore,
    Decision,
    Review,
    ReviewAssignment,
    Rubric,
    SelfAssessment,
)
from monitoring.models import (
    ActivityProgress,
    ChangeRequest,
    ClosingReport,
    Evidence,
    ProgressReport,
    TargetRealisation,
    TargetValue,
)
from plans.enums import PlanState
from plans.models import (
    ActionPlan,
    Activity,
    Comment,
    CommentThread,
    Cycle,
    PlanVersion,
    Target,
    TargetProgress,
    ThreadReadMarker,
)

# Where the plans of a national cycle stand late in the year.
STATE_SHARES = {
    PlanState.DRAFT: 0.06,
    PlanState.SUBMITTED: 0.04,
    PlanState.IN_REVIEW: 0.06,
    PlanState.REVIEWED: 0.04,
    PlanState.REVISION_REQUESTED: 0.07,
    PlanState.APPROVED: 0.14,
    PlanState.REJECTED: 0.04,
    PlanState.IMPLEMENTING: 0.33,
    PlanState.COMPLETED: 0.22,
}
# The decision that left a plan in each decided state.
OUTCOME = {
    PlanState.REVISION_REQUESTED: DecisionOutcome.REVISE,
    PlanState.REJECTED: DecisionOutcome.REJECT,
    PlanState.APPROVED: DecisionOutcome.APPROVE,
    PlanState.IMPLEMENTING: DecisionOutcome.APPROVE,
    PlanState.COMPLETED: DecisionOutcome.APPROVE,
}
UNITS = [  # (kind, unit, abbreviation) of the synthetic perangkat daerah
    ("dinas", "Dinas Kesehatan", "Dinkes"),
    ("dinas", "Dinas Pendidikan", "Disdik"),
    ("dinas", "Dinas Sosial", "Dinsos"),
    ("dinas", "Dinas Perhubungan", "Dishub"),
    ("dinas", "Dinas Komunikasi dan Informatika", "Diskominfo"),
    ("dinas", "Dinas Penanaman Modal dan PTSP", "DPMPTSP"),
    ("dinas", "Dinas Lingkungan Hidup", "DLH"),
    ("dinas", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("badan", "Badan Kepegawaian Daerah", "BKD"),
    ("badan", "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("badan", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("badan", "Badan Pendapatan Daerah", "Bapenda"),
    ("inspektorat", "Inspektorat Daerah", "Inspektorat"),
    ("sekretariat", "Sekretariat Daerah", "Setda"),
    ("biro", "Bagian Organisasi", "Bag. Organisasi"),
    ("rsud", "Rumah Sakit Umum Daerah", "RSUD"),
    ("satpol", "Satuan Polisi Pamong Praja", "Satpol PP"),
]


def split_by_shares(total: int, shares: dict) -> dict:
    """Largest-remainder split of `total` by `shares`: the counts sum to `total`."""
    raw = {key: total * share for key, share in shares.items()}
    counts = {key: int(value) for key, value in raw.items()}
    rest = total - sum(counts.values())
    for key in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[:rest]:
        counts[key] += 1
    return counts


def _raw_delete(queryset) -> int:
    """One DELETE statement, without loading rows, signals or cascades.

    `QuerySet._raw_delete` is private but long-standing Django API. It is used only for the
    large tables of a generated cycle, deleted bottom-up so that nothing points at them;
    the plans, users and cycle themselves go through the normal collector.
    """
    return queryset._raw_delete(queryset.db)


def user_prefix(code: str) -> str:
    """Every user generated for a cycle has a username starting with this."""
    return f"{code}."


def delete_generated_cycle(cycle: Cycle) -> int:
    """Delete a generated cycle, everything in it, and the users generated for it."""
    plans = ActionPlan.objects.filter(cycle=cycle)
    plan_type = ContentType.objects.get_for_model(ActionPlan)
    ActivityLog.objects.filter(content_type=plan_type, object_id__in=plans.values("pk")).delete()
    for queryset in (
        ThreadReadMarker.objects.filter(thread__plan__cycle=cycle),
        Comment.objects.filter(thread__plan__cycle=cycle),
        CommentThread.objects.filter(plan__cycle=cycle),
        TargetProgress.objects.filter(target__plan__cycle=cycle),
        TargetRealisation.objects.filter(cycle=cycle),
        TargetValue.objects.filter(report__plan__cycle=cycle),
        ActivityProgress.objects.filter(report__plan__cycle=cycle),
        Evidence.objects.filter(report__plan__cycle=cycle),
        ProgressReport.objects.filter(plan__cycle=cycle),
        ClosingReport.objects.filter(plan__cycle=cycle),
        ChangeRequest.objects.filter(plan__cycle=cycle),
        CriterionScore.objects.filter(review__assignment__plan__cycle=cycle),
        Decision.objects.filter(plan__cycle=cycle),
        SelfAssessment.objects.filter(plan__cycle=cycle),
        Review.objects.filter(assignment__plan__cycle=cycle),
        ReviewAssignment.objects.filter(plan__cycle=cycle),
        PlanVersion.objects.filter(plan__cycle=cycle),
        Target.objects.filter(plan__cycle=cycle),
        Activity.objects.filter(plan__cycle=cycle),
        ActionPlan.change_areas.through.objects.filter(actionplan__cycle=cycle),
        ActionPlan.core_values.through.objects.filter(actionplan__cycle=cycle),
        ActionPlan.co_agents.through.objects.filter(actionplan__cycle=cycle),
    ):
        _raw_delete(queryset)
    plans.delete()
    Rubric.objects.filter(cycle=cycle).delete()
    cycle.delete()
    users = User.objects.filter(username__startswith=user_prefix(cycle.code))
    _raw_delete(RoleGrant.objects.filter(user__in=users))
    _raw_delete(Agent.objects.filter(user__in=users))
    count = users.count()
    users.delete()
    return count
