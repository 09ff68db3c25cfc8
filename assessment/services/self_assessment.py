"""The team's self-assessment (penilaian mandiri): the plan's team scores its own plan on
the cycle's rubric while it may still edit it, for the version it will hand in."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.services import record_activity
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.common import PlanError, _locked, _require

from .. import scoring
from ..enums import LEVEL_MAX, LEVEL_MIN
from ..models import SelfAssessment
from .review import rubric_for


def next_version_number(plan: ActionPlan) -> int:
    """The number the plan's next handed-in version will carry."""
    latest = plan.versions.aggregate(latest=Max("number"))["latest"]
    return (latest or 0) + 1


def save_self_assessment(
    plan: ActionPlan, *, levels: Mapping[str, int], by: User
) -> SelfAssessment:
    """Record the team's levels (criterion code → level 1..5, every criterion of the
    cycle's rubric) for the version the plan will be handed in as. Only while the plan
    may be edited (a draft, or a revision asked for); saving again replaces the levels."""
    _require(
        by,
        "assessment.self_assess",
        plan,
        _("Hanya tim rencana ini yang dapat menilai rencananya sendiri."),
    )
    criteria = {c.code: c.weight for c in rubric_for(plan).criteria.all()}
    unknown = sorted(set(levels) - set(criteria))
    if unknown:
        raise PlanError(
            _("Kriteria %(code)s tidak dikenal.") % {"code": ", ".join(unknown)}, code="unknown"
        )
    missing = [code for code in criteria if levels.get(code) is None]
    if missing:
        raise PlanError(
            _("Pilih tingkat untuk setiap kriteria (belum: %(codes)s).")
            % {"codes": ", ".join(missing)},
            field=missing[0],
            code="incomplete",
        )
    for code, level in levels.items():
        if not LEVEL_MIN <= int(level) <= LEVEL_MAX:
            raise PlanError(
                _("Tingkat %(min)s sampai %(max)s.") % {"min": LEVEL_MIN, "max": LEVEL_MAX},
                field=code,
                code="level",
            )
    clean = {code: int(levels[code]) for code in criteria}
    with transaction.atomic():
        locked = _locked(plan)
        if locked.state not in PlanState.EDITABLE:
            raise PlanError(
                _("Penilaian mandiri hanya dapat diisi selama rencana masih dapat diubah."),
                code="invalid_transition",
            )
        assessment, _created = SelfAssessment.objects.update_or_create(
            plan=locked,
            version_number=next_version_number(locked),
            defaults={
                "levels": clean,
                "total": scoring.review_total(criteria, clean),
                "updated_by": by,
            },
        )
        # The audit trail says that it was filled in, never what it says: it stays the
        # team's until the decision.
        record_activity(actor=by, action="plan.self_assessment", obj=locked)
    return assessment
