"""Cycles and rubrics: create, edit, clone last year's cycle with its rubric; edit a
rubric (weights summing to 100, five descriptors per criterion) until a review uses it."""

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.services import record_activity
from plans import sections as plan_sections
from plans.models import Cycle
from plans.services.common import PlanError

from ..enums import LEVEL_MAX, LEVEL_MIN, ReviewState
from ..models import Criterion, CriterionLevel, CriterionScore, Review, Rubric

CYCLE_FIELDS = (
    "name",
    "code",
    "year",
    "description",
    "drafting_opens",
    "submission_deadline",
    "review_starts",
    "review_ends",
    "revision_deadline",
    "decision_date",
    "implementation_start",
    "implementation_end",
    "reporting_months",
    "report_due_days",
    "reviewers_per_plan",
    "disagreement_levels",
    "disagreement_points",
    "reviewer_anonymity",
    "head_endorsement_required",
    "min_activities",
    "min_targets",
    "score_method",
)
LEVELS = range(LEVEL_MIN, LEVEL_MAX + 1)


def _require_coordinator(by: User, cycle: Cycle | None = None) -> None:
    perm = "plans.change_cycle" if cycle is not None else "plans.add_cycle"
    if not by.has_perm(perm, cycle):
        raise PlanError(_("Hanya koordinator yang mengelola siklus."), code="permission_denied")


def rubric_is_frozen(rubric: Rubric) -> bool:
    """A rubric is frozen once any review has scored one of its criteria."""
    return CriterionScore.objects.filter(criterion__rubric=rubric).exists()


def copy_rubric(source: Rubric | None, cycle: Cycle, *, name: str = "") -> Rubric | None:
    """Give a cycle its own copy of a rubric (criteria and level descriptors), under
    `name` or the source's; None when there is no source."""
    if source is None:
        return None
    rubric = Rubric.objects.create(
        name=name or source.name, cycle=cycle, description=source.description
    )
    criteria = list(source.criteria.prefetch_related("levels"))
    copies = Criterion.objects.bulk_create(
        Criterion(
            rubric=rubric,
            code=c.code,
            name=c.name,
            weight=c.weight,
            guidance=c.guidance,
            order=c.order,
            section=c.section,
        )
        for c in criteria
    )
    CriterionLevel.objects.bulk_create(
        CriterionLevel(criterion=copy, level=level.level, descriptor=level.descriptor)
        for original, copy in zip(criteria, copies, strict=True)
        for level in original.levels.all()
    )
    return rubric


def default_rubric() -> Rubric | None:
    """The template rubric (no cycle): the region's reference data, loaded by
    `manage.py load_reference_data`."""
    return Rubric.objects.filter(cycle__isnull=True).order_by("-created_at").first()


def _save_cycle(cycle: Cycle, fields) -> None:
    try:
        with transaction.atomic():
            if fields:
                cycle.save(update_fields=fields)
            else:
                cycle.save()
    except IntegrityError as error:
        if "code" in str(error):
            raise PlanError(
                _("Kode siklus sudah dipakai."), field="code", code="duplicate"
            ) from error
        raise PlanError(
            _("Tanggal tahapan siklus tidak berurutan."), field="submission_deadline"
        ) from error


def create_cycle(data: Mapping, *, by: User) -> Cycle:
    """A new cycle from the form's cleaned data, with a copy of the default rubric."""
    _require_coordinator(by)
    with transaction.atomic():
        cycle = Cycle(**{name: data[name] for name in CYCLE_FIELDS if name in data})
        _save_cycle(cycle, None)
        copy_rubric(
            default_rubric(), cycle, name=str(_("Instrumen %(cycle)s") % {"cycle": cycle.name})
        )
        record_activity(actor=by, action="cycle.create", obj=cycle)
    return cycle


def update_cycle(cycle: Cycle, data: Mapping, *, by: User) -> Cycle:
    _require_coordinator(by, cycle)
    # Compared with the stored row: a ModelForm has already set its values on `cycle`.
    stored = Cycle.objects.get(pk=cycle.pk)
    changed = [
        name for name in CYCLE_FIELDS if name in data and getattr(stored, name) != data[name]
    ]
    if not changed:
        return cycle
    thresholds = [n for n in ("disagreement_levels", "disagreement_points") if n in changed]
    if thresholds and _has_submitted_reviews(cycle):
        # The plans' flags were set with the old thresholds when their reviews came in.
        raise PlanError(
            _("Ambang beda penilaian tidak dapat diubah setelah ada penilaian yang dikirim."),
            field=thresholds[0],
            code="frozen",
        )
    with transaction.atomic():
        for name in changed:
            setattr(cycle, name, data[name])
        _save_cycle(cycle, [*changed, "updated_at"])
        record_activity(
            actor=by, action="cycle.update", obj=cycle, data={"fields": sorted(changed)}
        )
    return cycle


