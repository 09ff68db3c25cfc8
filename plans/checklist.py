"""The completeness checklist of a plan (SPEC.md §4): what is still missing before submission.

A pure read over the plan's own rows: it returns items, each naming the section and the
field, so that the editor can link every missing item to the field that needs it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .enums import PlanSection
from .models import ActionPlan

REQUIRED_TEXT_FIELDS = [
    (PlanSection.PROBLEM, "strategic_issue"),
    (PlanSection.PROBLEM, "baseline_data"),
    (PlanSection.PROBLEM, "root_cause"),
    (PlanSection.CHANGE, "innovation"),
    (PlanSection.CHANGE, "change_kind"),
    (PlanSection.CHANGE, "novelty"),
    (PlanSection.IMPACT, "impact_internal"),
    (PlanSection.IMPACT, "impact_external"),
    (PlanSection.RISKS, "stakeholders"),
    (PlanSection.RISKS, "risks"),
    (PlanSection.RISKS, "mitigation"),
]


@dataclass(frozen=True)
class ChecklistItem:
    section: str
    field: str
    message: str
    ok: bool


def plan_checklist(plan: ActionPlan) -> list[ChecklistItem]:
    """Every check of the plan, complete or not, in the order of the plan's sections."""
    cycle = plan.cycle
    items: list[ChecklistItem] = []
    for section, field in REQUIRED_TEXT_FIELDS:
        label = ActionPlan._meta.get_field(field).verbose_name
        items.append(
            ChecklistItem(
                section,
                field,
                _("%(field)s wajib diisi.") % {"field": str(label).capitalize()},
                bool(str(getattr(plan, field) or "").strip()),
            )
        )
    items.append(
        ChecklistItem(
            PlanSection.ALIGNMENT,
            "change_areas",
            _("Pilih sedikitnya satu area perubahan RB."),
            plan.change_areas.exists(),
        )
    )
    items.append(
        ChecklistItem(
            PlanSection.ALIGNMENT,
            "core_values",
            _("Pilih sedikitnya satu nilai BerAKHLAK."),
            plan.core_values.exists(),
        )
    )
    activities = list(plan.activities.all())
    items.append(
        ChecklistItem(
            PlanSection.ACTIVITIES,
            "activities",
            _("Sedikitnya %(n)d kegiatan.") % {"n": cycle.min_activities},
            len(activities) >= cycle.min_activities,
        )
    )
    window_start = cycle.implementation_start.replace(day=1)
    outside = [
        a.title
        for a in activities
        if a.start_month < window_start or a.end_month > cycle.implementation_end
    ]
    items.append(
        ChecklistItem(
            PlanSection.ACTIVITIES,
            "activities",
            _("Semua kegiatan berada dalam masa pelaksanaan."),
            not outside,
        )
    )
    targets = list(plan.targets.all())
    items.append(
        ChecklistItem(
            PlanSection.TARGETS,
            "targets",
            _("Sedikitnya %(n)d target terukur.") % {"n": cycle.min_targets},
            len(targets) >= cycle.min_targets,
        )
    )
    late = [
        t.indicator
        for t in targets
        if not (cycle.implementation_start <= t.due_date <= cycle.implementation_end)
    ]
    items.append(
        ChecklistItem(
            PlanSection.TARGETS,
            "targets",
            _("Tenggat setiap target berada dalam masa pelaksanaan."),
            not late,
        )
    )
    return items


def missing_items(plan: ActionPlan) -> list[ChecklistItem]:
    return [item for item in plan_checklist(plan) if not item.ok]
