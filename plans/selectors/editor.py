"""Reads of the plan editor: its reference lists, the plan prefetched for it, and the
comment threads per section."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from agents.models import Agent, User

from .. import sections
from ..models import (
    ActionPlan,
    Activity,
    Attachment,
    ChangeAgentRole,
    ChangeArea,
    Comment,
    CommentThread,
    CoreValue,
    GovernorMission,
    Target,
    ThreadReadMarker,
)
from .access import hides_reviewers_from


def _missions_by_period(missions) -> list[tuple[str, list]]:
    """The governor's missions grouped under their RPJMD period ("RPJMD 2024–2026")."""
    groups: dict[str, list] = {}
    for mission in missions:
        groups.setdefault(mission.period, []).append(
            (mission.pk, f"{mission.number}. {mission.text}")
        )
    return list(groups.items())


def editor_choices() -> dict[str, list]:
    """The reference lists of the alignment section, read once (three queries); with the
    active missions, areas and values by id, so that the plan's own need no query."""
    missions = list(GovernorMission.objects.filter(is_active=True).order_by("period", "number"))
    areas = list(ChangeArea.objects.filter(is_active=True).order_by("order"))
    values = list(CoreValue.objects.order_by("order", "code"))
    return {
        "change_areas": [(a.pk, a.name) for a in areas],
        "core_values": [(v.pk, v.name) for v in values],
        "governor_mission": [("", gettext("— pilih —")), *_missions_by_period(missions)],
        "missions_by_pk": {mission.pk: mission for mission in missions},
        "change_areas_by_pk": {area.pk: area for area in areas},
        "core_values_by_pk": {value.pk: value for value in values},
    }


# The plan's relations that it also keeps as id lists (`plans.services.alignment`).
ID_LISTS = {"change_areas": "area_ids", "core_values": "value_ids"}


def _fill_related(plan: ActionPlan, name: str, rows: list) -> None:
    """Give the plan's relation `name` these rows, as a prefetch would."""
    related = getattr(plan, name).all()
    related._result_cache = rows
    related._prefetch_done = True
    plan.__dict__.setdefault("_prefetched_objects_cache", {})[name] = related


def _related_from_ids(plan: ActionPlan, name: str, by_pk: dict) -> bool:
    """Fill the plan's relation `name` from its id list and the reference rows already
    read; False (nothing done) when a row is not among them (an area no longer active),
    which the relation then reads itself."""
    ids = set(getattr(plan, ID_LISTS[name]) or ())
    if not ids <= by_pk.keys():
        return False
    _fill_related(plan, name, [row for pk, row in by_pk.items() if pk in ids])
    return True


def _agent_roles_with_plans(plan: ActionPlan, choices: dict) -> None:
    """Every change-agent role, each marked when the plan names it: one query gives both
    the section's checkboxes (`choices["agent_roles"]`) and the plan's own roles."""
    named = ActionPlan.agent_roles.through.objects.filter(
        actionplan_id=plan.pk, changeagentrole_id=OuterRef("pk")
    )
    roles = list(ChangeAgentRole.objects.annotate(named=Exists(named)).order_by("order", "code"))
    choices["agent_roles"] = [(role.pk, role.name) for role in roles]
    _fill_related(plan, "agent_roles", [role for role in roles if role.named])


def plan_for_editor(plan: ActionPlan, choices: dict | None = None) -> ActionPlan:
    """The plan with what the editor shows, prefetched: a fixed number of queries. With
    the page's reference lists (`editor_choices`), its RB change areas and BerAKHLAK
    values come from its id lists instead of two more queries, and its change-agent roles
    with the list of all of them (added to `choices`)."""
    filled = {
        name
        for name in ID_LISTS
        if choices is not None and _related_from_ids(plan, name, choices[f"{name}_by_pk"])
    }
    if choices is not None:
        _agent_roles_with_plans(plan, choices)
        filled.add("agent_roles")
    prefetch_related_objects(
        [plan],
        Prefetch("co_agents", queryset=Agent.objects.select_related("user")),
        *[name for name in sections.many_names() if name not in filled],
        Prefetch("activities", queryset=Activity.objects.order_by("order", "id")),
        Prefetch("targets", queryset=Target.objects.order_by("order", "id")),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
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
    # One row per thread (a plan has a handful), folded per section here: one query.
    per_thread = (
        CommentThread.objects.filter(plan=plan)
        .annotate(n=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .order_by()
        .values_list("section", "resolved_at", "n")
    )
    counts: dict[str, list[int]] = {}
    for section, resolved_at, n in per_thread:
        total_open_unread = counts.setdefault(section, [0, 0, 0])
        total_open_unread[0] += 1
        total_open_unread[1] += resolved_at is None
        total_open_unread[2] += n
    return {section: SectionThreads(*figures) for section, figures in counts.items()}


def plan_threads(plan: ActionPlan, *, viewer: User, section: str = "") -> list[CommentThread]:
    """The plan's threads with their comments and authors (three queries), newest first.

    Reviewers' names are masked for agents when the cycle hides them (docs/domain.md,
    "Who sees what"): each comment gets `author_label`.
    """
    qs = CommentThread.objects.filter(plan=plan).select_related("activity", "target", "resolved_by")
    if section:
        qs = qs.filter(section=section)
    threads = list(
        qs.prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author"))
        ).order_by("resolved_at", "-last_comment_at")
    )
    hide = hides_reviewers_from(viewer, plan)
    reviewer_ids = set(plan.assignments.values_list("reviewer_id", flat=True)) if hide else set()
    for thread in threads:
        for comment in thread.comments.all():
            if comment.author_id in reviewer_ids and comment.author_id != viewer.pk:
                comment.author_label = gettext("Reviewer")
            else:
                comment.author_label = comment.author.name
    return threads
