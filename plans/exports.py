"""The plan list as a spreadsheet, and the plan columns every exported list of plans
starts with (the coordinator's lists in `assessment.exports` too)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from agenplan.spreadsheets import TEXT, Column, list_workbook

from .enums import PlanState


def plan_columns(*extra: Column) -> list[Column]:
    return [
        Column(_("ID"), 9),
        Column(_("Judul"), 50),
        Column(_("Perangkat daerah"), 40),
        Column(_("Agen"), 32),
        Column(_("NIP"), 20, TEXT),
        Column(_("Status"), 18),
        Column(_("Diajukan"), 18, "DD/MM/YYYY HH:MM"),
        *extra,
    ]


def plan_cells(plan, *, content_visible: bool = True) -> list:
    """The cells of `plan_columns`; a plan the reader may only list (a colleague's, by its
    title and state) has no agent."""
    submitted = plan.submitted_at
    return [
        plan.pk,
        plan.title,
        plan.agency.name,
        plan.owner.user.name if content_visible else "",
        (plan.owner.user.nip or "") if content_visible else "",
        str(PlanState(plan.state).label),
        timezone.localtime(submitted).replace(tzinfo=None) if submitted else None,
    ]


def decided_score(plan) -> float | None:
    """The score an export shows: a plan's only once it is decided (before, a partial set
    of reviews makes it provisional)."""
    if plan.score is None or plan.state not in PlanState.DECIDED:
        return None
    return float(plan.score)


def plan_list_workbook(plans, *, with_scores: bool) -> bytes:
    """Every plan of the filtered list (`plans.selectors.filter_plans`), with its cycle
    and last change; the score to whoever sees every plan's score."""
    extra = [Column(_("Siklus"), 30), Column(_("Diperbarui"), 18, "DD/MM/YYYY HH:MM")]
    if with_scores:
        extra.append(Column(_("Nilai"), 9, "0.00"))

    def rows():
        for plan in plans.iterator(chunk_size=1000):
            visible = getattr(plan, "content_visible", True)
            cells = plan_cells(plan, content_visible=visible)
            cells += [plan.cycle.name, timezone.localtime(plan.updated_at).replace(tzinfo=None)]
            if with_scores:
                cells.append(decided_score(plan))
            yield cells

    return list_workbook(_("Daftar rencana"), plan_columns(*extra), rows())
