"""Reads of plans: scoped querysets and the 404-for-not-yours lookups (STYLE.md rule 3)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from agencies.models import Agency
from agents.enums import Role
from agents.models import Agent, User
from agents.selectors import activity_log_for, headed_agency_ids, roles_of

from .checklist import ChecklistItem, plan_checklist
from .enums import CyclePhase, PlanState
from .models import (
    ActionPlan,
    Activity,
    Attachment,
    ChangeArea,
    Comment,
    CommentThread,
    CoreValue,
    Cycle,
    GovernorMission,
    PlanVersion,
    Target,
    ThreadReadMarker,
)

SEES_EVERY_PLAN = {Role.COORDINATOR, Role.LEADERSHIP, Role.ADMIN}


def plans_visible_to(user: User, queryset: QuerySet | None = None) -> QuerySet:
    """The plans a user may see (SPEC.md §9), as one SQL filter.

    Coordinators, leaders and admins see every plan; an agent sees the plans of their
    own agency; an agency head those of the agencies they head; a reviewer the plans
    assigned to them.
    """
    qs = ActionPlan.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return qs.none()
    roles = roles_of(user)
    if roles & SEES_EVERY_PLAN:
        return qs
    condition = Q(pk__in=[])
    profile = getattr(user, "agent_profile", None) if Role.AGENT in roles else None
    if profile is not None:
        condition |= Q(agency_id=profile.agency_id)
        condition |= Q(owner=profile)
        condition |= Q(co_agents=profile)
    heads = headed_agency_ids(user)
    if heads:
        condition |= Q(agency_id__in=heads)
    if Role.REVIEWER in roles:
        condition |= Q(assignments__reviewer=user, assignments__is_active=True)
    return (
        qs.filter(condition).distinct()
        if Role.REVIEWER in roles or profile
        else qs.filter(condition)
    )


def get_plan_for(user: User, pk: int) -> ActionPlan:
    """The plan with this id if the user may see it; 404 for both missing and not yours."""
    qs = plans_visible_to(user).select_related("cycle", "agency", "owner__user")
    plan = qs.filter(pk=pk).first()
    if plan is None:
        raise Http404("No such plan")
    return plan


def current_cycle() -> Cycle | None:
    """The cycle people work in now: the newest one not archived that has opened."""
    now = timezone.now()
    return (
        Cycle.objects.filter(is_archived=False, drafting_opens__lte=now)
        .order_by("-drafting_opens")
        .first()
        or Cycle.objects.filter(is_archived=False).order_by("drafting_opens").first()
    )


def cycle_is_open_for_drafting(cycle: Cycle) -> bool:
    return cycle.phase in (CyclePhase.UPCOMING, CyclePhase.DRAFTING)


# --- Reads for the role home pages and the plan pages ----------------------------------
#
# Everything below serves one page each with a bounded number of queries, whatever the
# number of plans: counts are SQL aggregates or correlated subqueries, related rows are
# joined or prefetched.


def member_plan_ids(agent: Agent) -> QuerySet:
    """The ids of the plans the agent owns or works on as co-agent, as a subquery."""
    return ActionPlan.objects.filter(Q(owner=agent) | Q(co_agents=agent)).values("pk")


def unread_comment_count(user: User) -> Coalesce:
    """An annotation for plans: comments by others after the user last read their thread.

    A thread the user has never opened (no ThreadReadMarker) counts all comments by others.
    """
    marker = ThreadReadMarker.objects.filter(thread=OuterRef("thread"), user=user).values(
        "read_at"
    )[:1]
    unread = (
        Comment.objects.filter(thread__plan=OuterRef("pk"))
        .exclude(author=user)
        .annotate(read_at=Subquery(marker))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
        .order_by()
        .values("thread__plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class MyPlanRow:
    """One line of "Rencana saya"."""

    plan: ActionPlan
    is_owner: bool
    unread: int
    decisions_with_feedback: int
    deadline: dt.datetime | None = None
    days_left: int | None = None
    checklist: list[ChecklistItem] = field(default_factory=list)

    @property
    def checklist_total(self) -> int:
        return len(self.checklist)

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist if item.ok)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if not item.ok]

    @property
    def days_late(self) -> int:
        """How many days the deadline has passed (0 while it has not)."""
        return max(0, -(self.days_left or 0))


def my_plans(user: User, *, now: dt.datetime | None = None) -> list[MyPlanRow]:
    """The plans the user owns or co-authors, newest cycle first, with what the home shows.

    While the agent can still hand a plan in (draft, revision requested) the row carries
    its own deadline (revision deadline and extension included, as `submit_plan` checks
    it), the days left in WITA, and the completeness checklist. Six queries in all.
    """
    from .services import submission_deadline_for  # a pure read of the plan's dates

    profile = getattr(user, "agent_profile", None) if user.is_authenticated else None
    if profile is None:
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    plans = (
        ActionPlan.objects.filter(pk__in=member_plan_ids(profile))
        .select_related("cycle", "agency")
        .annotate(
            unread=unread_comment_count(user),
            decisions_with_feedback=Count("decisions", filter=~Q(decisions__feedback="")),
        )
        .prefetch_related("change_areas", "core_values", "activities", "targets")
        .order_by("-cycle__drafting_opens", "-cycle_id", "title")
    )
    rows = []
    for plan in plans:
        row = {
            "plan": plan,
            "is_owner": plan.owner_id == profile.pk,
            "unread": plan.unread,
            "decisions_with_feedback": plan.decisions_with_feedback,
        }
        if plan.is_editable:
            deadline = submission_deadline_for(plan)
            row["deadline"] = deadline
            row["days_left"] = (timezone.localdate(deadline) - today).days
            row["checklist"] = plan_checklist(plan)
        rows.append(MyPlanRow(**row))
    return rows


def state_counts(queryset: QuerySet) -> dict[str, int]:
    """How many plans of the queryset are in each state: one query, every state present."""
    return queryset.aggregate(
        **{state: Count("id", filter=Q(state=state)) for state in PlanState.values}
    )


def state_counts_by(queryset: QuerySet, *fields: str) -> list[dict]:
    """Plans per state grouped by `fields` (SQL conditional aggregation), with a total."""
    return list(
        queryset.order_by()
        .values(*fields)
        .annotate(
            total=Count("id"),
            **{state: Count("id", filter=Q(state=state)) for state in PlanState.values},
        )
        .order_by(*fields)
    )


@dataclass(frozen=True)
class AgencyOverview:
    """What the head of an agency sees for it in one cycle."""

    agency: Agency
    counts: dict[str, int]
    total: int
    plans: list[ActionPlan]
    awaiting_endorsement: list[ActionPlan]
    agents: list[Agent]

    @property
    def agents_with_plan(self) -> int:
        return sum(1 for agent in self.agents if agent.plan_id or agent.in_team)

    @property
    def agents_without_plan(self) -> int:
        return len(self.agents) - self.agents_with_plan


def agency_overviews(user: User, cycle: Cycle | None) -> list[AgencyOverview]:
    """For each agency the user heads: its plans in the cycle, the counts per state, the
    plans waiting for the head's endorsement (when the cycle requires it), and its agents
    with or without a plan. Four queries whatever the number of agencies, agents, plans.
    """
    heads = headed_agency_ids(user)
    if not heads:
        return []
    agencies = list(Agency.objects.filter(pk__in=heads).order_by("name"))
    plans_qs = ActionPlan.objects.filter(cycle=cycle, agency_id__in=heads)
    if cycle is None:
        plans_qs = plans_qs.none()
    counts = {row["agency_id"]: row for row in state_counts_by(plans_qs, "agency_id")}
    plans = list(plans_qs.select_related("owner__user").order_by("owner__user__name", "pk"))
    own_plan = ActionPlan.objects.filter(cycle=cycle, owner=OuterRef("pk"))
    agents = list(
        Agent.objects.filter(agency_id__in=heads, is_active=True)
        .select_related("user")
        .annotate(
            plan_id=Subquery(own_plan.values("pk")[:1]),
            plan_state=Subquery(own_plan.values("state")[:1]),
            in_team=Exists(ActionPlan.objects.filter(cycle=cycle, co_agents=OuterRef("pk"))),
        )
        .order_by("user__name", "pk")
    )
    overviews = []
    for agency in agencies:
        row = counts.get(agency.pk, {})
        agency_plans = [p for p in plans if p.agency_id == agency.pk]
        waiting = []
        if cycle is not None and cycle.head_endorsement_required:
            waiting = [
                p
                for p in agency_plans
                if p.is_editable and p.endorsed_lock_version != p.lock_version
            ]
        overviews.append(
            AgencyOverview(
                agency=agency,
                counts={state: row.get(state, 0) for state in PlanState.values},
                total=row.get("total", 0),
                plans=agency_plans,
                awaiting_endorsement=waiting,
                agents=[a for a in agents if a.agency_id == agency.pk],
            )
        )
    return overviews


def get_cycle_by_code(code: str) -> Cycle:
    """The cycle with this code, or 404."""
    cycle = Cycle.objects.filter(code=code).first()
    if cycle is None:
        raise Http404("No such cycle")
    return cycle


def cycle_choices() -> QuerySet:
    """Cycles for a picker, newest first."""
    return Cycle.objects.order_by("-year", "-drafting_opens")


def plan_with_contents(plan: ActionPlan) -> ActionPlan:
    """The plan with everything its detail page shows, prefetched (a fixed number of queries)."""
    prefetch_related_objects(
        [plan],
        Prefetch("co_agents", queryset=Agent.objects.select_related("user")),
        "change_areas",
        "core_values",
        "activities",
        "targets",
        "attachments",
        Prefetch("versions", queryset=PlanVersion.objects.select_related("created_by")),
        "decisions",
        "governor_mission",
        "endorsed_by",
    )
    return plan


# Who sees the names of a plan's reviewers in its history; everyone else sees "Reviewer"
# when the cycle hides them (SPEC.md §9).
SEES_REVIEWER_NAMES = frozenset({Role.COORDINATOR, Role.LEADERSHIP, Role.ADMIN, Role.REVIEWER})


QUIET_ACTIONS = frozenset({"plan.edit", "thread.start", "thread.resolve"})


@dataclass(frozen=True)
class HistoryEntry:
    created_at: dt.datetime
    actor_name: str
    action: str
    from_state: str
    to_state: str
    note: str


def plan_history(plan: ActionPlan, *, viewer: User) -> list[HistoryEntry]:
    """The plan's audit trail, oldest first; reviewers' names masked when the cycle hides them."""
    hide = plan.cycle.reviewer_anonymity and not (roles_of(viewer) & SEES_REVIEWER_NAMES)
    reviewer_ids = set(plan.assignments.values_list("reviewer_id", flat=True)) if hide else set()
    history = []
    for entry in activity_log_for(plan):
        # Autosaves and comments are in the audit log; the page shows the plan's milestones.
        if entry.action in QUIET_ACTIONS:
            continue
        if entry.actor_id is None:
            name = gettext("Sistem")
        elif entry.actor_id in reviewer_ids and entry.actor_id != viewer.pk:
            name = gettext("Reviewer")
        else:
            name = str(entry.actor)
        # An assignment's note is the coordinator's override reason: about the reviewer.
        # A decision's note is its outcome code, which the to-state already shows.
        note = entry.note
        if entry.action == "plan.decide" or (hide and entry.action.startswith("assignment.")):
            note = ""
        history.append(
            HistoryEntry(
                created_at=entry.created_at,
                actor_name=name,
                action=entry.action,
                from_state=entry.from_state,
                to_state=entry.to_state,
                note=note,
            )
        )
    return history


def plan_actions(user: User, plan: ActionPlan) -> dict[str, bool]:
    """Which workflow buttons the detail page offers (the services check again)."""
    editable = plan.state in PlanState.EDITABLE
    endorsed = plan.endorsed_lock_version == plan.lock_version
    return {
        "edit": editable and user.has_perm("plans.change_actionplan", plan),
        "submit": editable and user.has_perm("plans.submit_actionplan", plan),
        "withdraw": plan.state == PlanState.SUBMITTED
        and user.has_perm("plans.withdraw_actionplan", plan),
        "endorse": editable and not endorsed and user.has_perm("plans.endorse_actionplan", plan),
    }


# --- The filtered plan list: where every figure of the dashboards drills down to --------

STATE_GROUPS = {
    "under_review": frozenset({PlanState.IN_REVIEW, PlanState.REVIEWED}),
    "editable": PlanState.EDITABLE,
    "submitted_once": PlanState.SUBMITTED_ONCE,
    "approved_once": PlanState.APPROVED_ONCE,
    "decided": PlanState.DECIDED,
}

# The dashboard's score distribution: [low, high), the last bin closed at 100.
SCORE_BINS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))

# Sort keys of the list → columns; "-key" sorts descending. Empty scores sort last.
PLAN_SORTS = {
    "title": ("title",),
    "agency": ("agency__name", "title"),
    "owner": ("owner__user__name",),
    "state": ("state", "title"),
    "score": ("score",),
    "updated": ("updated_at",),
}


def score_bin_q(low: int, high: int) -> Q:
    if high >= 100:
        return Q(score__gte=low, score__lte=100)
    return Q(score__gte=low, score__lt=high)


def filter_plans(
    user: User,
    *,
    cycle: Cycle | None = None,
    state: str = "",
    group: str = "",
    agency: Agency | None = None,
    area: ChangeArea | None = None,
    value: CoreValue | None = None,
    flagged: bool = False,
    score_bin: tuple[int, int] | None = None,
    submitted_week: dt.date | None = None,
    query: str = "",
    sort: str = "",
) -> QuerySet:
    """The plans the user may see, narrowed by the list's filters and sorted."""
    qs = plans_visible_to(user)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if state:
        qs = qs.filter(state=state)
    if group:
        qs = qs.filter(state__in=STATE_GROUPS[group])
    if agency is not None:
        qs = qs.filter(agency=agency)
    if area is not None:
        through = ActionPlan.change_areas.through.objects.filter(changearea=area)
        qs = qs.filter(pk__in=through.values("actionplan_id"))
    if value is not None:
        through = ActionPlan.core_values.through.objects.filter(corevalue=value)
        qs = qs.filter(pk__in=through.values("actionplan_id"))
    if flagged:
        qs = qs.filter(review_flagged=True)
    if score_bin is not None:
        qs = qs.filter(score_bin_q(*score_bin))
    if submitted_week is not None:
        # Plans with a version handed in during the week (Monday 00:00 WITA, seven days),
        # as the dashboard's "submissions per week" counts them.
        start = timezone.make_aware(dt.datetime.combine(submitted_week, dt.time.min))
        in_week = PlanVersion.objects.filter(
            created_at__gte=start, created_at__lt=start + dt.timedelta(days=7)
        )
        qs = qs.filter(pk__in=in_week.values("plan_id"))
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(owner__user__name__icontains=query))
    key = sort.removeprefix("-")
    if key in PLAN_SORTS:
        descending = sort.startswith("-")
        columns = (*PLAN_SORTS[key], "pk")
        order = [
            F(c).desc(nulls_last=True) if descending else F(c).asc(nulls_last=True) for c in columns
        ]
    else:
        order = [F("updated_at").desc(), F("pk").desc()]
    return qs.select_related("cycle", "agency", "owner__user").order_by(*order)


