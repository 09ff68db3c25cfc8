"""The coordinator's lists as spreadsheets: what the page shows, every row of it (the
filters of the page apply; pagination does not), through `agenplan.spreadsheets`."""

from django.utils.translation import gettext as _

from agenplan.spreadsheets import TEXT, Column, list_workbook
from plans.enums import PlanState
from plans.exports import decided_score, plan_cells, plan_columns
from plans.models import Cycle

from .selectors.board import CalibrationRow


def board_plans_workbook(cycle: Cycle, plans, *, with_scores: bool) -> bytes:
    """The decision board's or the assignments page's plans (`assessment.selectors.
    board_plans`): reviewers, reviews in, and (to whoever sees every score) the score of
    a decided plan."""
    extra = [Column(_("Reviewer aktif"), 10, "0"), Column(_("Penilaian masuk"), 10, "0")]
    if with_scores:
        extra.append(Column(_("Nilai"), 9, "0.00"))

    def rows():
        for plan in plans.iterator(chunk_size=1000):
            cells = [*plan_cells(plan), plan.reviewers or 0, plan.reviews_in or 0]
            if with_scores:
                cells.append(decided_score(plan))
            yield cells

    title = _("Rencana %(cycle)s") % {"cycle": cycle.code}
    return list_workbook(title, plan_columns(*extra), rows())


def reviewer_load_workbook(cycle: Cycle, reviewers) -> bytes:
    return list_workbook(
        _("Beban reviewer %(cycle)s") % {"cycle": cycle.code},
        [
            Column(_("Reviewer"), 36),
            Column(_("NIP"), 20, TEXT),
            Column(_("Aktif"), 10, "0"),
            Column(_("Dikirim"), 10, "0"),
            Column(_("Belum dikirim"), 12, "0"),
        ],
        ([r.name, r.nip or "", r.active, r.submitted, r.pending] for r in reviewers),
    )


def calibration_workbook(cycle: Cycle, rows: list[CalibrationRow]) -> bytes:
    def number(value):
        return None if value is None else float(value)

    return list_workbook(
        _("Kalibrasi %(cycle)s") % {"cycle": cycle.code},
        [
            Column(_("Reviewer"), 36),
            Column(_("Penilaian"), 10, "0"),
            Column(_("Rata-rata"), 10, "0.00"),
            Column(_("Simpangan baku"), 12, "0.00"),
            Column(_("Rata-rata reviewer lain"), 14, "0.00"),
            Column(_("Selisih"), 10, "0.00"),
        ],
        (
            [
                row.name,
                row.count,
                number(row.mean),
                number(row.spread),
                number(row.co_mean),
                number(row.difference),
            ]
            for row in rows
        ),
    )


def agency_table_workbook(cycle: Cycle, rows: list[dict]) -> bytes:
    """The board's table of plans per state for each agency."""
    return list_workbook(
        _("Per perangkat daerah %(cycle)s") % {"cycle": cycle.code},
        [
            Column(_("Perangkat daerah"), 44),
            Column(_("Singkatan"), 16),
            *(Column(str(label), 12, "0") for label in PlanState.labels),
            Column(_("Jumlah"), 10, "0"),
        ],
        (
            [row["name"], row["short_name"], *(n for _state, n in row["counts"]), row["total"]]
            for row in rows
        ),
    )
