"""The plan document: the rencana tindak as submitted, on A4 with the letterhead and the
signature block (agent; "Mengetahui, Kepala <perangkat daerah>").

The document prints the latest submitted version (the PlanVersion snapshot, what the
reviewers scored); a plan never submitted prints its current draft, marked "DRAF".
Both go through the same snapshot structure (`plans.services.snapshot_plan`).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _

from agents.enums import PangkatGolongan, Role
from agents.models import RoleGrant, User
from monitoring.models import ClosingReport, TargetRealisation
from plans import sections
from plans.models import ActionPlan, Cycle, PlanVersion
from plans.services.content import snapshot_plan

from . import Rendered, ReportError
from .pdf import local_date, render_pdf, verification_context

_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
# The schedule shows at most this many months (two years); longer plans are cut.
MAX_SCHEDULE_MONTHS = 24


def _month(value: str | dt.date) -> dt.date:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return day.replace(day=1)


def _add_month(day: dt.date) -> dt.date:
    return (
        day.replace(year=day.year + 1, month=1)
        if day.month == 12
        else day.replace(month=day.month + 1)
    )


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


@dataclass(frozen=True)
class ActivityRow:
    number: int
    title: str
    output: str
    start: dt.date
    end: dt.date
    responsible: str
    budget: Decimal | None
    months: list[bool] = field(default_factory=list)


@dataclass(frozen=True)
class TargetRow:
    number: int
    indicator: str
    unit: str
    baseline: Decimal
    target_value: Decimal
    due_date: dt.date
    verification: str


def roman(number: int) -> str:
    """A section's number as the plan document prints it (1 → "I", 14 → "XIV")."""
    digits = []
    for value, numeral in _ROMAN:
        count, number = divmod(number, value)
        digits.append(numeral * count)
    return "".join(digits)


@dataclass(frozen=True)
class PrintedSection:
    """A section of the plan with the number the document prints before its heading."""

    number: str
    section: sections.ShownSection


@dataclass(frozen=True)
class Person:
    name: str
    nip: str = ""
    jabatan: str = ""
    pangkat: str = ""


@dataclass(frozen=True)
class PlanBody:
    """Every section of the plan that a document prints, from one snapshot."""

    title: str
    cycle_name: str
    agency_name: str
    owner: Person
    co_agents: list[str]
    # Every section of the registry (plans.sections), numbered, with its fields.
    sections: list[PrintedSection]
    activities: list[ActivityRow]
    months: list[dt.date]
    budget_total: Decimal | None
    targets: list[TargetRow]
    attachments: list[dict]

    @property
    def years(self) -> list[tuple[int, int]]:
        """(year, number of months) for the schedule's header row over the months."""
        spans: list[tuple[int, int]] = []
        for month in self.months:
            if spans and spans[-1][0] == month.year:
                spans[-1] = (month.year, spans[-1][1] + 1)
            else:
                spans.append((month.year, 1))
        return spans


def _schedule_months(cycle: Cycle, activities: list[dict]) -> list[dt.date]:
    """The months of the schedule: the cycle's implementation window, widened to cover
    every activity, at most MAX_SCHEDULE_MONTHS."""
    starts = [_month(a["start_month"]) for a in activities]
    ends = [_month(a["end_month"]) for a in activities]
    first = min([_month(cycle.implementation_start), *starts])
    last = max([_month(cycle.implementation_end), *ends])
    months = []
    current = first
    while current <= last and len(months) < MAX_SCHEDULE_MONTHS:
        months.append(current)
        current = _add_month(current)
    return months


def owner_person(snapshot: dict, plan: ActionPlan) -> Person:
    """The agent as the snapshot names them; jabatan and pangkat from their profile."""
    user = plan.owner.user
    return Person(
        name=snapshot["owner"]["name"],
        nip=snapshot["owner"].get("nip") or "",
        jabatan=user.jabatan,
        pangkat=_pangkat(user),
    )


def _pangkat(user: User) -> str:
    if not user.pangkat_golongan:
        return ""
    return str(PangkatGolongan(user.pangkat_golongan).label)


