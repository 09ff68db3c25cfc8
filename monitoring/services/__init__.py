"""Every write of the implementation phase, one function per action (docs/architecture.md)."""

from .lifecycle import (
    complete_with_closing,
    decide_change,
    enter_due_implementations,
    request_change,
    submit_closing_report,
)
from .reporting import (
    accept_report,
    add_evidence,
    open_report,
    return_report,
    save_report,
    submit_report,
)

__all__ = [
    "accept_report",
    "add_evidence",
    "complete_with_closing",
    "decide_change",
    "enter_due_implementations",
    "open_report",
    "request_change",
    "return_report",
    "save_report",
    "submit_closing_report",
    "submit_report",
]