# --- The plan editor, the threads, the versions -------------------------------------------


def editor_choices() -> dict[str, list]:
    """The reference lists of the alignment section, read once (three queries)."""
    return {
        "change_areas": [
            (a.pk, a.name) for a in ChangeArea.objects.filter(is_active=True).order_by("order")
        ],
        "core_values": [(v.pk, v.name) for v in CoreValue.objects.order_by("order", "code")],
        "governor_mission": [("", gettext("— pilih —"))]
        + [
            (m.pk, f"{m.number}. {m.text}")
            for m in GovernorMission.objects.filter(is_active=True).order_by("period", "number")
        ],
    }


def plan_for_editor(plan: ActionPlan) -> ActionPlan:
    """The plan with what the editor shows, prefetched: a fixed number of queries."""
    prefetch_related_objects(
        [plan],
        Prefetch("co_agents", queryset=Agent.objects.select_related("user")),
        "change_areas",
        "core_values",
        Prefetch("activities", queryset=Activity.objects.order_by("order", "id")),
        Prefetch("targets", queryset=Target.objects.order_by("order", "id")),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
        Prefetch("versions", queryset=PlanVersion.objects.only("id", "plan_id", "number")),
    )
    return plan


@dataclass(frozen=True)
class SectionThreads:
    total: int
    open: int
    unread: int


