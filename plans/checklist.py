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
    """One check. `message` says what is needed (shown while it is missing), `met` says
    what is already there (shown once it is complete); `label` is the one that applies."""

    section: str
    field: str
    message: str
    ok: bool
    met: str = ""

    @property
    def label(self) -> str:
        return str(self.met or self.message) if self.ok else str(self.message)

    @property
    def anchor(self) -> str:
        """The id of the element of the editor that holds the field."""
        if self.field in ("activities", "targets"):
            return f"section-{self.field}"
        return f"div_id_{self.field}"


def plan_checklist(plan: ActionPlan) -> list[ChecklistItem]:
    """Every check of the plan, complete or not, in the order of the plan's sections."""
    cycle = plan.cycle
    items: list[ChecklistItem] = []
    areas = list(plan.change_areas.all())
    values = list(plan.core_values.all())
    for section, field in REQUIRED_TEXT_FIELDS:
        label = ActionPlan._meta.get_field(field).verbose_name
        items.append(
            ChecklistItem(
                section,
                field,
                _("%(field)s wajib diisi.") % {"field": str(label).capitalize()},
                bool(str(getattr(plan, field) or "").strip()),
                _("%(field)s sudah diisi.") % {"field": str(label).capitalize()},
            )
        )
    items.append(
        ChecklistItem(
            PlanSection.ALIGNMENT,
            "change_areas",
            _("Pilih sedikitnya satu area perubahan RB."),
            bool(areas),
            _("Area perubahan RB dipilih: %(n)d.") % {"n": len(areas)},
        )
    )
    items.append(
        ChecklistItem(
            PlanSection.ALIGNMENT,
            "core_values",
            _("Pilih sedikitnya satu nilai BerAKHLAK."),
            bool(values),
            _("Nilai BerAKHLAK dipilih: %(n)d.") % {"n": len(values)},
        )
    )
    activities = list(plan.activities.all())
    items.append(
        ChecklistItem(
            PlanSection.ACTIVITIES,
            "activities",
            _("Sedikitnya %(n)d kegiatan (baru %(count)d).")
            % {"n": cycle.min_activities, "count": len(activities)},
            len(activities) >= cycle.min_activities,
            _("%(count)d kegiatan tercatat (minimal %(n)d).")
            % {"n": cycle.min_activities, "count": len(activities)},
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
            _("Kegiatan di luar masa pelaksanaan: %(titles)s.") % {"titles": ", ".join(outside)},
            not outside,
            _("Semua kegiatan berada dalam masa pelaksanaan."),
        )
    )
    targets = list(plan.targets.all())
    items.append(
        ChecklistItem(
            PlanSection.TARGETS,
            "targets",
            _("Sedikitnya %(n)d target terukur (baru %(count)d).")
            % {"n": cycle.min_targets, "count": len(targets)},
            len(targets) >= cycle.min_targets,
            _("%(count)d target terukur tercatat (minimal %(n)d).")
            % {"n": cycle.min_targets, "count": len(targets)},
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
            _("Tenggat di luar masa pelaksanaan: %(titles)s.") % {"titles": ", ".join(late)},
            not late,
            _("Tenggat setiap target berada dalam masa pelaksanaan."),
        )
    )
    return items


def missing_items(plan: ActionPlan) -> list[ChecklistItem]:
    return [item for item in plan_checklist(plan) if not item.ok]
