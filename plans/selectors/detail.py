"""Reads of the plan's detail page: its contents, its history, the buttons it offers,
its latest decision and the months of its schedule."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext

from agents.models import Agent, User
from agents.selectors import activity_log_for

from .. import sections
from ..enums import PlanState
from ..models import ActionPlan, PlanVersion
from .access import hides_reviewers_from


def plan_with_contents(plan: ActionPlan) -> ActionPlan:
    """The plan with everything its detail page shows, prefetched (a fixed number of queries)."""
    prefetch_related_objects(
        [plan],
        Prefetch("co_agents", queryset=Agent.objects.select_related("user")),
        *sections.relation_names(),
        "activities",
        "targets",
        "attachments",
        Prefetch("versions", queryset=PlanVersion.objects.select_related("created_by")),
        "decisions",
        "endorsed_by",
    )
    return plan


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
    hide = hides_reviewers_from(viewer, plan)
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