def thread_counts(plan: ActionPlan, user: User) -> dict[str, SectionThreads]:
    """Per section: how many threads, how many still open, how many unread comments."""
    marker = ThreadReadMarker.objects.filter(thread=OuterRef("thread"), user=user).values(
        "read_at"
    )[:1]
    unread = (
        Comment.objects.filter(thread=OuterRef("pk"))
        .exclude(author=user)
        .annotate(read_at=Subquery(marker))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        CommentThread.objects.filter(plan=plan)
        .order_by()
        .values("section")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(resolved_at__isnull=True)),
        )
    )
    per_thread = (
        CommentThread.objects.filter(plan=plan)
        .annotate(n=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .values_list("section", "n")
    )
    unread_by_section: dict[str, int] = {}
    for section, n in per_thread:
        unread_by_section[section] = unread_by_section.get(section, 0) + n
    return {
        row["section"]: SectionThreads(
            row["total"], row["open"], unread_by_section.get(row["section"], 0)
        )
        for row in rows
    }


def plan_threads(plan: ActionPlan, *, viewer: User, section: str = "") -> list[CommentThread]:
    """The plan's threads with their comments and authors (three queries), newest first.

    Reviewers' names are masked for agents when the cycle hides them (SPEC.md §9): each
    comment gets `author_label`.
    """
    qs = CommentThread.objects.filter(plan=plan).select_related("activity", "target", "resolved_by")
    if section:
        qs = qs.filter(section=section)
    threads = list(
        qs.prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author"))
        ).order_by("resolved_at", "-last_comment_at")
    )
    hide = plan.cycle.reviewer_anonymity and not (roles_of(viewer) & SEES_REVIEWER_NAMES)
    reviewer_ids = set(plan.assignments.values_list("reviewer_id", flat=True)) if hide else set()
    for thread in threads:
        for comment in thread.comments.all():
            if comment.author_id in reviewer_ids and comment.author_id != viewer.pk:
                comment.author_label = gettext("Reviewer")
            else:
                comment.author_label = comment.author.name
    return threads


