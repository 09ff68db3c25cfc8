"""Keeping each agency's dashboard figures per cycle (`AgencyTally`) current.

The leadership dashboard reads these rows instead of aggregating the cycle's plans,
versions and agents on every cold request (docs/performance.md). A row is recomputed from
its agency's plans in the cycle, inside the transaction of the change, the rows locked
first so that two changes to the same agency follow each other:

- a plan changing state, one or many at once (`plan_state_changed`);
- a plan saved with a field the dashboard counts (score, flag, extension; created,
  deleted), its RB change areas or BerAKHLAK values changed, its team changed, a version
  of it frozen;
- an agent created, changed or removed (the agents a cycle counts), participants imported
  in bulk, a cycle created or its dates changed (every row of the cycle);
- a report accepted or a change to a target approved, which rewrote the verified
  realisations of a plan (`realisation_changed`).

`rebuild_tallies` recomputes whole cycles (after data written around the application).
Recomputing an agency reads only its own plans: a few queries whatever the cycle's size.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from agents.models import Agent
from assessment.signals import participants_imported
from monitoring.signals import realisation_changed
from plans.enums import PlanState
from plans.models import ActionPlan, Cycle, PlanVersion, Target
from plans.realisation import GREEN_FROM, YELLOW_FROM
from plans.selectors import SCORE_BINS
from plans.signals import plan_state_changed

from ..models import AgencyTally, CycleTally
from .tally_totals import TOTALS, add_figures, sum_figures

# The plan's columns the figures read, and those that place it (its cycle, agency and
# owner): a save touching none of them changes no row.
PLAN_COLUMNS = ("agency_id", "state", "score", "review_flagged", "submission_extended_until")
PLAN_COLUMNS += ("area_ids", "value_ids")
PLACES = frozenset({"agency", "agency_id", "cycle", "cycle_id", "owner", "owner_id"})
COUNTED_FIELDS = frozenset(PLAN_COLUMNS) | PLACES
# The plans' figures (the rows' first columns).
PLAN_FIGURES = (
    "plans",
    "submitted",
    "approved",
    "scored",
    "score_sum",
    "flagged",
    "extended",
    "agents",
    "states",
    "bins",
    "areas",
    "values",
    "weeks",
)
# The implementation's figures (the targets of the plans in implementation or completed).
MEASURED_FIGURES = ("measured", "verified", "realised", "green", "yellow", "realised_areas")
FIGURES = PLAN_FIGURES + MEASURED_FIGURES


def cycle_agents(cycle: Cycle):
    """The agents a cycle counts: those on one of its plans (owner or team member), and the
    active agents who were there before its submission deadline. A past cycle so counts
    its own participants, not the agents added since."""
    on_plan = Exists(ActionPlan.objects.filter(cycle_id=cycle.pk, owner=OuterRef("pk"))) | Exists(
        ActionPlan.co_agents.through.objects.filter(
            agent=OuterRef("pk"), actionplan__cycle_id=cycle.pk
        )
    )
    return Agent.objects.filter(
        Q(is_active=True, created_at__lte=cycle.submission_deadline) | on_plan
    )


def score_bin(score) -> int | None:
    """The low end of the dashboard's score bin of a score (0–20, …, 80–100)."""
    if score is None:
        return None
    for low, high in SCORE_BINS:
        if low <= score < high or (high >= 100 and low <= score <= 100):
            return low
    return None