def plan_body(snapshot: dict, plan: ActionPlan, *, numbering=roman) -> PlanBody:
    """What the document prints of one snapshot; `numbering` turns a section's number
    into its printed heading number."""
    cycle = plan.cycle
    activities = sorted(snapshot.get("activities", []), key=lambda a: a.get("order", 0))
    months = _schedule_months(cycle, activities)
    rows = []
    for number, activity in enumerate(activities, start=1):
        start, end = _month(activity["start_month"]), _month(activity["end_month"])
        rows.append(
            ActivityRow(
                number=number,
                title=activity["title"],
                output=activity.get("output", ""),
                start=start,
                end=end,
                responsible=activity.get("responsible", ""),
                budget=_decimal(activity.get("budget")),
                months=[start <= month <= end for month in months],
            )
        )
    budgets = [row.budget for row in rows if row.budget is not None]
    targets = [
        TargetRow(
            number=number,
            indicator=target["indicator"],
            unit=target["unit"],
            baseline=_decimal(target["baseline"]),
            target_value=_decimal(target["target_value"]),
            due_date=dt.date.fromisoformat(target["due_date"]),
            verification=target.get("verification", ""),
        )
        for number, target in enumerate(
            sorted(snapshot.get("targets", []), key=lambda t: t.get("order", 0)), start=1
        )
    ]
    return PlanBody(
        title=snapshot["title"],
        cycle_name=snapshot["cycle"]["name"],
        agency_name=snapshot["agency"]["name"],
        owner=owner_person(snapshot, plan),
        co_agents=[a["name"] for a in snapshot.get("co_agents", [])],
        sections=[
            PrintedSection(numbering(shown.number), shown)
            for shown in sections.show(snapshot, skip=("title",))
        ],
        activities=rows,
        months=months,
        budget_total=sum(budgets, Decimal(0)) if budgets else None,
        targets=targets,
        attachments=snapshot.get("attachments", []),
    )


def agency_head(agency_id: int) -> Person | None:
    """The head of the agency (the RoleGrant agency_head), for "Mengetahui"."""
    grant = (
        RoleGrant.objects.filter(role=Role.AGENCY_HEAD, agency_id=agency_id, user__is_active=True)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    if grant is None:
        return None
    user = grant.user
    return Person(name=user.name, nip=user.nip or "", jabatan=user.jabatan, pangkat=_pangkat(user))


def load_plan(plan_id: int) -> ActionPlan:
    plan = (
        ActionPlan.objects.select_related("cycle", "agency", "owner__user", "governor_mission")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise ReportError(_("Rencana tindak ini sudah tidak ada."))
    return plan


def latest_version(plan: ActionPlan) -> PlanVersion | None:
    return plan.versions.order_by("-number").first()


def plan_document_context(plan: ActionPlan, *, code: str) -> dict:
    version = latest_version(plan)
    if version is not None:
        snapshot, is_draft, signed_on = version.snapshot, False, local_date(version.created_at)
    else:
        snapshot, is_draft, signed_on = snapshot_plan(plan), True, local_date(None)
    return {
        "plan": plan,
        "body": plan_body(snapshot, plan),
        "version": version,
        "is_draft": is_draft,
        "signed_on": signed_on,
        "head": agency_head(plan.agency_id),
        "agency_name": snapshot["agency"]["name"],
        "document_title": _("Rencana Tindak Agen Perubahan"),
        "closing": ClosingReport.objects.filter(plan=plan).first(),
        "realisations": list(
            TargetRealisation.objects.filter(plan=plan)
            .select_related("target")
            .order_by("target__order", "target_id")
        ),
        **verification_context(code),
    }


def plan_filename(prefix: str, plan: ActionPlan, extension: str = "pdf") -> str:
    slug = slugify(plan.title)[:60].strip("-") or "rencana"
    return f"{prefix}-{plan.pk}-{slug}.{extension}"


def render_plan_document(job) -> Rendered:
    plan = load_plan(job.params["plan_id"])
    context = plan_document_context(plan, code=job.verification_code)
    content = render_pdf("pdf/plan_document.html", context)
    return Rendered(
        filename=plan_filename("rencana-tindak", plan),
        content=content,
        title=context["body"].title,
        agency_name=context["agency_name"],
    )