def _has_submitted_reviews(cycle: Cycle) -> bool:
    return Review.objects.filter(
        assignment__plan__cycle=cycle, state=ReviewState.SUBMITTED
    ).exists()


def _next_year(value):
    if value is None:
        return None
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year + 1, day=28)


def clone_cycle(source: Cycle, *, by: User) -> Cycle:
    """Next year's cycle: the same settings and rubric, every date one year later."""
    _require_coordinator(by)
    year = source.year + 1

    def bump(text: str) -> str:
        replaced = re.sub(str(source.year), str(year), text)
        return replaced if replaced != text else f"{text} {year}".strip()

    code = bump(source.code).replace(" ", "-")[:60]
    if Cycle.objects.filter(code=code).exists():
        raise PlanError(
            _("Siklus dengan kode %(code)s sudah ada.") % {"code": code}, code="duplicate"
        )
    values = {name: getattr(source, name) for name in CYCLE_FIELDS}
    for name in CYCLE_FIELDS:
        if isinstance(values[name], dt.date):  # dates and datetimes
            values[name] = _next_year(values[name])
    values.update(year=year, code=code, name=bump(source.name)[:200])
    with transaction.atomic():
        cycle = Cycle(**values)
        _save_cycle(cycle, None)
        rubric = Rubric.objects.filter(cycle=source).first() or default_rubric()
        copy_rubric(rubric, cycle, name=bump(rubric.name)[:255] if rubric else "")
        record_activity(actor=by, action="cycle.clone", obj=cycle, data={"source_id": source.pk})
    return cycle


def save_rubric(
    cycle: Cycle,
    *,
    criteria: Sequence[Mapping],
    by: User,
    name: str = "",
) -> Rubric:
    """Replace the criteria of the cycle's rubric.

    `criteria`: dicts with code, name, weight, guidance, section (optional: the plan
    section the criterion judges), levels {1..5: descriptor}.
    Weights must sum to 100; every level needs a descriptor; a rubric that a review has
    used is frozen.
    """
    _require_coordinator(by, cycle)
    if not criteria:
        raise PlanError(_("Instrumen memerlukan sedikitnya satu kriteria."), field="criteria")
    codes = [str(c["code"]).strip().upper() for c in criteria]
    if any(not code for code in codes):
        raise PlanError(_("Setiap kriteria memerlukan kode."), field="criteria")
    if len(set(codes)) != len(codes):
        raise PlanError(_("Kode kriteria harus unik."), field="criteria", code="duplicate")
    total = sum(int(c["weight"]) for c in criteria)
    if total != 100:
        raise PlanError(
            _("Jumlah bobot semua kriteria harus 100; sekarang %(total)s.") % {"total": total},
            field="weights",
            code="weights",
        )
    for c in criteria:
        if str(c.get("section", "")).strip() not in {"", *plan_sections.keys()}:
            raise PlanError(
                _("Kriteria %(code)s: bagian rencana tidak dikenal.") % {"code": c["code"]},
                field="criteria",
                code="section",
            )
        if not 1 <= int(c["weight"]) <= 100:
            raise PlanError(_("Bobot setiap kriteria 1 sampai 100."), field="weights")
        missing = [lvl for lvl in LEVELS if not str(c["levels"].get(lvl, "")).strip()]
        if missing:
            raise PlanError(
                _("Kriteria %(code)s: isi deskripsi tingkat %(levels)s.")
                % {"code": c["code"], "levels": ", ".join(map(str, missing))},
                field="criteria",
                code="levels",
            )
    with transaction.atomic():
        rubric = Rubric.objects.select_for_update().filter(cycle=cycle).first()
        if rubric is None:
            rubric = Rubric.objects.create(
                cycle=cycle, name=name or str(_("Instrumen %(cycle)s") % {"cycle": cycle.name})
            )
        elif rubric_is_frozen(rubric):
            raise PlanError(
                _("Instrumen ini sudah dipakai dalam penilaian dan tidak dapat diubah."),
                code="frozen",
            )
        if name and name != rubric.name:
            rubric.name = name
            rubric.save(update_fields=["name"])
        rubric.criteria.all().delete()
        created = Criterion.objects.bulk_create(
            Criterion(
                rubric=rubric,
                code=code,
                name=str(c["name"]).strip(),
                weight=int(c["weight"]),
                guidance=str(c.get("guidance", "")).strip(),
                order=i + 1,
                section=str(c.get("section", "")).strip(),
            )
            for i, (code, c) in enumerate(zip(codes, criteria, strict=True))
        )
        CriterionLevel.objects.bulk_create(
            CriterionLevel(criterion=criterion, level=lvl, descriptor=str(c["levels"][lvl]).strip())
            for criterion, c in zip(created, criteria, strict=True)
            for lvl in LEVELS
        )
        record_activity(
            actor=by,
            action="rubric.update",
            obj=rubric,
            data={"criteria": codes, "weights": [int(c["weight"]) for c in criteria]},
        )
    return rubric
