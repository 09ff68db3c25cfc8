"""The completeness checklist of a plan (docs/domain.md): what is still missing before submission.

A pure read over the plan's own rows: it returns items, each naming the section and the
field, so that the editor can link every missing item to the field that needs it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import sections
from .enums import PlanSection
from .models import ActionPlan


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


def _field_item(section: str, spec, value) -> ChecklistItem:
    """The check of a required field: filled as its kind says (a relation to many needs
    at least one object)."""
    label = spec.label
    if spec.kind.many:
        return ChecklistItem(
            section,
            spec.name,
            _("Pilih sedikitnya satu %(field)s.") % {"field": spec.model_field.verbose_name},
            spec.filled(value),
            _("%(field)s dipilih: %(n)d.") % {"field": label, "n": len(value)},
        )
    return ChecklistItem(
        section,
        spec.name,
        _("%(field)s wajib diisi.") % {"field": label},
        spec.filled(value),
        _("%(field)s sudah diisi.") % {"field": label},
    )


def plan_checklist(plan: ActionPlan) -> list[ChecklistItem]:
    """Every check of the plan, complete or not, in the order of the plan's sections:
    the required fields of the registry (`plans.sections`), then the rows' checks."""
    items = [
        _field_item(entry.key, spec, spec.freeze(plan))
        for entry, spec in sections.required_fields()
    ]
    items += _row_items(plan)
    return items


def _row_items(plan: ActionPlan) -> list[ChecklistItem]:
    cycle = plan.cycle
    items: list[ChecklistItem] = []
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
