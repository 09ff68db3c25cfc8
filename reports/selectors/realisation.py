"""The dashboard's realisation figures (docs/domain.md, "Realisation"): verified
realisation of the targets of a cycle's plans in implementation or completed, aggregated
from the agencies' kept rows (`reports.AgencyTally`, which follow every accepted report
and every plan entering implementation) and the indexed `monitoring.TargetRealisation`,
a fixed number of queries whatever the number of plans or of RB change areas, cached per
cycle and day.

- "Target sesuai jadwal": the targets whose capped verified realisation is at least the
  share of the implementation window that has passed, with the count behind it;
- the mean realisation of the cycle, of each agency and of each RB change area (a target
  without a verified value counts 0);
- the traffic-light distribution of the targets;
- the late targets, lowest first, with their plans, for the drill-down (the same order).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency
from agenplan import cycle_cache
from monitoring.models import ClosingReport, TargetRealisation
from plans.enums import PlanState
from plans.models import ChangeArea, Cycle, Target
from plans.realisation import GREEN_FROM, YELLOW_FROM, elapsed_share, mean_of

from ..models import AgencyTally, CycleTally
from .tally_sums import json_sums

# The plans whose targets are measured: in implementation, or completed.
MEASURED = PlanState.MEASURED
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


# A drilled target's fields, read from either of the two lists below.
DRILLED_FIELDS = (
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


def _unverified(cycle: Cycle, agency: Agency | None):
    """The measured targets without a verified realisation (they count 0 %), by plan."""
    targets = Target.objects.filter(
        plan__cycle=cycle, plan__state__in=MEASURED, realisation__isnull=True
    )
    if agency is not None:
        targets = targets.filter(plan__agency=agency)
    return (
        targets.annotate(counted=Value(ZERO, output_field=DecimalField()))
        .order_by("plan_id", "pk")
        .values(*DRILLED_FIELDS)
    )


def _verified(cycle: Cycle, agency: Agency | None, condition: Q):
    """The verified realisations of the cycle meeting `condition` on `counted`, lowest
    first, in the order of the realisation's (cycle, counted) index."""
    rows = TargetRealisation.objects.filter(condition, cycle=cycle)
    if agency is not None:
        rows = rows.filter(agency=agency)
    return rows.order_by("counted", "plan_id", "target_id")


def _as_drilled(rows) -> list[dict]:
    """Verified realisations as drilled targets, in their order."""
    return [
        dict(zip(DRILLED_FIELDS, row, strict=True))
        for row in rows.values_list(
            "target_id",
            "target__indicator",
            "target__unit",
            "target__target_value",
            "target__due_date",
            "counted",
            "realisation",
            "plan_id",
            "plan__title",
            "agency_id",
            "agency__name",
            "agency__abbreviation",
        )
    ]


class DrilledTargets:
    """The drill-down's list for a paginator: the targets without a verified realisation
    (0 %, by plan) when they belong to it, then the verified ones, lowest first. Each part
    is counted on its own (the second on the realisation's index alone), and a page reads
    the verified rows' keys before their details: no page sorts every measured target."""

    def __init__(self, unverified, verified):
        self.unverified = unverified  # None when the list has no place for them
        self.verified = verified
        self._counts: tuple[int, int] | None = None

    def _sizes(self) -> tuple[int, int]:
        if self._counts is None:
            first = self.unverified.count() if self.unverified is not None else 0
            self._counts = (first, self.verified.count())
        return self._counts

    def count(self) -> int:
        return sum(self._sizes())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[dict]:
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("DrilledTargets is read a page (a slice) at a time")
        start, stop = key.start or 0, key.stop if key.stop is not None else self.count()
        first = self._sizes()[0]
        rows = []
        if start < first:
            rows = list(self.unverified[start : min(stop, first)])
        if stop > first:
            keys = list(
                self.verified.values_list("target_id", flat=True)[
                    max(start - first, 0) : stop - first
                ]
            )
            rows += _as_drilled(self.verified.filter(target_id__in=keys))
        return rows


