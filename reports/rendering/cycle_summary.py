"""The provincial summary report of a cycle: the dashboard's figures on paper."""

from django.utils.translation import gettext as _

from plans.models import Cycle

from . import Rendered, ReportError
from .pdf import render_pdf, verification_context
from .summary_queries import LOW_MEAN_SCORE, cycle_summary
from .svg import Bar, bar_chart


def load_cycle(cycle_id: int) -> Cycle:
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise ReportError(_("Siklus ini sudah tidak ada."))
    return cycle


def summary_context(cycle: Cycle, *, code: str) -> dict:
    summary = cycle_summary(cycle)
    return {
        "cycle": cycle,
        "summary": summary,
        "low_mean_score": LOW_MEAN_SCORE,
        "score_chart": bar_chart(
            [Bar(b.label, b.count) for b in summary.score_bins],
            title=_("Sebaran nilai rencana"),
            label_width=110,
        ),
        "state_chart": bar_chart(
            [Bar(s.label, s.count) for s in summary.states],
            title=_("Jumlah rencana per status"),
            label_width=150,
        ),
        "area_chart": bar_chart(
            [Bar(a.label, a.count) for a in summary.change_areas],
            title=_("Cakupan area perubahan RB"),
            label_width=230,
        ),
        "value_chart": bar_chart(
            [Bar(v.label, v.count) for v in summary.core_values],
            title=_("Cakupan nilai BerAKHLAK"),
            label_width=230,
        ),
        "document_title": _("Laporan Ringkas Assessment Agen Perubahan"),
        **verification_context(code),
    }


def render_cycle_summary(job) -> Rendered:
    cycle = load_cycle(job.params["cycle_id"])
    context = summary_context(cycle, code=job.verification_code)
    return Rendered(
        filename=f"ringkasan-{cycle.code}.pdf",
        content=render_pdf("pdf/cycle_summary.html", context),
        title=f"{context['document_title']} — {cycle.name}",
    )
