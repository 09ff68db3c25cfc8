"""The dashboard's realisation figures (docs/domain.md, "Realisation"): verified
realisation of the targets of a cycle's plans in implementation or completed, aggregated
in SQL over `monitoring.TargetRealisation`, a fixed number of queries whatever the number
of plans or of RB change areas, cached per cycle and day.

- "Target sesuai jadwal": the targets whose capped verified realisation is at least the
  share of the implementation window that has passed, with the count behind it;
- the mean realisation of the cycle, of each agency and of each RB change area (a target
  without a verified value counts 0);
- the traffic-light distribution of the targets;
- the late targets, lowest first, with their plans, for the drill-down.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, DecimalField, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency
from monitoring.models import ClosingReport
from plans.enums import PlanState
from plans.models import ChangeArea, Cycle, Target
from plans.realisation import GREEN_FROM, YELLOW_FROM, elapsed_share

from .. import cache

# The plans whose targets are measured: in implementation, or completed.
MEASURED = (PlanState.IMPLEMENTING, PlanState.COMPLETED)
LATE_SHOWN = 20
ZERO = Decimal("0.00")


@dataclass
class RealisationFigures:
    elapsed: Decimal
    targets: int
    on_track: int
    realisation: Decimal | None
    lights: dict[str, int]
    per_agency: dict[int, Decimal] = field(default_factory=dict)
    per_area: list[tuple[str, int, Decimal | None]] = field(default_factory=list)
    late: list[dict] = field(default_factory=list)

    @property
    def on_track_pct(self) -> Decimal | None:
        if not self.targets:
            return None
        return (Decimal(self.on_track) * 100 / self.targets).quantize(Decimal("0.01"))


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def measured_targets(cycle: Cycle, *, agency: Agency | None = None):
    """The targets measured in the cycle, each with `counted`: its capped verified
    realisation, 0 without one."""
    targets = Target.objects.filter(plan__cycle=cycle, plan__state__in=MEASURED)
    if agency is not None:
        targets = targets.filter(plan__agency=agency)
    return targets.annotate(
        counted=Coalesce(
            "realisation__counted",
            Value(ZERO),
            output_field=DecimalField(max_digits=5, decimal_places=2),
        )
    )


# The traffic-light colours as conditions on a target's counted realisation.
LIGHTS = {
    "green": Q(counted__gte=GREEN_FROM),
    "yellow": Q(counted__gte=YELLOW_FROM, counted__lt=GREEN_FROM),
    "red": Q(counted__lt=YELLOW_FROM),
}


def drilled_targets(
    cycle: Cycle,
    *,
    agency: Agency | None = None,
    light: str | None = None,
    today: dt.date | None = None,
):
    """The dashboard's drill-down: the measured targets of the cycle (of one agency),
    lowest realisation first, with their plans; those behind schedule, or with `light`
    those of that traffic-light colour. A queryset of dicts, for a paginator."""
    today = today or timezone.localdate()
    elapsed = elapsed_share(cycle.implementation_start, cycle.implementation_end, today)
    targets = measured_targets(cycle, agency=agency)
    targets = (
        targets.filter(LIGHTS[light]) if light in LIGHTS else targets.filter(counted__lt=elapsed)
    )
    return targets.order_by("counted", "plan__title", "pk").values(
        "pk",
        "indicator",
        "unit",
        "target_value",
        "due_date",
        "counted",
        "realisation__realisation",
        "plan_id",
        "plan__title",
        "plan__agency_id",
        "plan__agency__name",
        "plan__agency__abbreviation",
    )


def _build(cycle: Cycle, agency: Agency | None, today: dt.date) -> RealisationFigures:
    elapsed = elapsed_share(cycle.implementation_start, cycle.implementation_end, today)
    empty = RealisationFigures(elapsed, 0, 0, None, {"green": 0, "yellow": 0, "red": 0})
    if today < cycle.implementation_start:
        return empty  # no plan enters implementation before its window opens: no query
    targets = measured_targets(cycle, agency=agency)
    areas = list(
        ChangeArea.objects.filter(is_active=True)
        .order_by("order", "name")
        .values_list("pk", "name")
    )
    # Each area's count and mean in the same pass as the totals (the plan's own area ids,
    # no link table): one scan of the cycle's measured targets instead of one per area.
    per_area_columns = {}
    for pk, _name in areas:
        serves = Q(plan__area_ids__contains=[pk])
        per_area_columns[f"area_{pk}_n"] = Count("pk", filter=serves)
        per_area_columns[f"area_{pk}_mean"] = Avg("counted", filter=serves)
    totals = targets.aggregate(
        n=Count("pk"),
        on_track=Count("pk", filter=Q(counted__gte=elapsed)),
        mean=Avg("counted"),
        green=Count("pk", filter=Q(counted__gte=GREEN_FROM)),
        yellow=Count("pk", filter=Q(counted__gte=YELLOW_FROM, counted__lt=GREEN_FROM)),
        **per_area_columns,
    )
    if not totals["n"]:
        return empty
    per_agency = {
        row["plan__agency"]: _round(row["mean"])
        for row in targets.order_by().values("plan__agency").annotate(mean=Avg("counted"))
    }
    per_area = [
        (name, totals[f"area_{pk}_n"], _round(totals[f"area_{pk}_mean"])) for pk, name in areas
    ]
    late = list(
        targets.filter(counted__lt=elapsed)
        .order_by("counted", "plan__title", "pk")
        .values(
            "pk", "indicator", "counted", "plan_id", "plan__title", "plan__agency__abbreviation"
        )[:LATE_SHOWN]
    )
    return RealisationFigures(
        elapsed=elapsed,
        targets=totals["n"],
        on_track=totals["on_track"],
        realisation=_round(totals["mean"]),
        lights={
            "green": totals["green"],
            "yellow": totals["yellow"],
            "red": totals["n"] - totals["green"] - totals["yellow"],
        },
        per_agency=per_agency,
        per_area=per_area,
        late=late,
    )


def cycle_realisation(
    cycle: Cycle,
    *,
    agency: Agency | None = None,
    today: dt.date | None = None,
    refresh: bool = False,
) -> RealisationFigures:
    """The figures, from the cache when fresh; `refresh=True` reads them anew (for the
    documents, like the summary's other figures)."""
    today = today or timezone.localdate()
    return cache.cached(
        cycle.pk,
        "realisation",
        lambda: _build(cycle, agency, today),
        agency.pk if agency else "all",
        today.isoformat(),
        refresh=refresh,
    )


@dataclass
class RealisationReport:
    """The dashboard's realisation figures as the provincial summary and the spreadsheet
    print them: the figures, each agency's mean by name, the closing reports."""

    figures: RealisationFigures
    agencies: list[tuple[str, Decimal]]
    closings: list


def realisation_report(cycle: Cycle, *, today: dt.date | None = None) -> RealisationReport:
    """The figures read fresh, the names of the agencies measured (one query) and the
    closing report of every completed plan, by agency and title (one query)."""
    figures = cycle_realisation(cycle, today=today, refresh=True)
    names = dict(Agency.objects.filter(pk__in=figures.per_agency).values_list("pk", "name"))
    agencies = sorted(
        ((names[pk], mean) for pk, mean in figures.per_agency.items()),
        key=lambda row: (row[0].casefold(), row[0]),
    )
    closings = list(
        ClosingReport.objects.filter(plan__cycle=cycle, plan__state=PlanState.COMPLETED)
        .select_related("plan", "plan__agency")
        .order_by("plan__agency__name", "plan__title", "plan_id")
    )
    return RealisationReport(figures=figures, agencies=agencies, closings=closings)
