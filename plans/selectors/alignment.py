"""The alignment map: how many of a cycle's plans serve each RB change area together with
each BerAKHLAK value, and each area per agency, read from the plans' own alignment ids
(`ActionPlan.area_ids`/`value_ids`: no link table is joined).

Four queries whatever the cycle's size: the areas, the values, one aggregate of
conditional counts (area × value) over the cycle's plans, and one GROUP BY agency with a
conditional count per area (with the agencies' names).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from ..models import ActionPlan, ChangeArea, CoreValue, Cycle

# The page shows the agency map's first agencies (alphabetical); the printed summary all.
AGENCY_ROWS_SHOWN = 60


@dataclass
class Cell:
    count: int
    share: int  # percent of the row's largest count (the shading), 0..100
    query: str  # the plan list's filter: area, value or agency, and the cycle
    # The verified realisation of the cell's plans in implementation, when monitoring has
    # data (filled by reports.selectors.alignment): their targets, the mean of their
    # capped verified figures and its traffic light.
    targets: int = 0
    realisation: Decimal | None = None
    light: str = ""


@dataclass
class MapRow:
    label: str
    code: str
    cells: list[Cell]


@dataclass
class HeatMap:
    title: str
    columns: list[tuple[str, str]]  # (code, name)
    rows: list[MapRow]
    # The rows (areas, agencies) that no plan of the cycle serves: named under the map.
    empty_rows: list[str] = field(default_factory=list)

    @property
    def empty_cells(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if not cell.count)


@dataclass
class AlignmentMap:
    area_value: HeatMap
    agency_area: HeatMap
    agencies_without: dict[str, int]  # area name → number of agencies with no plan in it
    agencies: int
    # The ids of the areas (rows of `area_value`, columns of `agency_area`) and values.
    area_ids: list[int] = field(default_factory=list)
    value_ids: list[int] = field(default_factory=list)
    # Whether the cycle's implementation has begun (cells may carry realisation).
    monitored: bool = False

    @property
    def shaded(self) -> bool:
        """Whether any cell carries a verified realisation figure."""
        return any(
            cell.light
            for heat in (self.area_value, self.agency_area)
            for row in heat.rows
            for cell in row.cells
        )

    @property
    def agency_rows_shown(self) -> list[MapRow]:
        return self.agency_area.rows[:AGENCY_ROWS_SHOWN]


def _cells(counts: list[int], queries: list[str]) -> list[Cell]:
    top = max(counts, default=0)
    return [
        Cell(count=n, share=round(100 * n / top) if top else 0, query=q)
        for n, q in zip(counts, queries, strict=True)
    ]


def alignment_map(cycle: Cycle) -> AlignmentMap:
    """The cycle's two heat maps and, per area, how many agencies with plans have none in
    it ("Penataan Tata Laksana: tidak ada rencana dari 12 OPD")."""
    areas = list(ChangeArea.objects.order_by("order", "code").values_list("pk", "code", "name"))
    values = list(CoreValue.objects.order_by("order", "code").values_list("pk", "code", "name"))
    plans = ActionPlan.objects.filter(cycle=cycle)
    pairs = {
        f"c_{a}_{v}": Count("id", filter=Q(area_ids__contains=[a], value_ids__contains=[v]))
        for a, _ac, _an in areas
        for v, _vc, _vn in values
    }
    counts = plans.aggregate(**pairs) if pairs else {}
    base = f"cycle={cycle.code}"
    area_rows = [
        MapRow(
            label=name,
            code=code,
            cells=_cells(
                [counts[f"c_{a}_{v}"] for v, _vc, _vn in values],
                [f"{base}&area={code}&value={vcode}" for _v, vcode, _vn in values],
            ),
        )
        for a, code, name in areas
    ]
    per_agency = (
        plans.order_by()
        .values("agency_id", "agency__name", "agency__abbreviation")
        .annotate(
            **{f"a_{a}": Count("id", filter=Q(area_ids__contains=[a])) for a, _c, _n in areas}
        )
        .order_by("agency__name", "agency_id")
    )
    agency_rows = []
    without = {name: 0 for _a, _c, name in areas}
    for row in per_agency:
        served = [row[f"a_{a}"] for a, _c, _n in areas]
        for (_a, _c, name), n in zip(areas, served, strict=True):
            without[name] += not n
        agency_rows.append(
            MapRow(
                label=row["agency__abbreviation"] or row["agency__name"],
                code=str(row["agency_id"]),
                cells=_cells(
                    served,
                    [f"{base}&agency={row['agency_id']}&area={code}" for _a, code, _n in areas],
                ),
            )
        )
    return AlignmentMap(
        area_value=HeatMap(
            title="area_value",
            columns=[(code, name) for _v, code, name in values],
            rows=area_rows,
            empty_rows=[r.label for r in area_rows if not any(c.count for c in r.cells)],
        ),
        agency_area=HeatMap(
            title="agency_area",
            columns=[(code, name) for _a, code, name in areas],
            rows=agency_rows,
        ),
        agencies_without={name: n for name, n in without.items() if n},
        agencies=len(agency_rows),
        area_ids=[a for a, _c, _n in areas],
        value_ids=[v for v, _c, _n in values],
    )
