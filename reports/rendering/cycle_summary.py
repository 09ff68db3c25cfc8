"""The provincial summary report of a cycle: the dashboard's figures on paper.

Every figure comes from `reports.selectors`, the source of the on-screen dashboard, so
screen and paper agree. The document reads them fresh from the database (and renews the
dashboard's cache): a worker's per-process cache may not have seen the invalidations made
in the web process, and an official document must not print figures minutes old. The
review totals, which the dashboard leaves out, come from `review_totals` (one query).
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from plans.enums import PlanState
from plans.models import Cycle
from plans.selectors.similar import cycle_links
from reports.selectors import (
    LOW_MEAN_SCORE,
    AgencyRow,
    CycleOverview,
    agency_rows,
    cycle_overview,
    review_totals,
)
from reports.selectors.alignment import shaded_alignment_map
from reports.selectors.realisation import realisation_report

from . import Rendered, ReportError
from .pdf import DOCUMENT_LANGUAGE, render_pdf, verification_context
from .svg import Bar, bar_chart


def load_cycle(cycle_id: int) -> Cycle:
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise ReportError(_("Siklus ini sudah tidak ada."))
    return cycle


@dataclass(frozen=True)
class SummaryFigures:
    overview: CycleOverview
    reviews: int
    reviewers: int
    # Every agency with agents or plans, by name; and, printed in full (the dashboard
    # shows the first ten), those without a submission and those scoring low on average.
    agencies: list[AgencyRow]
    no_submission: list[AgencyRow]
    low_score: list[AgencyRow]


def summary_figures(cycle: Cycle) -> SummaryFigures:
    """The figures of the summary: the dashboard's (read fresh), plus the review totals."""
    overview = cycle_overview(cycle, refresh=True)
    rows = agency_rows(cycle)  # the per-agency figures the line above just renewed
    totals = review_totals(cycle)
    return SummaryFigures(
        overview=overview,
        reviews=totals["reviews"],
        reviewers=totals["reviewers"],
        agencies=rows,
        no_submission=[r for r in rows if r.no_submission],
        low_score=sorted(
            (r for r in rows if r.low_score),
            key=lambda r: (r.mean_score, r.name.casefold(), r.agency_id),
        ),
    )


def _chart(tallies, *, title: str, label_width: int, label=lambda t: t.label):
    return bar_chart(
        [Bar(str(label(t)), t.count) for t in tallies], title=title, label_width=label_width
    )


def summary_context(cycle: Cycle, *, code: str) -> dict:
    figures = summary_figures(cycle)
    overview = figures.overview
    return {
        "cycle": cycle,
        "summary": figures,
        "headline": overview.headline,
        # (plan, its state's label): the overview keeps the state's value only.
        "top_plans": [(plan, PlanState(plan.state).label) for plan in overview.top_plans],
        "low_mean_score": LOW_MEAN_SCORE,
        "score_chart": _chart(
            overview.score_bins, title=_("Sebaran nilai rencana"), label_width=110
        ),
        # Labels from the state itself: the cached overview holds them in the language of
        # whoever computed it, and the document is always in Bahasa Indonesia.
        "state_chart": _chart(
            overview.states,
            title=_("Jumlah rencana per status"),
            label_width=150,
            label=lambda t: PlanState(t.key).label,
        ),
        "area_chart": _chart(
            overview.change_areas, title=_("Cakupan area perubahan RB"), label_width=230
        ),
        "value_chart": _chart(
            overview.core_values, title=_("Cakupan nilai BerAKHLAK"), label_width=230
        ),
        # Plans the Biro Organisasi linked across agencies (kolaborasi, replikasi).
        "links": cycle_links(cycle),
        # Plans per RB area × BerAKHLAK value and per agency × area (every agency), each
        # cell with its verified realisation where monitoring has data, as on the page.
        "alignment": shaded_alignment_map(cycle),
        # The dashboard's realisation figures, read fresh, and the closing reports.
        "realisation": realisation_report(cycle),
        "document_title": _("Laporan Ringkas Assessment Agen Perubahan"),
        **verification_context(code),
    }


def render_cycle_summary(job) -> Rendered:
    cycle = load_cycle(job.params["cycle_id"])
    # The charts are drawn here, outside render_pdf: their titles and labels too must be
    # in the document's language, whatever the language of the process.
    with translation.override(DOCUMENT_LANGUAGE):
        context = summary_context(cycle, code=job.verification_code)
    return Rendered(
        filename=f"ringkasan-{cycle.code}.pdf",
        content=render_pdf("pdf/cycle_summary.html", context),
        title=f"{context['document_title']} — {cycle.name}",
    )
