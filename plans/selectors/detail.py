"""Reads of the plan's detail page: its contents, its history, the buttons it offers,
its latest decision and the months of its schedule."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext

from agents.models import ActivityLog, Agent, User
from agents.selectors import activity_log_for

from .. import sections
from ..diff import field_text
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
class KeptText:
    """One field's text that a conflict's resolution replaced, kept in the audit log."""

    section: str
    label: str
    text: str


@dataclass(frozen=True)
class HistoryEntry:
    created_at: dt.datetime
    actor_name: str
    action: str
    from_state: str
    to_state: str
    note: str
    # A save over another person's text (shown to the plan's team): the audit entry's id
    # and the texts it replaced, which the team may put back.
    entry_id: int | None = None
    overwritten: tuple[KeptText, ...] = ()


def kept_texts(overwritten: dict) -> tuple[KeptText, ...]:
    """The fields of the sections a save replaced (frozen as a version freezes them) as
    text: each field of a section, a row section as one text, empty fields left out."""
    texts = []
    for key, frozen in overwritten.items():
        entry = sections.section(key)
        if entry.rows:
            named = [(str(entry.label), field_text({key: frozen}, key))]
        else:
            named = [(spec.label, field_text(frozen, spec.name)) for spec in entry.fields]
        texts.extend(KeptText(str(entry.label), label, text) for label, text in named if text)
    return tuple(texts)


def plan_history(plan: ActionPlan, *, viewer: User) -> list[HistoryEntry]:
    """The plan's audit trail, oldest first; reviewers' names masked when the cycle hides them."""
    hide = hides_reviewers_from(viewer, plan)
    team = viewer.has_perm("plans.change_actionplan", plan)
    reviewer_ids = set(plan.assignments.values_list("reviewer_id", flat=True)) if hide else set()
    history = []
    for entry in activity_log_for(plan):
        # Autosaves and comments are in the audit log; the page shows the plan's milestones.
        kept = entry.data.get("overwritten") if team and entry.action == "plan.edit" else None
        if entry.action in QUIET_ACTIONS and not kept:
            continue
        action = "plan.restore_text" if kept and "restored_from" in entry.data else entry.action
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
                action=action,
                from_state=entry.from_state,
                to_state=entry.to_state,
                note=note,
                entry_id=entry.pk if kept else None,
                overwritten=kept_texts(kept) if kept else (),
            )
        )
    return history


def get_kept_text_entry(plan: ActionPlan, entry_id) -> ActivityLog:
    """The plan's audit entry of a save that kept the text it replaced; 404 otherwise."""
    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        raise Http404("No such entry") from None
    entry = (
        activity_log_for(plan)
        .filter(pk=pk, action="plan.edit", data__has_key="overwritten")
        .first()
    )
    if entry is None:
        raise Http404("No such entry")
    return entry


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
    """The newest decision on the plan (the reverse relation of assessment's Decision),
    read once per plan object: the editor and the feedback it shows ask for it both."""
    if not hasattr(plan, "_latest_decision"):
        plan._latest_decision = (
            plan.decisions.select_related("version").order_by("-decided_at", "-pk").first()
        )
    return plan._latest_decision


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