def _week_start(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat()


def _empty() -> dict:
    return {
        "plans": 0,
        "submitted": 0,
        "approved": 0,
        "scored": 0,
        "score_sum": None,
        "flagged": 0,
        "extended": None,
        "agents": 0,
        "states": {},
        "bins": {},
        "areas": {},
        "values": {},
        "weeks": {},
        "measured": 0,
        "verified": 0,
        "realised": Decimal("0.00"),
        "green": 0,
        "yellow": 0,
        "realised_areas": {},
    }


def _bump(counts: dict, key, by: int = 1) -> None:
    counts[str(key)] = counts.get(str(key), 0) + by


def _measured_targets(cycle: Cycle):
    return Target.objects.filter(plan__cycle_id=cycle.pk, plan__state__in=PlanState.MEASURED)


def _measure(figures: dict[int, dict], targets) -> None:
    """Add the measured targets (agency id, the plan's area ids, capped verified
    realisation or None) to the agencies' figures."""
    rows = targets.order_by().values_list(
        "plan__agency_id", "plan__area_ids", "realisation__counted"
    )
    for agency, area_ids, counted in rows.iterator(2000):
        row = figures[agency]
        row["measured"] += 1
        if counted is not None:
            row["verified"] += 1
            row["realised"] += counted
            row["green"] += counted >= GREEN_FROM
            row["yellow"] += YELLOW_FROM <= counted < GREEN_FROM
        for pk in area_ids or ():
            n, total = row["realised_areas"].get(str(pk), (0, "0"))
            row["realised_areas"][str(pk)] = [n + 1, str(Decimal(total) + (counted or 0))]


def measured_figures(cycle: Cycle) -> dict[int, dict]:
    """agency id → its figures with only the implementation's filled (one query)."""
    figures: dict[int, dict] = defaultdict(_empty)
    _measure(figures, _measured_targets(cycle))
    return dict(figures)


def compute(
    cycle: Cycle, agency_ids: Iterable[int] | None = None, *, measured: bool = True
) -> dict[int, dict]:
    """agency id → its figures in the cycle, for those agencies (every agency with plans or
    agents when None). Four queries: the plans' counted columns, the versions per week,
    the agents, the measured targets with their verified realisation (`measured=False`
    leaves that out and its figures empty)."""
    plans = ActionPlan.objects.filter(cycle_id=cycle.pk)
    targets = _measured_targets(cycle)
    versions = PlanVersion.objects.filter(cycle_id=cycle.pk)
    agents = cycle_agents(cycle)
    if agency_ids is not None:
        agency_ids = list(agency_ids)
        plans = plans.filter(agency_id__in=agency_ids)
        versions = versions.filter(plan__agency_id__in=agency_ids)
        agents = agents.filter(agency_id__in=agency_ids)
        targets = targets.filter(plan__agency_id__in=agency_ids)
    figures: dict[int, dict] = defaultdict(_empty)
    rows = plans.order_by().values_list(*PLAN_COLUMNS)
    for agency, state, score, flagged, extended, area_ids, value_ids in rows.iterator(2000):
        row = figures[agency]
        row["plans"] += 1
        _bump(row["states"], state)
        row["submitted"] += state in PlanState.SUBMITTED_ONCE
        row["approved"] += state in PlanState.APPROVED_ONCE
        row["flagged"] += bool(flagged)
        if state in PlanState.DECIDED and score is not None:
            row["scored"] += 1
            row["score_sum"] = (row["score_sum"] or Decimal(0)) + Decimal(str(score))
            _bump(row["bins"], score_bin(score))
        if state in PlanState.EDITABLE and extended is not None:
            row["extended"] = max(row["extended"] or extended, extended)
        for pk in area_ids or ():
            _bump(row["areas"], pk)
        for pk in value_ids or ():
            _bump(row["values"], pk)
    weeks = (
        versions.annotate(week=TruncWeek("created_at"))
        .order_by()
        .values_list("plan__agency_id", "week")
        .annotate(
            first=Count("id", filter=Q(number=1, plan__state__in=PlanState.SUBMITTED_ONCE)),
            again=Count("id", filter=Q(number__gt=1)),
        )
    )
    for agency, week, first, again in weeks:
        figures[agency]["weeks"][_week_start(week)] = [first, again]
    counted = agents.order_by().values("agency_id").annotate(n=Count("id"))
    for agency, n in counted.values_list("agency_id", "n"):
        figures[agency]["agents"] = n
    if measured:
        _measure(figures, targets)
    return dict(figures)


def _rows(cycle_id: int, figures: dict[int, dict], agency_ids: Iterable[int]):
    return [
        AgencyTally(cycle_id=cycle_id, agency_id=agency, **figures.get(agency, _empty()))
        for agency in agency_ids
    ]


def refresh(cycle: Cycle, agency_ids: Iterable[int], *, create: bool = True) -> None:
    """Recompute the rows of these agencies in the cycle: created when missing (only those
    that exist with `create=False`: a row being deleted with its cycle or agency is not
    made again), locked, computed, written; the cycle's totals moved by the difference.
    Nine queries."""
    agencies = sorted({pk for pk in agency_ids if pk is not None})
    if not agencies:
        return
    with transaction.atomic(savepoint=False):
        if create:
            AgencyTally.objects.bulk_create(
                _rows(cycle.pk, {}, agencies), ignore_conflicts=True, batch_size=1000
            )
        before = {
            row.pop("agency_id"): row
            for row in AgencyTally.objects.select_for_update()
            .filter(cycle=cycle, agency_id__in=agencies)
            .order_by("agency_id")
            .values("agency_id", *FIGURES)
        }
        if not before:
            return
        agencies = list(before)
        figures = compute(cycle, agencies)
        AgencyTally.objects.bulk_create(
            _rows(cycle.pk, figures, agencies),
            update_conflicts=True,
            unique_fields=["cycle", "agency"],
            update_fields=list(FIGURES),
            batch_size=1000,
        )
        # The agency rows are locked first, the cycle's row after them, in every change.
        totals = CycleTally.objects.select_for_update().filter(cycle=cycle).first()
        if totals is None:  # a cycle's first change (its row is made with it)
            CycleTally.objects.bulk_create([CycleTally(cycle=cycle)], ignore_conflicts=True)
            totals = CycleTally.objects.select_for_update().get(cycle=cycle)
        kept = {name: getattr(totals, name) for name in TOTALS}
        for agency in agencies:
            add_figures(kept, figures.get(agency, _empty()))
            add_figures(kept, before[agency], sign=-1)
        for name, value in kept.items():
            setattr(totals, name, value)
        totals.save(update_fields=list(TOTALS))


def rebuild(cycle: Cycle) -> int:
    """Recompute every row of the cycle; the number of agencies with plans or agents."""
    with transaction.atomic():
        figures = compute(cycle)
        AgencyTally.objects.filter(cycle=cycle).delete()
        AgencyTally.objects.bulk_create(_rows(cycle.pk, figures, figures), batch_size=1000)
        CycleTally.objects.update_or_create(cycle=cycle, defaults=sum_figures(figures.values()))
    return len(figures)


def _refresh_pairs(pairs: Iterable[tuple[int, int]], *, create: bool = True) -> None:
    """Recompute the rows of (cycle id, agency id) pairs, one cycle at a time."""
    by_cycle: dict[int, set[int]] = defaultdict(set)
    for cycle_id, agency_id in pairs:
        if cycle_id is not None and agency_id is not None:
            by_cycle[cycle_id].add(agency_id)
    if not by_cycle:
        return
    for cycle in Cycle.objects.filter(pk__in=by_cycle).order_by("pk"):
        refresh(cycle, by_cycle[cycle.pk], create=create)


def _refresh_agencies_everywhere(agency_ids: Iterable[int], *, create: bool = True) -> None:
    agencies = {pk for pk in agency_ids if pk is not None}
    if agencies:
        for cycle in Cycle.objects.order_by("pk"):
            refresh(cycle, agencies, create=create)


# --- Receivers -------------------------------------------------------------------------------

UID = "reports.agency_tallies"


def plans_moved(sender, plans, **kwargs) -> None:
    """`plan_state_changed`: the plans of one or many transitions changed state."""
    _refresh_pairs((plan.cycle_id, plan.agency_id) for plan in plans)


def realisations_rewritten(sender, cycle_id, agency_id, **kwargs) -> None:
    """`realisation_changed`: a plan's verified realisations were rewritten."""
    _refresh_pairs([(cycle_id, agency_id)])


def _owner_agency(owner_id) -> int | None:
    if owner_id is None:
        return None
    return Agent.objects.filter(pk=owner_id).values_list("agency_id", flat=True).first()


def plan_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs) -> None:
    """A plan created or saved. A change of state is heard from `plan_state_changed`
    (which follows the save); a save of text fields only changes no figure. The owner
    counts among the cycle's agents of the owner's agency."""
    if raw:
        return
    fields = set(update_fields) if update_fields is not None else None
    if fields is not None and ("state" in fields or not fields & COUNTED_FIELDS):
        return
    pairs = {(instance.cycle_id, instance.agency_id), *getattr(instance, "_tally_before", ())}
    if fields is None or fields & {"owner", "owner_id", "cycle", "cycle_id"}:
        pairs.add((instance.cycle_id, _owner_agency(instance.owner_id)))
    _refresh_pairs(pairs)


