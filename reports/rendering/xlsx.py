"""Spreadsheet exports (openpyxl): formatted headers, frozen panes, number formats."""

from io import BytesIO

from django.db.models import F, OuterRef, Prefetch, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from agenplan.spreadsheets import CREATOR, TEXT, append_row
from agents.models import Agent
from assessment.enums import ReviewState
from assessment.models import Criterion, CriterionScore, Decision, Review
from plans import sections
from plans.enums import PlanState
from plans.models import ActionPlan, Activity, Cycle, PlanVersion, Target

from ..selectors.realisation import realisation_report
from . import Rendered, ReportError
from .pdf import DOCUMENT_LANGUAGE

HEADER_FILL = PatternFill("solid", fgColor="0B3D6E")
HEADER_FONT = Font(bold=True, color="FFFFFF")


# A header longer than this wraps onto its second line (the header row is two lines high).
HEADER_MAX_WIDTH = 60


def _workbook(title: str) -> Workbook:
    """An empty workbook whose properties name its title and the application."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = title
    wb.properties.creator = CREATOR
    return wb


def _sheet(wb, title: str, headers: list[str], widths: list[int], *, freeze: str = "A2"):
    """A sheet with a formatted header row, frozen panes and a filter on the header; each
    column at least as wide as its header."""
    ws = wb.create_sheet(title)
    append_row(ws, headers)
    for col, width in enumerate(widths, start=1):
        width = max(width, min(len(str(headers[col - 1])) + 2, HEADER_MAX_WIDTH))
        cell = ws.cell(row=1, column=col)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
    return ws


def plans_workbook(cycle: Cycle, plans, *, progress=None) -> bytes:
    """Plans with their activities and targets, one sheet each, for a cycle."""
    plans = plans.select_related(
        "agency", "owner__user", *sections.reference_names()
    ).prefetch_related(
        Prefetch("activities", queryset=Activity.objects.order_by("order", "id")),
        Prefetch("targets", queryset=Target.objects.order_by("order", "id")),
        Prefetch("co_agents", queryset=Agent.objects.select_related("user")),
        *sections.many_names(),
    )
    # The plan's fields a spreadsheet can hold (not the long texts), from the registry.
    exported = [spec for spec in sections.plan_fields() if spec.exported]
    wb = _workbook(plans_title(cycle))
    ws_plans = _sheet(
        wb,
        _("Rencana"),
        [
            _("ID"),
            _("Judul"),
            _("Perangkat daerah"),
            _("Agen"),
            _("NIP"),
            _("Status"),
            _("Nilai"),
            _("Diajukan"),
            *(spec.label for spec in exported),
            _("Anggota tim"),
            _("Jumlah kegiatan"),
            _("Jumlah target"),
        ],
        [8, 50, 40, 32, 20, 18, 9, 18, *(spec.kind.column_width for spec in exported), 32, 10, 10],
        freeze="C2",
    )
    ws_acts = _sheet(
        wb,
        _("Kegiatan"),
        [
            _("ID rencana"),
            _("No."),
            _("Kegiatan"),
            _("Keluaran"),
            _("Mulai"),
            _("Selesai"),
            _("PJ"),
            _("Anggaran (Rp)"),
        ],
        [10, 6, 50, 30, 12, 12, 24, 16],
        freeze="C2",
    )
    ws_targets = _sheet(
        wb,
        _("Target"),
        [
            _("ID rencana"),
            _("No."),
            _("Indikator"),
            _("Satuan"),
            _("Baseline"),
            _("Target"),
            _("Tenggat"),
            _("Verifikasi"),
        ],
        [10, 6, 50, 12, 12, 12, 12, 36],
        freeze="C2",
    )
    total = plans.count() or 1
    for index, plan in enumerate(plans.iterator(chunk_size=500), start=1):
        submitted = (
            timezone.localtime(plan.submitted_at).replace(tzinfo=None)
            if (plan.submitted_at)
            else None
        )
        append_row(
            ws_plans,
            [
                plan.pk,
                plan.title,
                plan.agency.name,
                plan.owner.user.name,
                plan.owner.user.nip or "",
                str(plan.get_state_display()),
                # A plan still in review has a partial set of reviews: no score yet.
                float(plan.score)
                if plan.score is not None and plan.state in PlanState.DECIDED
                else None,
                submitted,
                *(spec.cell(spec.freeze(plan)) for spec in exported),
                "; ".join(a.user.name for a in plan.co_agents.all()),
                len(plan.activities.all()),
                len(plan.targets.all()),
            ],
        )
        for n, activity in enumerate(plan.activities.all(), start=1):
            append_row(
                ws_acts,
                [
                    plan.pk,
                    n,
                    activity.title,
                    activity.output,
                    activity.start_month,
                    activity.end_month,
                    activity.responsible,
                    int(activity.budget) if activity.budget is not None else None,
                ],
            )
        for n, target in enumerate(plan.targets.all(), start=1):
            append_row(
                ws_targets,
                [
                    plan.pk,
                    n,
                    target.indicator,
                    target.unit,
                    float(target.baseline),
                    float(target.target_value),
                    target.due_date,
                    target.verification,
                ],
            )
        if progress and index % 200 == 0:
            progress(int(index * 90 / total))
    counts = len(exported) + 10  # the two counts are the last columns
    _formats(
        ws_plans,
        {
            "G": "0.00",
            "H": "DD/MM/YYYY HH:MM",
            **{
                get_column_letter(9 + i): spec.kind.number_format
                for i, spec in enumerate(exported)
                if spec.kind.number_format
            },
            get_column_letter(counts): "0",
            get_column_letter(counts + 1): "0",
        },
    )
    _formats(ws_plans, {"E": TEXT})  # the NIP: 18 digits kept as written
    _formats(ws_acts, {"E": "MMM YYYY", "F": "MMM YYYY", "H": "#,##0"})
    _formats(ws_targets, {"E": "#,##0.##", "F": "#,##0.##", "G": "DD/MM/YYYY"})
    realisation_sheets(wb, realisation_report(cycle))
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _pct(value) -> float | None:
    return None if value is None else float(value)


def realisation_sheets(wb, report) -> None:
    """The dashboard's realisation figures (a `RealisationReport`): the province's, per
    agency and per RB area, and the closing reports of the completed plans."""
    figures = report.figures
    ws = _sheet(wb, _("Realisasi"), [_("Angka"), _("Nilai")], [48, 14], freeze="A2")
    for label, value in (
        (_("Target diukur"), figures.targets),
        (_("Target sesuai jadwal"), figures.on_track),
        (_("Target sesuai jadwal (%)"), _pct(figures.on_track_pct)),
        (_("Masa pelaksanaan yang telah berjalan (%)"), _pct(figures.elapsed)),
        (_("Realisasi rata-rata (%)"), _pct(figures.realisation)),
        (_("Lampu hijau (≥ 90%)"), figures.lights["green"]),
        (_("Lampu kuning (70–89%)"), figures.lights["yellow"]),
        (_("Lampu merah (< 70%)"), figures.lights["red"]),
    ):
        append_row(ws, [label, value])
    ws_agencies = _sheet(
        wb, _("Realisasi per OPD"), [_("Perangkat daerah"), _("Realisasi (%)")], [50, 14]
    )
    for name, mean in report.agencies:
        append_row(ws_agencies, [name, _pct(mean)])
    ws_areas = _sheet(
        wb,
        _("Realisasi per area RB"),
        [_("Area perubahan"), _("Target"), _("Realisasi (%)")],
        [40, 10, 14],
    )
    for name, count, mean in figures.per_area:
        append_row(ws_areas, [name, count, _pct(mean)])
    ws_closing = _sheet(
        wb,
        _("Laporan akhir"),
        [
            _("ID rencana"),
            _("Rencana"),
            _("Perangkat daerah"),
            _("Hasil per target"),
            _("Dampak di dalam instansi"),
            _("Dampak bagi provinsi dan masyarakat"),
            _("Pelajaran"),
            _("Inovasi dilanjutkan"),
            _("Dilembagakan dengan (SK / SOP)"),
        ],
        [10, 40, 32, 50, 50, 50, 40, 12, 32],
        freeze="C2",
    )
    for closing in report.closings:
        plan = closing.plan
        append_row(
            ws_closing,
            [
                plan.pk,
                plan.title,
                plan.agency.name,
                closing.results,
                closing.internal_impact,
                closing.external_impact,
                closing.lessons,
                _("Ya") if closing.continues else _("Tidak"),
                closing.institutionalised_by,
            ],
        )
    _formats(ws, {"B": "0.##"})
    _formats(ws_agencies, {"B": "0.00"})
    _formats(ws_areas, {"C": "0.00"})


def _formats(ws, formats: dict[str, str]) -> None:
    for column, number_format in formats.items():
        for cell in ws[column][1:]:
            cell.number_format = number_format


def _cycle(job) -> Cycle:
    cycle = Cycle.objects.filter(pk=job.params["cycle_id"]).first()
    if cycle is None:
        raise ReportError(_("Siklus ini sudah tidak ada."))
    return cycle


def export_plans(job) -> Rendered:
    cycle = _cycle(job)
    plans = ActionPlan.objects.filter(cycle=cycle).order_by("agency__name", "id")
    with translation.override(DOCUMENT_LANGUAGE):
        content = plans_workbook(cycle, plans, progress=lambda pct: _set_progress(job, pct))
    return Rendered(
        filename=f"rencana-tindak-{cycle.code}.xlsx",
        content=content,
        title=plans_title(cycle),
    )


def plans_title(cycle: Cycle) -> str:
    return f"{_('Rencana, kegiatan dan target')} — {cycle.name}"


def scores_title(cycle: Cycle) -> str:
    return f"{_('Nilai per rencana dan kriteria')} — {cycle.name}"


def _latest_version_id():
    return Subquery(
        PlanVersion.objects.filter(plan=OuterRef("assignment__plan"))
        .order_by("-number")
        .values("pk")[:1]
    )


def scores_workbook(cycle: Cycle, *, progress=None) -> bytes:
    """Scores per plan and criterion: one row per submitted review of each plan's latest
    version, a column per criterion (its level), the review's total, the plan's score,
    the disagreement flag and the decision. Reviewers are "Reviewer 1, 2 …" per plan when
    the cycle hides reviewer identities.

    Four queries whatever the size: criteria, reviews (with plan, agency, reviewer),
    their scores, the decisions.
    """
    criteria = list(Criterion.objects.filter(rubric__cycle=cycle).order_by("order", "id"))
    reviews = (
        Review.objects.filter(
            assignment__plan__cycle=cycle,
            assignment__is_active=True,
            state=ReviewState.SUBMITTED,
        )
        .annotate(latest_version=_latest_version_id())
        .filter(version_id=F("latest_version"))
        .select_related("assignment__plan__agency", "assignment__reviewer", "version")
        .prefetch_related(
            Prefetch(
                "scores", queryset=CriterionScore.objects.only("review_id", "criterion_id", "level")
            )
        )
        .order_by(
            "assignment__plan__agency__name",
            "assignment__plan__title",
            "assignment__plan_id",
            "assignment__assigned_at",
            "assignment_id",
        )
    )
    decisions = {
        d.version_id: d
        for d in Decision.objects.filter(plan__cycle=cycle).only("version_id", "outcome")
    }
    wb = _workbook(scores_title(cycle))
    headers = [
        _("ID rencana"),
        _("Judul"),
        _("Perangkat daerah"),
        _("Versi"),
        _("Reviewer"),
        *[f"{c.code} {c.name} ({c.weight})" for c in criteria],
        _("Nilai total penilaian"),
        _("Nilai rencana"),
        _("Berbeda jauh"),
        _("Keputusan"),
    ]
    ws = _sheet(
        wb,
        _("Nilai"),
        headers,
        [10, 48, 36, 7, 24, *[14] * len(criteria), 12, 12, 11, 16],
        freeze="C2",
    )
    anonymous = cycle.reviewer_anonymity
    first_level_col = 6
    total = reviews.count() or 1
    number, previous_plan = 0, None
    for index, review in enumerate(reviews.iterator(chunk_size=500), start=1):
        plan = review.assignment.plan
        number = number + 1 if plan.pk == previous_plan else 1
        previous_plan = plan.pk
        levels = {s.criterion_id: s.level for s in review.scores.all()}
        decision = decisions.get(review.version_id)
        append_row(
            ws,
            [
                plan.pk,
                plan.title,
                plan.agency.name,
                review.version.number,
                _("Reviewer %(number)d") % {"number": number}
                if anonymous
                else str(review.assignment.reviewer),
                *[levels.get(c.pk) for c in criteria],
                float(review.total),
                float(plan.score) if plan.score is not None else None,
                _("Ya") if plan.review_flagged else _("Tidak"),
                str(decision.get_outcome_display()) if decision else "",
            ],
        )
        if progress and index % 500 == 0:
            progress(int(index * 90 / total))
    last_level_col = first_level_col + len(criteria) - 1
    formats = {get_column_letter(c): "0" for c in range(first_level_col, last_level_col + 1)}
    formats[get_column_letter(last_level_col + 1)] = "0.00"
    formats[get_column_letter(last_level_col + 2)] = "0.00"
    formats["D"] = "0"
    _formats(ws, formats)
    ws_criteria = _sheet(wb, _("Kriteria"), [_("Kode"), _("Kriteria"), _("Bobot")], [10, 60, 10])
    for criterion in criteria:
        append_row(ws_criteria, [criterion.code, criterion.name, criterion.weight])
    _formats(ws_criteria, {"C": "0"})
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_scores(job) -> Rendered:
    cycle = _cycle(job)
    with translation.override(DOCUMENT_LANGUAGE):
        content = scores_workbook(cycle, progress=lambda pct: _set_progress(job, pct))
        title = scores_title(cycle)
    return Rendered(filename=f"nilai-{cycle.code}.xlsx", content=content, title=title)


def _set_progress(job, pct: int) -> None:
    type(job).objects.filter(pk=job.pk).update(progress=min(pct, 99))