def drilled_targets(
    cycle: Cycle,
    *,
    agency: Agency | None = None,
    light: str | None = None,
    today: dt.date | None = None,
) -> DrilledTargets:
    """The dashboard's drill-down: the measured targets of the cycle (of one agency),
    lowest realisation first, with their plans; those behind schedule, or with `light`
    those of that traffic-light colour. At 0 %, the targets without a verified value come
    before those verified at 0 %; then by plan and target. Sliced by a paginator."""
    today = today or timezone.localdate()
    elapsed = elapsed_share(cycle.implementation_start, cycle.implementation_end, today)
    if light in LIGHTS:
        condition = LIGHTS[light]
        # A target without a verified value counts 0 %: red, never yellow or green.
        unverified = light == "red"
    else:
        condition = Q(counted__lt=elapsed)
        unverified = ZERO < elapsed
    return DrilledTargets(
        _unverified(cycle, agency) if unverified else None,
        _verified(cycle, agency, condition),
    )


def _late(cycle: Cycle, agency: Agency | None, elapsed: Decimal, unverified: int) -> list[dict]:
    """The lowest targets behind schedule, in the drill-down's order: the targets without a
    verified value (0 %, by plan), when there are any, then the verified ones below the
    elapsed share from the realisation's (cycle, counted) index; two short reads."""
    if elapsed <= ZERO:
        return []
    first = list(_unverified(cycle, agency)[:LATE_SHOWN]) if unverified else []
    if len(first) == LATE_SHOWN:
        return first
    rest = _verified(cycle, agency, Q(counted__lt=elapsed))[: LATE_SHOWN - len(first)]
    return first + _as_drilled(rest)


FIGURE_COLUMNS = ("agency_id", "measured", "verified", "realised", "green", "yellow")


def _area_sums(cycle: Cycle, rows, *, whole: bool):
    """The agencies' figure columns, and per RB change area the measured targets and the
    sum of their realisation: the cycle's kept totals (`CycleTally`) for the `whole`
    cycle, else summed per key over the rows (by the database where it can)."""
    figures = list(rows.order_by("agency_id").values_list(*FIGURE_COLUMNS))
    kept = CycleTally.objects.filter(cycle=cycle).values_list("realised_areas", flat=True)
    areas = kept.first() if whole else None
    if areas is None:
        areas = json_sums(rows, {"realised_areas": (int, Decimal)})["realised_areas"]
    area_n = defaultdict(int, {key: n for key, (n, _total) in areas.items()})
    area_sum = defaultdict(Decimal, {key: Decimal(total) for key, (_n, total) in areas.items()})
    return figures, area_n, area_sum


def _build(cycle: Cycle, agency: Agency | None, today: dt.date) -> RealisationFigures:
    """The figures from the agencies' kept rows (`AgencyTally`: their columns, and the
    areas' sums), the targets on track counted on the realisation's
    index, the active areas, and the late list: at most six queries."""
    elapsed = elapsed_share(cycle.implementation_start, cycle.implementation_end, today)
    empty = RealisationFigures(elapsed, 0, 0, None, {"green": 0, "yellow": 0, "red": 0})
    if today < cycle.implementation_start:
        return empty  # no plan enters implementation before its window opens: no query
    rows = AgencyTally.objects.filter(cycle=cycle, measured__gt=0)
    if agency is not None:
        rows = rows.filter(agency=agency)
    rows, area_n, area_sum = _area_sums(cycle, rows, whole=agency is None)
    targets = sum(row[1] for row in rows)
    if not targets:
        return empty
    verified = sum(row[2] for row in rows)
    green = sum(row[4] for row in rows)
    yellow = sum(row[5] for row in rows)
    areas = ChangeArea.objects.filter(is_active=True).order_by("order", "name")
    # Elapsed is above 0 once the window has opened: a target without a verified value
    # (0 %) is never on track, so only verified realisations are counted.
    on_track = TargetRealisation.objects.filter(cycle=cycle, counted__gte=elapsed)
    if agency is not None:
        on_track = on_track.filter(agency=agency)
    return RealisationFigures(
        elapsed=elapsed,
        targets=targets,
        on_track=on_track.count(),
        realisation=mean_of(sum((row[3] for row in rows), ZERO), targets),
        lights={"green": green, "yellow": yellow, "red": targets - green - yellow},
        per_agency={row[0]: mean_of(row[3], row[1]) for row in rows},
        per_area=[
            (name, area_n[str(pk)], mean_of(area_sum[str(pk)], area_n[str(pk)]))
            for pk, name in areas.values_list("pk", "name")
        ],
        late=_late(cycle, agency, elapsed, targets - verified),
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
    return cycle_cache.cached(
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
