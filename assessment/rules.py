"""Who may do what in the assessment, and who may see what it produces: django-rules
predicates.

Two secrets of the assessment each have one predicate, asked by every page, partial,
list, export and PDF (by the rule's name where the asking app sits to the left of this
one, as `plans` does):

- `assessment.view_scores` (`can_see_scores(user, plan)`): the plan's levels, reviewer
  comments, totals and its provisional or final score. The Biro Organisasi's coordinators
  and leadership always; a reviewer of the plan once their own review of the current
  version is submitted (their own review they always see, on their review page); the
  plan's team and the head of its agency only once the coordinator has decided, and then
  the consolidated, anonymised feedback, never the review packet.
- `assessment.view_reviewer_names` (`can_see_reviewer_names(user, plan)`): who reviewed
  the plan. Everyone who sees the plan when the cycle does not keep reviewers anonymous;
  otherwise coordinators, leadership and the plan's own reviewers.

The team's self-assessment (penilaian mandiri) is a third: `assessment.view_self_assessment`
(`can_see_self_assessment(user, plan)`). The plan's team always; the coordinator once the
plan is decided (beside the reviewers' mean, on the calibration page and the plan's
self-assessment page). Never a reviewer, before or after their own review, nor the head
of the agency or leadership: it is a mentoring signal, not a score.

The admin flags pass none of them (see `agents.models.User.has_perm`).
"""

import rules
from django.db.models import F, OuterRef, Subquery

from agents.rules import is_coordinator, is_leadership, is_reviewer
from plans.enums import PlanState
from plans.models import PlanVersion
from plans.rules import is_assigned_reviewer, is_head_of_plan_agency, is_plan_member

from .enums import ReviewState

# The states in which the coordinator's decision on the plan's latest version stands: the
# team may read its feedback. A resubmitted revision is under review again, blind again.
DECIDED_FOR_TEAM = PlanState.DECIDED


def reviewed_plan_ids(user) -> frozenset[int]:
    """The plans whose current version the user has reviewed and submitted (one query,
    cached on the user object for the request; `forget_reviewed_plans` drops it)."""
    cached = getattr(user, "_agenplan_reviewed_plans", None)
    if cached is not None:
        return cached
    latest = PlanVersion.objects.filter(plan=OuterRef("plan")).order_by("-number").values("pk")[:1]
    ids = frozenset(
        user.review_assignments.filter(is_active=True)
        .annotate(latest_version=Subquery(latest))
        .filter(reviews__version=F("latest_version"), reviews__state=ReviewState.SUBMITTED)
        .values_list("plan_id", flat=True)
    )
    user._agenplan_reviewed_plans = ids
    return ids


def forget_reviewed_plans(user) -> None:
    """Drop the cache of `reviewed_plan_ids` (after the user submits a review)."""
    user.__dict__.pop("_agenplan_reviewed_plans", None)


def remember_reviewed(user, plan_id: int) -> None:
    """Record on the request's user object that its own review of the plan's current
    version, on its active assignment, is submitted (as the review page has just read):
    `has_submitted_own_review` then need not read every plan the user reviewed."""
    user._agenplan_reviewed_known = getattr(user, "_agenplan_reviewed_known", frozenset()) | {
        plan_id
    }


# The Biro Organisasi (coordinators) and leadership: every plan's scores.
sees_every_score = is_coordinator | is_leadership


@rules.predicate
def has_submitted_own_review(user, plan) -> bool:
    """A reviewer of the plan whose own review of its current version is submitted."""
    if plan is None or not user.is_authenticated or not is_reviewer(user):
        return False
    if plan.pk in getattr(user, "_agenplan_reviewed_known", ()):
        return True
    return plan.pk in reviewed_plan_ids(user)


@rules.predicate
def is_decided(_user, plan) -> bool:
    """The coordinator's decision on the plan's latest version stands."""
    return plan is not None and plan.state in DECIDED_FOR_TEAM


@rules.predicate
def cycle_hides_reviewers(_user, plan) -> bool:
    return plan is not None and plan.cycle.reviewer_anonymity


can_see_scores = (
    sees_every_score
    | (is_decided & (is_plan_member | is_head_of_plan_agency))
    | has_submitted_own_review
)

can_see_reviewer_names = (
    ~cycle_hides_reviewers | is_coordinator | is_leadership | is_assigned_reviewer
)

# The team's self-assessment: the team writes it while the plan may be edited (the service
# checks the state) and reads it always; the coordinator reads it once the plan is decided.
# Beside the reviewers' mean (the "over-/under-estimates" signal) only after the decision.
can_self_assess = is_plan_member
can_see_self_assessment = is_plan_member | (is_decided & is_coordinator)
can_compare_self_assessment = is_decided & (is_plan_member | is_coordinator)

rules.add_perm("assessment.view_scores", can_see_scores)
rules.add_perm("assessment.self_assess", can_self_assess)
rules.add_perm("assessment.view_self_assessment", can_see_self_assessment)
rules.add_perm("assessment.compare_self_assessment", can_compare_self_assessment)
# Many plans' self-assessments beside their reviews (the calibration page): the coordinator,
# and only of decided plans (the selector's filter, the same condition as `is_decided`).
rules.add_perm("assessment.view_all_self_assessments", is_coordinator)
rules.add_perm("assessment.view_reviewer_names", can_see_reviewer_names)
# Figures over many plans (the cycle board, calibration, the dashboard's score figures,
# cycle-wide exports): for those who see every plan's scores.
rules.add_perm("assessment.view_all_scores", sees_every_score)


@rules.predicate
def is_assignment_reviewer(user, assignment) -> bool:
    return (
        assignment is not None
        and user.is_authenticated
        and assignment.is_active
        and assignment.reviewer_id == user.pk
    )


@rules.predicate
def is_review_author(user, review) -> bool:
    return (
        review is not None
        and user.is_authenticated
        and review.assignment.is_active
        and review.assignment.reviewer_id == user.pk
    )


ASSIGNMENT_PERMISSIONS = {
    "view": is_assignment_reviewer | is_coordinator,
    "add": is_coordinator,
    "change": is_coordinator,
    "delete": rules.always_deny,
}

REVIEW_PERMISSIONS = {
    "view": is_review_author | is_coordinator,
    "change": is_review_author,
    "submit": is_review_author,
    "reopen": is_coordinator,
    "delete": rules.always_deny,
}

rules.add_perm("assessment.manage_rubric", is_coordinator)
rules.add_perm("assessment.view_review_queue", is_reviewer)
rules.add_perm("assessment.view_calibration", is_coordinator)
# The Biro Organisasi's pages: cycles, rubrics, participants, assignment, decisions.
rules.add_perm("assessment.manage_assessment", is_coordinator)
rules.add_perm("assessment.import_participants", is_coordinator)
rules.add_perm("assessment.auto_assign", is_coordinator)
rules.add_perm("assessment.decide", is_coordinator)
# Triage tags of the decision board (assessment.models.tags).
rules.add_perm("assessment.tag_plans", is_coordinator)
rules.add_perm("assessment.declare_conflict", is_reviewer)