def get_thread_for(user: User, plan: ActionPlan, pk: int) -> CommentThread:
    thread = CommentThread.objects.filter(plan=plan, pk=pk).select_related("plan").first()
    if thread is None:
        raise Http404("No such thread")
    return thread


def get_attachment_for(plan: ActionPlan, pk: int) -> Attachment:
    attachment = Attachment.objects.filter(plan=plan, pk=pk).select_related("plan").first()
    if attachment is None:
        raise Http404("No such attachment")
    return attachment


def get_version_for(plan: ActionPlan, number: int) -> PlanVersion:
    version = PlanVersion.objects.filter(plan=plan, number=number).first()
    if version is None:
        raise Http404("No such version")
    return version


def get_co_agent_for(plan: ActionPlan, pk: int) -> Agent:
    agent = plan.co_agents.filter(pk=pk).select_related("user").first()
    if agent is None:
        raise Http404("No such team member")
    return agent


def latest_decision(plan: ActionPlan):
    """The newest decision on the plan (the reverse relation of assessment's Decision)."""
    return plan.decisions.select_related("version").order_by("-decided_at").first()


def schedule_months(plan: ActionPlan) -> list[dt.date]:
    """The first day of every month of the cycle's implementation window."""
    start = plan.cycle.implementation_start.replace(day=1)
    end = plan.cycle.implementation_end
    months = []
    month = start
    while month <= end and len(months) < 60:
        months.append(month)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months
