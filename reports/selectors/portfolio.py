"""An agent's portfolio: every plan they wrote or worked on, across cycles, as the viewer
may see it (docs/domain.md, "The agent's portfolio").

Per plan: the cycle, whether the agent owned it or was a co-agent, its state, versions,
decisions, the head's endorsement ("mengetahui"), the change-agent roles the plan names,
its mentoring (threads, comments received and answered), its scores per criterion (the
mean level of the submitted reviews of each decided version, only where
`assessment.view_scores` lets the viewer see them) and the verified realisation of its
targets. Across plans: how often each of the five roles was taken, and the scores per
criterion over time.

A fixed number of queries whatever the number of plans and cycles: the plans with their
cycle, agency and endorser; their co-agents, roles, versions and decisions (one prefetch
each); the mentoring counts; the per-criterion means; the targets with their verified
realisation; the roles' reference list.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q
from django.http import Http404

from agents.models import Agent, User
from assessment.enums import ReviewState
from assessment.models import CriterionScore, Decision
from plans.models import ActionPlan, ChangeAgentRole, CommentThread, PlanVersion, Target
from plans.realisation import rollup, traffic_light
from plans.selectors import member_plan_ids, plans_visible_to

from .realisation import MEASURED

LEVEL_PLACES = Decimal("0.01")


@dataclass
class CriterionLevel:
    code: str
    name: str
    level: Decimal  # the mean level of the version's submitted reviews, 1..5


@dataclass
class ScoredVersion:
    """A decided version whose scores the viewer may see."""

    number: int
    decided_at: dt.datetime
    outcome: str
    score: Decimal | None
    criteria: list[CriterionLevel]


@dataclass
class DecisionEntry:
    version: int
    outcome: str
    decided_at: dt.datetime
    # Empty when the viewer may not see the plan's scores and feedback.
    feedback: str
    score: Decimal | None


@dataclass
class TargetEntry:
    indicator: str
    unit: str
    target_value: Decimal
    verified_value: Decimal | None
    realisation: Decimal | None  # uncapped, as shown
    light: str


@dataclass
class Mentoring:
    threads: int = 0
    resolved: int = 0
    received: int = 0  # comments by others (reviewers, the Biro Organisasi, the team)
    answered: int = 0  # comments by the agent


@dataclass
class PlanEntry:
    plan: ActionPlan
    is_owner: bool
    roles: list[ChangeAgentRole]
    versions: list[PlanVersion]
    decisions: list[DecisionEntry]
    scores_shown: bool
    scored_versions: list[ScoredVersion]
    mentoring: Mentoring
    measured: bool  # in implementation or completed: its targets' realisation counts
    targets: list[TargetEntry]
    realisation: Decimal | None  # the plan's roll-up (unverified targets count 0)

    @property
    def light(self) -> str | None:
        return traffic_light(self.realisation) if self.measured and self.targets else None

    @property
    def verified_targets(self) -> int:
        return sum(1 for t in self.targets if t.verified_value is not None)


@dataclass
class RoleTally:
    role: ChangeAgentRole
    plans: int
    cycles: list[str]


@dataclass
class ScoreColumn:
    """One column of the scores over time: a decided version of a plan."""

    label: str
    short: str  # the cycle's year and the version, for narrow screens
    score: Decimal | None


@dataclass
class ScoreRow:
    code: str
    name: str
    levels: list[Decimal | None]


@dataclass
class Portfolio:
    agent: Agent
    entries: list[PlanEntry]
    roles: list[RoleTally]
    score_columns: list[ScoreColumn] = field(default_factory=list)
    score_rows: list[ScoreRow] = field(default_factory=list)

    @property
    def cycles(self) -> int:
        return len({e.plan.cycle_id for e in self.entries})


def get_portfolio_agent(user: User, pk: int) -> Agent:
    """The agent whose portfolio the user may see; 404 for both missing and not theirs."""
    agent = Agent.objects.select_related("user", "agency").filter(pk=pk).first()
    if agent is None or not user.has_perm("reports.view_portfolio", agent):
        raise Http404("No such agent")
    return agent


def _plans(agent: Agent, viewer: User) -> list[ActionPlan]:
    mine = ActionPlan.objects.filter(pk__in=member_plan_ids(agent))
    ids = plans_visible_to(viewer, mine).values("pk")
    return list(
        ActionPlan.objects.filter(pk__in=ids)
        .select_related("cycle", "agency", "owner__user", "endorsed_by")
        .prefetch_related(
            "co_agents",
            "agent_roles",
            Prefetch("versions", queryset=PlanVersion.objects.order_by("number")),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("version").order_by("decided_at", "pk"),
            ),
        )
        .order_by("-cycle__submission_deadline", "-cycle_id", "pk")
    )


def _mentoring(agent: Agent, plan_ids: list[int]) -> dict[int, Mentoring]:
    rows = (
        CommentThread.objects.filter(plan_id__in=plan_ids)
        .order_by()
        .values("plan_id")
        .annotate(
            threads=Count("id", distinct=True),
            resolved=Count("id", distinct=True, filter=Q(resolved_at__isnull=False)),
            received=Count("comments", filter=~Q(comments__author_id=agent.user_id)),
            answered=Count("comments", filter=Q(comments__author_id=agent.user_id)),
        )
    )
    return {
        row["plan_id"]: Mentoring(row["threads"], row["resolved"], row["received"], row["answered"])
        for row in rows
    }


def _criterion_levels(version_ids: list[int]) -> dict[int, list[CriterionLevel]]:
    """Per version, the mean level of each criterion over its submitted reviews."""
    levels: dict[int, list[CriterionLevel]] = {}
    if not version_ids:
        return levels
    rows = (
        CriterionScore.objects.filter(
            review__version_id__in=version_ids, review__state=ReviewState.SUBMITTED
        )
        .order_by()
        .values("review__version_id", "criterion__code", "criterion__name", "criterion__order")
        .annotate(level=Avg("level"))
        .order_by("review__version_id", "criterion__order", "criterion__code")
    )
    for row in rows:
        levels.setdefault(row["review__version_id"], []).append(
            CriterionLevel(
                code=row["criterion__code"],
                name=row["criterion__name"],
                level=Decimal(row["level"]).quantize(LEVEL_PLACES),
            )
        )
    return levels


def _targets(plan_ids: list[int]) -> dict[int, list[TargetEntry]]:
    targets: dict[int, list[TargetEntry]] = {}
    rows = (
        Target.objects.filter(plan_id__in=plan_ids, plan__state__in=MEASURED)
        .select_related("realisation")
        .order_by("plan_id", "order", "pk")
    )
    for target in rows:
        verified = getattr(target, "realisation", None)
        figure = verified.realisation if verified is not None else None
        targets.setdefault(target.plan_id, []).append(
            TargetEntry(
                indicator=target.indicator,
                unit=target.unit,
                target_value=target.target_value,
                verified_value=verified.value if verified is not None else None,
                realisation=figure,
                light=traffic_light(figure),
            )
        )
    return targets


def _entry(plan, agent, viewer, mentoring, levels, targets) -> PlanEntry:
    shown = viewer.has_perm("assessment.view_scores", plan)
    decisions = list(plan.decisions.all())
    scored = [
        ScoredVersion(
            number=d.version.number,
            decided_at=d.decided_at,
            outcome=d.get_outcome_display(),
            score=d.score,
            criteria=levels.get(d.version_id, []),
        )
        for d in decisions
        if shown
    ]
    rows = targets.get(plan.pk, [])
    return PlanEntry(
        plan=plan,
        is_owner=plan.owner_id == agent.pk,
        roles=list(plan.agent_roles.all()),
        versions=list(plan.versions.all()),
        decisions=[
            DecisionEntry(
                version=d.version.number,
                outcome=d.get_outcome_display(),
                decided_at=d.decided_at,
                feedback=d.feedback if shown else "",
                score=d.score if shown else None,
            )
            for d in decisions
        ],
        scores_shown=shown,
        scored_versions=scored,
        mentoring=mentoring.get(plan.pk, Mentoring()),
        measured=plan.state in MEASURED,
        targets=rows,
        realisation=rollup(t.realisation for t in rows) if rows else None,
    )


def _role_tallies(entries: list[PlanEntry]) -> list[RoleTally]:
    tallies = []
    for role in ChangeAgentRole.objects.order_by("order", "code"):
        taking = [e for e in entries if any(r.pk == role.pk for r in e.roles)]
        cycles = []
        for entry in taking:
            if entry.plan.cycle.name not in cycles:
                cycles.append(entry.plan.cycle.name)
        tallies.append(RoleTally(role=role, plans=len(taking), cycles=cycles))
    return tallies


def _scores_over_time(entries: list[PlanEntry]) -> tuple[list[ScoreColumn], list[ScoreRow]]:
    """Columns: the decided versions whose scores are shown, oldest first; rows: every
    criterion (by code) met in them, with its mean level in each column."""
    versions = sorted(
        ((e, v) for e in entries for v in e.scored_versions),
        key=lambda pair: (pair[1].decided_at, pair[0].plan.pk),
    )
    columns = [
        ScoreColumn(
            label=f"{entry.plan.cycle.name} · v{version.number}",
            short=f"{entry.plan.cycle.year} · v{version.number}",
            score=version.score,
        )
        for entry, version in versions
    ]
    names: dict[str, str] = {}
    for _entry, version in versions:
        for criterion in version.criteria:
            names.setdefault(criterion.code, criterion.name)
    rows = [
        ScoreRow(
            code=code,
            name=name,
            levels=[
                next((c.level for c in version.criteria if c.code == code), None)
                for _entry, version in versions
            ],
        )
        for code, name in names.items()
    ]
    return columns, rows


def agent_portfolio(agent: Agent, viewer: User) -> Portfolio:
    plans = _plans(agent, viewer)
    ids = [plan.pk for plan in plans]
    mentoring = _mentoring(agent, ids) if ids else {}
    shown_versions = [
        d.version_id
        for plan in plans
        if viewer.has_perm("assessment.view_scores", plan)
        for d in plan.decisions.all()
    ]
    levels = _criterion_levels(shown_versions)
    targets = _targets(ids) if ids else {}
    entries = [_entry(plan, agent, viewer, mentoring, levels, targets) for plan in plans]
    columns, rows = _scores_over_time(entries)
    return Portfolio(
        agent=agent,
        entries=entries,
        roles=_role_tallies(entries),
        score_columns=columns,
        score_rows=rows,
    )