def plan_before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Remember the rows a plan leaves, when its save may move it (another cycle, agency
    or owner)."""
    instance._tally_before = ()
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & PLACES:
        return
    before = (
        ActionPlan.objects.filter(pk=instance.pk)
        .values_list("cycle_id", "agency_id", "owner__agency_id")
        .first()
    )
    if before is not None:
        cycle_id, agency_id, owner_agency_id = before
        instance._tally_before = ((cycle_id, agency_id), (cycle_id, owner_agency_id))


def plan_before_delete(sender, instance, **kwargs) -> None:
    """Remember the agencies of a plan's team: its links go without `m2m_changed`."""
    instance._tally_team = set(instance.co_agents.values_list("agency_id", flat=True))


def plan_deleted(sender, instance, **kwargs) -> None:
    """A plan removed: the rows of its agency, its owner's and its team's, if they still
    exist (a cycle or an agency being deleted takes its rows with it; none is made)."""
    agencies = {instance.agency_id, _owner_agency(instance.owner_id)}
    agencies |= getattr(instance, "_tally_team", set())
    _refresh_pairs(((instance.cycle_id, agency) for agency in agencies), create=False)


def alignment_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """`m2m_changed` of a plan's change areas or values (after `plans.services.alignment`
    rewrote the plan's id lists: its receiver is connected first)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _refresh_pairs([(instance.cycle_id, instance.agency_id)])
    elif action == "post_clear":  # an area or value unlinked from every plan: rare
        for cycle in Cycle.objects.order_by("pk"):
            rebuild(cycle)
    else:
        _refresh_pairs(
            ActionPlan.objects.filter(pk__in=pk_set or ()).values_list("cycle_id", "agency_id")
        )


def team_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """`m2m_changed` of a plan's team: the agents counted as being on a plan of the cycle."""
    if action == "pre_clear" and not reverse:
        instance._tally_team_before = set(instance.co_agents.values_list("agency_id", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # agent.plans.…(): the agent's agency in every cycle
        _refresh_agencies_everywhere([instance.agency_id])
        return
    agencies = set(Agent.objects.filter(pk__in=pk_set or ()).values_list("agency_id", flat=True))
    agencies |= getattr(instance, "_tally_team_before", set())
    _refresh_pairs((instance.cycle_id, agency) for agency in agencies)


def agent_before_save(sender, instance, raw=False, **kwargs) -> None:
    instance._tally_agency_before = None
    if not raw and instance.pk is not None:
        instance._tally_agency_before = (
            Agent.objects.filter(pk=instance.pk).values_list("agency_id", flat=True).first()
        )


def agent_changed(sender, instance, raw=False, **kwargs) -> None:
    """An agent created, changed or removed: its agency's agents in every cycle (no row
    made again for an agency being deleted with its agents)."""
    if raw:
        return
    _refresh_agencies_everywhere(
        [instance.agency_id, getattr(instance, "_tally_agency_before", None)],
        create=kwargs.get("signal") is post_save,
    )


def version_changed(sender, instance, raw=False, **kwargs) -> None:
    """A version frozen or removed: the submissions per week of its plan's agency."""
    if raw:
        return
    plan = ActionPlan.objects.filter(pk=instance.plan_id).values_list("cycle_id", "agency_id")
    _refresh_pairs(plan, create=kwargs.get("signal") is post_save)


def cycle_saved(sender, instance, raw=False, **kwargs) -> None:
    """A cycle created (its agents are counted from the start) or changed (its submission
    deadline decides which agents it counts)."""
    if not raw:
        rebuild(instance)


def everyone_changed(sender, **kwargs) -> None:
    """`participants_imported`: agents written in bulk, every cycle's agents."""
    for cycle in Cycle.objects.order_by("pk"):
        rebuild(cycle)


def connect_signals() -> None:
    plan_state_changed.connect(plans_moved, dispatch_uid=f"{UID}.moved")
    realisation_changed.connect(realisations_rewritten, dispatch_uid=f"{UID}.realisation")
    pre_save.connect(plan_before_save, sender=ActionPlan, dispatch_uid=f"{UID}.plan_before")
    post_save.connect(plan_saved, sender=ActionPlan, dispatch_uid=f"{UID}.plan")
    pre_delete.connect(plan_before_delete, sender=ActionPlan, dispatch_uid=f"{UID}.plan_going")
    post_delete.connect(plan_deleted, sender=ActionPlan, dispatch_uid=f"{UID}.plan_deleted")
    for field in (ActionPlan.change_areas, ActionPlan.core_values):
        m2m_changed.connect(
            alignment_changed,
            sender=field.through,
            dispatch_uid=f"{UID}.{field.through._meta.label}",
        )
    m2m_changed.connect(
        team_changed, sender=ActionPlan.co_agents.through, dispatch_uid=f"{UID}.team"
    )
    pre_save.connect(agent_before_save, sender=Agent, dispatch_uid=f"{UID}.agent_before")
    post_save.connect(agent_changed, sender=Agent, dispatch_uid=f"{UID}.agent")
    post_delete.connect(agent_changed, sender=Agent, dispatch_uid=f"{UID}.agent_deleted")
    post_save.connect(version_changed, sender=PlanVersion, dispatch_uid=f"{UID}.version")
    post_delete.connect(version_changed, sender=PlanVersion, dispatch_uid=f"{UID}.version_deleted")
    post_save.connect(cycle_saved, sender=Cycle, dispatch_uid=f"{UID}.cycle")
    participants_imported.connect(everyone_changed, dispatch_uid=f"{UID}.participants")
