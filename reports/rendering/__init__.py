"""Renderers: one function per report kind, `render(job) -> Rendered`.

A renderer reads the job's parameters, builds the document and returns its bytes with
what the document is (title, agency), which the job keeps for the verification page.
Renderers raise `ReportError` (a `PlanError`) with a message for the user when the
report cannot be made (a plan that was never submitted has no review packet).
"""

from dataclasses import dataclass

from plans.services.common import PlanError


class ReportError(PlanError):
    """A report that cannot be made, with a message the user sees on the job page."""


@dataclass(frozen=True)
class Rendered:
    filename: str
    content: bytes
    title: str = ""
    agency_name: str = ""
