"""The coordinator's triage tags: defined per cycle, added to and removed from plans (many
at once), every change audited."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.services import activity_entry, record_activities, record_activity
from plans.models import ActionPlan, Cycle
from plans.services.common import PlanError, _require

from ..models import PlanTag, PlanTagging
from ..models.tags import TAG_NAME_MAX_LENGTH

PERMISSION = "assessment.tag_plans"
REFUSED = _("Hanya koordinator yang dapat memberi label.")


def create_tag(cycle: Cycle, *, name: str, by: User) -> PlanTag:
    """A new tag of the cycle; refused on the field when empty, too long or taken."""
    _require(by, PERMISSION, cycle, REFUSED)
    name = " ".join(name.split())
    if not name:
        raise PlanError(_("Nama label wajib diisi."), field="name")
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise PlanError(
            _("Paling banyak %(limit)s karakter.") % {"limit": TAG_NAME_MAX_LENGTH}, field="name"
        )
    if PlanTag.objects.filter(cycle=cycle, name__iexact=name).exists():
        raise PlanError(_("Label dengan nama ini sudah ada."), field="name", code="duplicate")
    try:
        with transaction.atomic():
            tag = PlanTag.objects.create(cycle=cycle, name=name, created_by=by)
            record_activity(actor=by, action="tag.created", obj=cycle, data={"tag": name})
    except IntegrityError as error:  # a second tab created it a moment before
        raise PlanError(
            _("Label dengan nama ini sudah ada."), field="name", code="duplicate"
        ) from error
    return tag


def delete_tag(tag: PlanTag, *, by: User) -> None:
    """The tag goes, and with it from every plan; audited with how many plans had it."""
    _require(by, PERMISSION, tag.cycle, REFUSED)
    with transaction.atomic():
        count = tag.taggings.count()
        record_activity(
            actor=by, action="tag.deleted", obj=tag.cycle, data={"tag": tag.name, "plans": count}
        )
        tag.delete()


def tag_plans(tag: PlanTag, plans, *, add: bool, by: User) -> int:
    """Add the tag to (or remove it from) the chosen plans of its cycle, at once; one audit
    entry per plan that changed ("plan.tagged" or "plan.untagged"). How many changed."""
    _require(by, PERMISSION, tag.cycle, REFUSED)
    ids = set(
        ActionPlan.objects.filter(pk__in=[p.pk for p in plans], cycle_id=tag.cycle_id).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic():
        had = set(
            PlanTagging.objects.filter(tag=tag, plan_id__in=ids).values_list("plan_id", flat=True)
        )
        changed = sorted(ids - had) if add else sorted(had)
        if not changed:
            return 0
        if add:
            PlanTagging.objects.bulk_create(
                [PlanTagging(tag=tag, plan_id=pk, added_by=by) for pk in changed],
                ignore_conflicts=True,
            )
        else:
            PlanTagging.objects.filter(tag=tag, plan_id__in=changed).delete()
        action = "plan.tagged" if add else "plan.untagged"
        record_activities(
            [
                activity_entry(actor=by, action=action, obj=plan, data={"tag": tag.name})
                for plan in ActionPlan.objects.filter(pk__in=changed).order_by("pk")
            ]
        )
    return len(changed)
