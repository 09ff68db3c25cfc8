"""Fingerprints of report inputs: equal fingerprints, equal documents.

A finished job is reused for an identical request only while its fingerprint still
matches, so the fingerprint covers everything the document shows: for a plan document the
plan's row, activities, targets, alignment and the people in its signature block; for a
review packet also the reviews, the decision and the rubric; for cycle-wide reports
aggregates over the cycle's plans, reviews, decisions and versions (and, for the summary,
the agencies, agents and reference lists); for an agent's portfolio the agent and their
plans' rows, versions, decisions, reviews, mentoring and verified realisation. Each
costs a handful of small queries.
"""

import hashlib
import json

from django.conf import settings
from django.db.models import Count, Max, Q, Sum

from agencies.models import Agency
from agents.enums import Role
from agents.models import Agent, RoleGrant
from assessment.models import Criterion, Decision, Review
from monitoring.models import TargetRealisation
from plans import sections
from plans.models import (
    ActionPlan,
    Activity,
    ChangeArea,
    Comment,
    CommentThread,
    CoreValue,
    Cycle,
    PlanVersion,
    Target,
)
from plans.selectors import member_plan_ids

from ..enums import ReportKind

# Bump when a document's layout changes: finished files of older layouts are not reused.
FINGERPRINT_VERSION = 3


def _related_ids(name: str, plan_id: int) -> list[int]:
    """The ids a plan's many-to-many relation `name` points to, from its link table."""
    field = ActionPlan._meta.get_field(name)
    target = field.m2m_reverse_name()
    links = field.remote_field.through.objects.filter(**{field.m2m_column_name(): plan_id})
    return list(links.values_list(target, flat=True).order_by(target))


def _digest(value) -> str:
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _plan_inputs(plan_id: int, kind: str) -> dict:
    """What a plan document or review packet prints: the plan row, its parts, its people
    (and, for the packet, the reviews, the decision and the rubric)."""
    plan = (
        ActionPlan.objects.filter(pk=plan_id)
        .values(
            "updated_at",
            "lock_version",
            "state",
            "title",
            "agency_id",
            "cycle__updated_at",
            "owner__user__name",
            "owner__user__nip",
            "owner__user__jabatan",
            "owner__user__pangkat_golongan",
        )
        .first()
    )
    if plan is None:
        return {"missing": plan_id}
    inputs = {
        "plan": plan,
        "version": PlanVersion.objects.filter(plan_id=plan_id).aggregate(n=Max("number"))["n"],
        "activities": _digest(list(Activity.objects.filter(plan_id=plan_id).values_list())),
        "targets": _digest(list(Target.objects.filter(plan_id=plan_id).values_list())),
        # Every relation to many the document prints: the sections' own and the team.
        "alignment": _digest(
            [_related_ids(name, plan_id) for name in [*sections.many_names(), "co_agents"]]
        ),
        "head": list(
            RoleGrant.objects.filter(role=Role.AGENCY_HEAD, agency_id=plan["agency_id"])
            .order_by("created_at", "pk")
            .values_list("user_id", "user__name", "user__nip", "user__pangkat_golongan")
        ),
    }
    if kind == ReportKind.REVIEW_PACKET:
        inputs["reviews"] = _digest(
            list(
                Review.objects.filter(assignment__plan_id=plan_id)
                .order_by("pk")
                .values_list("pk", "state", "updated_at", "total", "assignment__is_active")
            )
        )
        inputs["decisions"] = _digest(
            list(
                Decision.objects.filter(plan_id=plan_id)
                .order_by("pk")
                .values_list("pk", "outcome", "feedback", "decided_at", "score")
            )
        )
        inputs["rubric"] = _digest(
            list(
                Criterion.objects.filter(rubric__cycle__plans=plan_id)
                .order_by("pk")
                .values_list("pk", "name", "weight", "order")
            )
        )
    return inputs


