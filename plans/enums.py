"""Plan states, cycle phases and the kinds of change (docs/domain.md)."""

from enum import nonmember

from django.db import models
from django.utils.translation import gettext_lazy as _

from .sections import SECTIONS


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Diajukan")
    IN_REVIEW = "in_review", _("Dalam penilaian")
    REVIEWED = "reviewed", _("Selesai dinilai")
    REVISION_REQUESTED = "revision_requested", _("Perlu revisi")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")
    IMPLEMENTING = "implementing", _("Dilaksanakan")
    COMPLETED = "completed", _("Selesai")

    # The agent may edit the plan's content only in these states.
    EDITABLE = nonmember(frozenset({"draft", "revision_requested"}))
    # The plan has been handed in at least once (a PlanVersion exists).
    SUBMITTED_ONCE = nonmember(
        frozenset(
            {
                "submitted",
                "in_review",
                "reviewed",
                "revision_requested",
                "approved",
                "rejected",
                "implementing",
                "completed",
            }
        )
    )
    # Handed in and not yet decided: the reviewers' queues hold these plans.
    AWAITING_DECISION = nonmember(frozenset({"submitted", "in_review", "reviewed"}))
    # The coordinator's decision on the plan's latest version stands (a revision asked for
    # included, until it is handed in again): "decided" on every page, list and document.
    # Only these plans' scores enter averages, distributions and the lagging lists.
    DECIDED = nonmember(
        frozenset({"revision_requested", "approved", "rejected", "implementing", "completed"})
    )
    APPROVED_ONCE = nonmember(frozenset({"approved", "implementing", "completed"}))
    # The plan's targets are measured: realisation reported, verified and rolled up.
    MEASURED = nonmember(frozenset({"implementing", "completed"}))


# Every allowed edge of the workflow (docs/domain.md), keyed by (from, to), valued by the
# dotted path of the service that performs it (tests/plans/test_services.py imports each).
TRANSITIONS: dict[tuple[str, str], str] = {
    (PlanState.DRAFT, PlanState.SUBMITTED): "plans.services.workflow.submit_plan",
    (PlanState.REVISION_REQUESTED, PlanState.SUBMITTED): "plans.services.workflow.submit_plan",
    (PlanState.SUBMITTED, PlanState.DRAFT): "plans.services.workflow.withdraw_plan",
    # A withdrawn revision goes back to "revision requested", not to a first draft.
    (PlanState.SUBMITTED, PlanState.REVISION_REQUESTED): "plans.services.workflow.withdraw_plan",
    # The review starts when the plan gets its reviewers (also by automatic assignment);
    # a revision handed in again goes back to its reviewers by itself (resume_review).
    (PlanState.SUBMITTED, PlanState.IN_REVIEW): "assessment.services.assignment.assign_reviewers",
    # The last review submitted completes it; a review reopened puts it back in review.
    (PlanState.IN_REVIEW, PlanState.REVIEWED): "assessment.services.review.submit_review",
    (PlanState.REVIEWED, PlanState.IN_REVIEW): "assessment.services.review.reopen_review",
    (PlanState.REVIEWED, PlanState.APPROVED): "assessment.services.decision.decide_plan",
    (PlanState.REVIEWED, PlanState.REVISION_REQUESTED): "assessment.services.decision.decide_plan",
    (PlanState.REVIEWED, PlanState.REJECTED): "assessment.services.decision.decide_plan",
    (PlanState.APPROVED, PlanState.IMPLEMENTING): "plans.services.workflow.start_implementation",
    (PlanState.IMPLEMENTING, PlanState.COMPLETED): "plans.services.workflow.complete_plan",
}


class CyclePhase(models.TextChoices):
    UPCOMING = "upcoming", _("Belum dimulai")
    DRAFTING = "drafting", _("Penyusunan")
    REVIEW = "review", _("Penilaian")
    DECISION = "decision", _("Keputusan")
    IMPLEMENTATION = "implementation", _("Pelaksanaan")
    CLOSED = "closed", _("Selesai")


class ScoreMethod(models.TextChoices):
    MEAN = "mean", _("Rata-rata")
    MEDIAN = "median", _("Median")


class ChangeKind(models.TextChoices):
    PUBLIC_SERVICE = "public_service", _("Pelayanan publik")
    GOVERNANCE = "governance", _("Tata kelola")
    DIGITALISATION = "digitalisation", _("Digitalisasi")
    WORK_CULTURE = "work_culture", _("Budaya kerja")
    HUMAN_RESOURCES = "human_resources", _("Manajemen SDM aparatur")
    ACCOUNTABILITY = "accountability", _("Akuntabilitas kinerja")
    OTHER = "other", _("Lainnya")


class LinkKind(models.TextChoices):
    """How the Biro Organisasi links two plans of different agencies (plans.PlanLink)."""

    COLLABORATION = "collaboration", _("Kolaborasi")
    REPLICATION = "replication", _("Replikasi")


# The sections of a plan, in order (comments anchor to them), from the registry of the
# plan's shape: PlanSection.IDENTITY == "identity", PlanSection("problem").label.
PlanSection = models.TextChoices(
    "PlanSection",
    [(entry.key.upper(), (entry.key, entry.label)) for entry in SECTIONS],
    module=__name__,
)


class TargetDirection(models.TextChoices):
    """How a target's realisation is measured (plans/realisation.py)."""

    HIGHER = "higher", _("Makin tinggi makin baik")
    LOWER = "lower", _("Makin rendah makin baik")
    QUALITATIVE = "qualitative", _("Kualitatif (tercapai / belum)")


class TrafficLight(models.TextChoices):
    """The provincial performance-accountability colours of a realisation."""

    GREEN = "green", _("Hijau (≥ 90%)")
    YELLOW = "yellow", _("Kuning (70–89%)")
    RED = "red", _("Merah (< 70%)")
