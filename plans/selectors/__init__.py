"""Reads of plans, split by subject; every name is re-exported here, so that
`from plans.selectors import get_plan_for` reads the same as before the split:

- `access`: who may see which plan (`plans_visible_to`) and the lookups that answer 404
  for both "missing" and "not yours" (house rule 3);
- `cycles`: the current cycle, a cycle by its code, the pickers' list;
- `homes`: the role home pages ("Rencana saya", the agency head's overview) and the
  per-state counts other apps aggregate with;
- `detail`: the plan's detail page (contents, history, buttons, latest decision);
- `lists`: the filtered plan list every dashboard figure drills down to;
- `editor`: the editor's reference lists, prefetches and comment threads.
"""

from .access import (
    SEES_EVERY_PLAN,
    get_attachment_for,
    get_co_agent_for,
    get_plan_for,
    get_thread_for,
    get_version_for,
    hides_reviewers_from,
    plans_listed_for,
    plans_visible_to,
)
from .cycles import (
    current_cycle,
    cycle_choices,
    cycle_is_open_for_drafting,
    get_cycle_by_code,
)
from .detail import (
    QUIET_ACTIONS,
    HistoryEntry,
    get_kept_text_entry,
    latest_decision,
    plan_actions,
    plan_history,
    plan_with_contents,
    schedule_months,
)
from .editor import (
    SectionThreads,
    editor_choices,
    plan_for_editor,
    plan_threads,
    thread_counts,
)
from .homes import (
    AgencyOverview,
    MyPlanRow,
    agency_overviews,
    member_plan_ids,
    my_plans,
    state_counts,
    state_counts_by,
    unread_comment_count,
)
from .lists import (
    PLAN_SORTS,
    SCORE_BINS,
    STATE_GROUPS,
    filter_plans,
    score_bin_q,
)

__all__ = [
    "AgencyOverview",
    "HistoryEntry",
    "MyPlanRow",
    "PLAN_SORTS",
    "QUIET_ACTIONS",
    "SCORE_BINS",
    "SEES_EVERY_PLAN",
    "STATE_GROUPS",
    "SectionThreads",
    "agency_overviews",
    "current_cycle",
    "cycle_choices",
    "cycle_is_open_for_drafting",
    "editor_choices",
    "filter_plans",
    "get_attachment_for",
    "get_co_agent_for",
    "get_cycle_by_code",
    "get_plan_for",
    "get_thread_for",
    "get_version_for",
    "latest_decision",
    "member_plan_ids",
    "my_plans",
    "plan_actions",
    "plan_for_editor",
    "get_kept_text_entry",
    "plan_history",
    "plan_threads",
    "plan_with_contents",
    "hides_reviewers_from",
    "plans_listed_for",
    "plans_visible_to",
    "schedule_months",
    "score_bin_q",
    "state_counts",
    "state_counts_by",
    "thread_counts",
    "unread_comment_count",
]