def _agent_inputs(agent_id: int) -> dict:
    """What an agent's portfolio prints: the agent, and for each of their plans (owner or
    team) its row, versions, decisions, reviews, mentoring threads and verified
    realisation."""
    agent = (
        Agent.objects.filter(pk=agent_id)
        .values("is_active", "sk_number", "sk_date", "agency__name", "user__name", "user__jabatan")
        .first()
    )
    if agent is None:
        return {"missing": agent_id}
    plan_ids = list(
        ActionPlan.objects.filter(pk__in=member_plan_ids(agent_id))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {
        "agent": agent,
        "plans": _digest(
            list(
                ActionPlan.objects.filter(pk__in=plan_ids)
                .order_by("pk")
                .values_list("pk", "updated_at", "lock_version", "state", "score")
            )
        ),
        "versions": PlanVersion.objects.filter(plan_id__in=plan_ids).aggregate(
            n=Count("id"), last=Max("id")
        ),
        "decisions": Decision.objects.filter(plan_id__in=plan_ids).aggregate(
            n=Count("id"), last=Max("decided_at")
        ),
        "reviews": Review.objects.filter(assignment__plan_id__in=plan_ids).aggregate(
            n=Count("id"), last=Max("updated_at")
        ),
        "mentoring": Comment.objects.filter(thread__plan_id__in=plan_ids).aggregate(
            n=Count("id"), last=Max("id")
        ),
        "threads": _digest(
            list(
                CommentThread.objects.filter(plan_id__in=plan_ids)
                .order_by("pk")
                .values_list("pk", "resolved_at")
            )
        ),
        "realisation": TargetRealisation.objects.filter(plan_id__in=plan_ids).aggregate(
            n=Count("target_id"), last=Max("verified_at")
        ),
        "targets": _digest(
            list(Target.objects.filter(plan_id__in=plan_ids).order_by("pk").values_list())
        ),
    }


def _cycle_inputs(cycle_id: int, kind: str) -> dict:
    """What a cycle-wide report shows: aggregates that change whenever one of the cycle's
    plans, reviews or decisions changes (scores are saved without touching updated_at,
    hence the sums), and, for the summary, the agencies, agents and reference lists."""
    plans = ActionPlan.objects.filter(cycle_id=cycle_id)
    inputs = {
        "cycle": Cycle.objects.filter(pk=cycle_id).values_list("updated_at", flat=True).first(),
        "plans": plans.aggregate(
            n=Count("id"),
            updated=Max("updated_at"),
            last=Max("id"),
            locks=Sum("lock_version"),
            scores=Sum("score"),
            flagged=Count("id", filter=Q(review_flagged=True)),
        ),
    }
    if kind in (ReportKind.CYCLE_SUMMARY, ReportKind.CYCLE_PACKETS, ReportKind.SCORES_XLSX):
        inputs["reviews"] = Review.objects.filter(assignment__plan__cycle_id=cycle_id).aggregate(
            n=Count("id"), updated=Max("updated_at")
        )
        inputs["decisions"] = Decision.objects.filter(plan__cycle_id=cycle_id).aggregate(
            n=Count("id"), last=Max("decided_at")
        )
        inputs["versions"] = PlanVersion.objects.filter(plan__cycle_id=cycle_id).aggregate(
            n=Count("id"), last=Max("id")
        )
    if kind == ReportKind.CYCLE_SUMMARY:
        inputs["agents"] = Agent.objects.aggregate(
            n=Count("id"), active=Count("id", filter=Q(is_active=True)), last=Max("id")
        )
        inputs["agencies"] = Agency.objects.aggregate(n=Count("id"), updated=Max("updated_at"))
        inputs["alignment"] = [
            ActionPlan.change_areas.through.objects.filter(actionplan__cycle_id=cycle_id).count(),
            ActionPlan.core_values.through.objects.filter(actionplan__cycle_id=cycle_id).count(),
            ChangeArea.objects.aggregate(n=Count("id"), last=Max("id")),
            CoreValue.objects.aggregate(n=Count("id"), last=Max("id")),
        ]
    if kind == ReportKind.PLANS_XLSX:
        inputs["activities"] = Activity.objects.filter(plan__cycle_id=cycle_id).aggregate(
            n=Count("id"), last=Max("id")
        )
        inputs["targets"] = Target.objects.filter(plan__cycle_id=cycle_id).aggregate(
            n=Count("id"), last=Max("id")
        )
    return inputs


def fingerprint_for(kind: str, params: dict) -> str:
    """A hash of everything the report shows: equal fingerprints, equal documents."""
    inputs = {
        "v": FINGERPRINT_VERSION,
        "kind": kind,
        "params": params,
        "letterhead": [
            settings.AGENPLAN_GOVERNMENT_NAME,
            settings.AGENPLAN_SECRETARIAT_NAME,
            settings.AGENPLAN_BUREAU_NAME,
            settings.AGENPLAN_ADDRESS,
            settings.AGENPLAN_REGION_NAME,
            settings.AGENPLAN_DOCUMENT_PLACE,
        ],
    }
    if "plan_id" in params:
        inputs["plan"] = _plan_inputs(params["plan_id"], kind)
    if "cycle_id" in params:
        inputs["cycle"] = _cycle_inputs(params["cycle_id"], kind)
    if "agent_id" in params:
        inputs["agent"] = _agent_inputs(params["agent_id"])
    return _digest(inputs)
