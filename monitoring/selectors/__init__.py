"""Reads of the implementation phase: the plan's page, the queues and the board."""

from .plan import (
    PlanProgress,
    get_report_for,
    plan_progress,
    report_page,
)
from .queues import monitoring_board, reports_to_verify

__all__ = [
    "PlanProgress",
    "get_report_for",
    "monitoring_board",
    "plan_progress",
    "report_page",
    "reports_to_verify",
]
