"""The reference rows the generators attach plans to, read once per run."""

from agencies.models import Agency
from assessment.models import Rubric
from plans.models import ChangeArea, CoreValue, GovernorMission
from reference.loading import default_rubric_name


def default_rubric() -> Rubric:
    """The template rubric loaded from the region's reference data."""
    return Rubric.objects.get(cycle__isnull=True, name=default_rubric_name())


def reference_lookups() -> tuple[dict, dict, dict]:
    """(change areas by code, core values by code, missions by (period, number))."""
    return (
        {a.code: a for a in ChangeArea.objects.all()},
        {v.code: v for v in CoreValue.objects.all()},
        {(m.period, m.number): m for m in GovernorMission.objects.all()},
    )


def agencies_by_code() -> dict[str, Agency]:
    return {a.code: a for a in Agency.objects.all()}
