"""Spreadsheet exports (openpyxl): formatted headers, frozen panes, number formats."""

from io import BytesIO

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from plans.models import ActionPlan, Activity, Cycle, Target

HEADER_FILL = PatternFill("solid", fgColor="0B3D6E")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _sheet(wb, title: str, headers: list[str], widths: list[int]):
    ws = wb.create_sheet(title)
    ws.append(headers)
    for col, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=col)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
    return ws


def plans_workbook(cycle: Cycle, plans, *, progress=None) -> bytes:
    """Plans with their activities and targets, one sheet each, for a cycle."""
    plans = plans.select_related("agency", "owner__user").prefetch_related(
        Prefetch("activities", queryset=Activity.objects.order_by("order", "id")),
        Prefetch("targets", queryset=Target.objects.order_by("order", "id")),
    )
    wb = Workbook()
    wb.remove(wb.active)
    ws_plans = _sheet(
        wb,
        "Rencana",
        ["ID", "Judul", "Perangkat daerah", "Agen", "NIP", "Status", "Nilai", "Diajukan"],
        [8, 50, 40, 32, 20, 18, 9, 18],
    )
    ws_acts = _sheet(
        wb,
        "Kegiatan",
        ["ID rencana", "No.", "Kegiatan", "Keluaran", "Mulai", "Selesai", "PJ", "Anggaran (Rp)"],
        [10, 6, 50, 30, 12, 12, 24, 16],
    )
    ws_targets = _sheet(
        wb,
        "Target",
        ["ID rencana", "No.", "Indikator", "Satuan", "Baseline", "Target", "Tenggat", "Verifikasi"],
        [10, 6, 50, 12, 12, 12, 12, 36],
    )
    total = plans.count() or 1
    for index, plan in enumerate(plans.iterator(chunk_size=500), start=1):
        submitted = (
            timezone.localtime(plan.submitted_at).replace(tzinfo=None)
            if (plan.submitted_at)
            else None
        )
        ws_plans.append(
            [
                plan.pk,
                plan.title,
                plan.agency.name,
                plan.owner.user.name,
                plan.owner.user.nip or "",
                str(plan.get_state_display()),
                float(plan.score) if plan.score is not None else None,
                submitted,
            ]
        )
        for n, activity in enumerate(plan.activities.all(), start=1):
            ws_acts.append(
                [
                    plan.pk,
                    n,
                    activity.title,
                    activity.output,
                    activity.start_month,
                    activity.end_month,
                    activity.responsible,
                    int(activity.budget) if activity.budget is not None else None,
                ]
            )
        for n, target in enumerate(plan.targets.all(), start=1):
            ws_targets.append(
                [
                    plan.pk,
                    n,
                    target.indicator,
                    target.unit,
                    float(target.baseline),
                    float(target.target_value),
                    target.due_date,
                    target.verification,
                ]
            )
        if progress and index % 200 == 0:
            progress(int(index * 90 / total))
    _formats(ws_plans, {"G": "0.00", "H": "DD/MM/YYYY HH:MM"})
    _formats(ws_acts, {"E": "MMM YYYY", "F": "MMM YYYY", "H": "#,##0"})
    _formats(ws_targets, {"E": "#,##0.##", "F": "#,##0.##", "G": "DD/MM/YYYY"})
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _formats(ws, formats: dict[str, str]) -> None:
    for column, number_format in formats.items():
        for cell in ws[column][1:]:
            cell.number_format = number_format


def export_plans(job) -> tuple[str, bytes]:
    cycle = Cycle.objects.get(pk=job.params["cycle_id"])
    plans = ActionPlan.objects.filter(cycle=cycle).order_by("agency__name", "id")
    content = plans_workbook(cycle, plans, progress=lambda pct: _set_progress(job, pct))
    return f"rencana-tindak-{cycle.code}.xlsx", content


def _set_progress(job, pct: int) -> None:
    type(job).objects.filter(pk=job.pk).update(progress=min(pct, 99))
