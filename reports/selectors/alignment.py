"""The alignment map with its realisation shading: `plans.selectors.alignment` counts the
cycle's plans per RB area × BerAKHLAK value and per agency × area; this adds, to every
cell whose plans are being carried out, the verified realisation of their targets (the
mean of the targets' capped verified figures, a target without a verified value counting
0, as every roll-up of docs/domain.md, "Realisation") and its traffic light.

Two more queries whatever the cycle's size, and none before the implementation window
opens: one aggregate of conditional means over the cycle's measured targets (area ×
value), one GROUP BY agency with a conditional mean per area. The page and the printed
summary both read this function.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from plans.models import Cycle
from plans.realisation import traffic_light
from plans.selectors.alignment import AlignmentMap, Cell, alignment_map

from .realisation import measured_targets


def _shade(cell: Cell, mean, targets: int) -> None:
    if targets:
        cell.targets = targets
        cell.realisation = Decimal(mean).quantize(Decimal("0.01"))
        cell.light = traffic_light(cell.realisation)


def shaded_alignment_map(cycle: Cycle, *, today: dt.date | None = None) -> AlignmentMap:
    """The cycle's alignment map, its cells shaded by verified realisation where the
    cycle's monitoring has data (plans in implementation or completed, with targets)."""
    result = alignment_map(cycle)
    today = today or timezone.localdate()
    if today < cycle.implementation_start:
        return result
    result.monitored = True
    targets = measured_targets(cycle)
    areas, values = result.area_ids, result.value_ids
    figures = {}
    for a in areas:
        for v in values:
            served = Q(plan__area_ids__contains=[a], plan__value_ids__contains=[v])
            figures[f"r_{a}_{v}"] = Avg("counted", filter=served)
            figures[f"n_{a}_{v}"] = Count("pk", filter=served)
    pairs = targets.aggregate(**figures) if figures else {}
    for a, row in zip(areas, result.area_value.rows, strict=True):
        for v, cell in zip(values, row.cells, strict=True):
            _shade(cell, pairs[f"r_{a}_{v}"], pairs[f"n_{a}_{v}"])
    per_agency = {
        row["plan__agency_id"]: row
        for row in targets.order_by()
        .values("plan__agency_id")
        .annotate(
            **{f"r_{a}": Avg("counted", filter=Q(plan__area_ids__contains=[a])) for a in areas},
            **{f"n_{a}": Count("pk", filter=Q(plan__area_ids__contains=[a])) for a in areas},
        )
    }
    for row in result.agency_area.rows:
        found = per_agency.get(int(row.code))
        if found is None:
            continue
        for a, cell in zip(areas, row.cells, strict=True):
            _shade(cell, found[f"r_{a}"], found[f"n_{a}"])
    return result
