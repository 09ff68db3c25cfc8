"""Cycles, action plans and their parts, frozen versions, mentoring threads, attachments.

One module per subject; every model is importable from `plans.models`.
"""

from .bounds import (
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PLAN_TEXT_FIELDS,
    PLAN_TEXT_MAX_LENGTH,
    length_checks,
)
from .collaboration import Attachment, Comment, CommentThread, ThreadReadMarker
from .cycle import ChangeAgentRole, ChangeArea, CoreValue, Cycle, GovernorMission
from .links import PlanLink
from .messages import MessageTemplate
from .plan import (
    ALIGNMENT_ID_FIELDS,
    ActionPlan,
    Activity,
    ImmutableRowError,
    PlanVersion,
    Target,
    TargetProgress,
)

__all__ = [
    "ALIGNMENT_ID_FIELDS",
    "COMMENT_MAX_LENGTH",
    "NOTE_MAX_LENGTH",
    "PLAN_TEXT_FIELDS",
    "PLAN_TEXT_MAX_LENGTH",
    "ActionPlan",
    "Activity",
    "Attachment",
    "ChangeAgentRole",
    "ChangeArea",
    "Comment",
    "CommentThread",
    "CoreValue",
    "Cycle",
    "GovernorMission",
    "ImmutableRowError",
    "PlanLink",
    "MessageTemplate",
    "PlanVersion",
    "Target",
    "TargetProgress",
    "ThreadReadMarker",
    "length_checks",
]
