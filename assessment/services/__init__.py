"""Every write of the assessment, split by entity; the names are re-exported here so that
`from assessment.services import assign_reviewers` keeps working.

The plan's workflow edges that belong to the assessment (start review, all reviews in,
reopen, decide) are performed through `plans.services.transition`, on a locked row.
"""

from plans.services.common import PlanError

from .assignment import (
    assign_reviewers,
    conflict_reason,
    declare_conflict,
    release_assignment,
    withdraw_conflict,
)
from .automatic import AutoAssignResult, auto_assign, balance, replace_reviewer
from .cycle import (
    clone_cycle,
    create_cycle,
    default_rubric,
    rubric_is_frozen,
    save_rubric,
    update_cycle,
)
from .decision import OUTCOME_TO_STATE, decide_plan
from .decision_runs import request_bulk_decision
from .participants import import_participants
from .reminders import remind_reviewers
from .review import (
    current_reviews,
    refresh_plan_after_review_change,
    reopen_review,
    rubric_for,
    save_review,
    submit_review,
)
from .self_assessment import save_self_assessment

__all__ = [
    "OUTCOME_TO_STATE",
    "AutoAssignResult",
    "PlanError",
    "assign_reviewers",
    "auto_assign",
    "balance",
    "clone_cycle",
    "conflict_reason",
    "create_cycle",
    "current_reviews",
    "decide_plan",
    "declare_conflict",
    "default_rubric",
    "import_participants",
    "refresh_plan_after_review_change",
    "release_assignment",
    "remind_reviewers",
    "reopen_review",
    "replace_reviewer",
    "request_bulk_decision",
    "rubric_for",
    "rubric_is_frozen",
    "save_review",
    "save_rubric",
    "save_self_assessment",
    "submit_review",
    "update_cycle",
    "withdraw_conflict",
]
