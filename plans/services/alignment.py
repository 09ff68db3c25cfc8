"""The plans' denormalised alignment ids (`ActionPlan.area_ids`, `ActionPlan.value_ids`).

`change_areas` and `core_values` are the truth; these two id lists repeat their ids
(sorted: [3, 7]) so that the dashboard counts each area's and value's plans in the same
single pass over the plans as its other figures (`area_ids__contains=[3]`). They are
rewritten from the relations whenever either relation changes through the ORM (form
saves, `set`, `add`, `remove`, `clear`, from either side): `alignment_changed` receives
Django's `m2m_changed`. Code that writes the link tables directly (bulk inserts in
`seed_scale`) calls `refresh_alignment` itself.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models.signals import m2m_changed

from ..models import ActionPlan


def alignment_key(ids: Iterable[int]) -> list[int]:
    """[3, 7] for ids 7, 3 and 7 again; [] for none. Sorted, so equal sets compare equal."""
    return sorted(set(ids))


def refresh_alignment(plan_ids: Iterable[int]) -> dict[int, tuple[list[int], list[int]]]:
    """Rewrite the alignment ids of these plans from their relations: three reads, and
    one UPDATE for the plans whose ids changed. Returns plan id → (area ids, value ids)."""
    plan_ids = list(set(plan_ids))
    if not plan_ids:
        return {}
    areas: dict[int, list[int]] = defaultdict(list)
    values: dict[int, list[int]] = defaultdict(list)
    area_links = ActionPlan.change_areas.through.objects.filter(actionplan_id__in=plan_ids)
    for plan_id, area_id in area_links.values_list("actionplan_id", "changearea_id"):
        areas[plan_id].append(area_id)
    value_links = ActionPlan.core_values.through.objects.filter(actionplan_id__in=plan_ids)
    for plan_id, value_id in value_links.values_list("actionplan_id", "corevalue_id"):
        values[plan_id].append(value_id)
    current = ActionPlan.objects.filter(pk__in=plan_ids).values_list("pk", "area_ids", "value_ids")
    keys, changed = {}, []
    for pk, area_ids, value_ids in current:
        keys[pk] = fresh = (alignment_key(areas[pk]), alignment_key(values[pk]))
        if fresh != (area_ids, value_ids):
            changed.append(ActionPlan(pk=pk, area_ids=fresh[0], value_ids=fresh[1]))
    # Only these two columns: the plans' own fields, lock version and updated_at stay.
    ActionPlan.objects.bulk_update(changed, ["area_ids", "value_ids"])
    return keys


def alignment_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """`m2m_changed` of `ActionPlan.change_areas` and `ActionPlan.core_values`."""
    if not reverse:  # plan.change_areas.…(): one plan, whose object learns its new ids
        if action in ("post_add", "post_remove", "post_clear"):
            keys = refresh_alignment([instance.pk])
            if instance.pk in keys:
                instance.area_ids, instance.value_ids = keys[instance.pk]
        return
    # area.plans.…(): the plans are pk_set, or, for clear(), those linked before it.
    if action == "pre_clear":
        instance._alignment_plans_before_clear = list(
            sender.objects.filter(**{_reverse_field(sender): instance.pk}).values_list(
                "actionplan_id", flat=True
            )
        )
    elif action in ("post_add", "post_remove"):
        refresh_alignment(pk_set or ())
    elif action == "post_clear":
        refresh_alignment(getattr(instance, "_alignment_plans_before_clear", ()))


def _reverse_field(through) -> str:
    return "changearea_id" if through is ActionPlan.change_areas.through else "corevalue_id"


def connect_signals() -> None:
    for field in (ActionPlan.change_areas, ActionPlan.core_values):
        m2m_changed.connect(
            alignment_changed,
            sender=field.through,
            dispatch_uid=f"plans.alignment.{field.through._meta.label}",
        )
