"""Reads of the assessment, split by page (docs/architecture.md: a long module becomes a
package). Every name is re-exported here: `from assessment.selectors import reviewer_queue`.

Every function answers one page with a fixed number of queries: counts are SQL
aggregates (conditional aggregation, correlated subqueries), never loops over plans.
"""

from .board import (
    BOARD_GROUP_LABELS,
    BOARD_GROUPS,
    BOARD_SORTS,
    CalibrationRow,
    board_counts,
    board_plans,
    calibration,
    decision_board,
)
from .feedback import (
    PlanFeedback,
    ReviewFeedback,
    plan_feedback,
)
from .queue import (
    AGENCY_SORTS,
    BOARD_LIST_LIMIT,
    QUEUE_STATES,
    CycleBoard,
    agency_table,
    conflicts_of,
    current_reviews,
    cycle_board,
    get_assignment_of,
    get_conflict_for,
    get_review_of,
    reviewer_load,
    reviewer_queue,
    rubric_of,
    threads_awaiting_reply,
)
from .review import (
    CriterionRow,
    PlanAssessment,
    ReviewPage,
    _criteria_with_levels,
    consolidated_feedback,
    get_assignment_for,
    get_plan_for_coordinator,
    plan_assessment,
    review_page,
    reviewer_options,
    running_total,
)

__all__ = [
    "AGENCY_SORTS",
    "BOARD_GROUPS",
    "BOARD_GROUP_LABELS",
    "BOARD_SORTS",
    "BOARD_LIST_LIMIT",
    "CalibrationRow",
    "CriterionRow",
    "CycleBoard",
    "PlanAssessment",
    "PlanFeedback",
    "QUEUE_STATES",
    "ReviewFeedback",
    "ReviewPage",
    "_criteria_with_levels",
    "agency_table",
    "board_counts",
    "board_plans",
    "calibration",
    "conflicts_of",
    "consolidated_feedback",
    "current_reviews",
    "cycle_board",
    "decision_board",
    "get_assignment_for",
    "get_assignment_of",
    "get_conflict_for",
    "get_plan_for_coordinator",
    "get_review_of",
    "plan_assessment",
    "plan_feedback",
    "review_page",
    "reviewer_load",
    "reviewer_options",
    "reviewer_queue",
    "rubric_of",
    "running_total",
    "threads_awaiting_reply",
]
