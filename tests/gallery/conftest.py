"""A province whose plans are full of what the public must never read: each secret is a
marked word (RAHASIA-…) planted where the product keeps it, so that a test can assert
that no public page shows any of them."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agents.enums import Role
from assessment.models import Decision, Review, ReviewAssignment
from gallery import services
from monitoring.models import Evidence, TargetValue
from monitoring.services import (
    accept_report,
    add_evidence,
    enter_due_implementations,
    open_report,
    save_report,
    submit_report,
)
from plans.enums import PlanState
from plans.models import ActionPlan, Comment, CommentThread, Target
from tests.factories import AgentFactory, scored_review, user_with_role
from tests.monitoring.conftest import approved_plan, running_cycle  # noqa: F401 - fixtures

PDF = b"%PDF-1.4\n%bukti publik\n"
PRIVATE_PDF = b"%PDF-1.4\n%RAHASIA-BERKAS\n"

# What each plan's public page may show: its own words, planted in the public columns.
PUBLIC_TEXT = {
    "strategic_issue": "Antrean perizinan usaha yang panjang di loket pelayanan.",
    "innovation": "Perizinan daring satu pintu dengan tanda tangan elektronik.",
    "impact_external": "Pelaku usaha mengurus izin tanpa datang ke kantor.",
}
# What no public page may show.
SECRET_TEXT = {
    "baseline_data": "RAHASIA-DATA-AWAL",
    "root_cause": "RAHASIA-AKAR-MASALAH",
    "novelty": "RAHASIA-KEBARUAN",
    "alignment_notes": "RAHASIA-KESELARASAN",
    "roadmap_link": "RAHASIA-ROADMAP",
    "impact_internal": "RAHASIA-DAMPAK-INTERNAL",
    "stakeholders": "RAHASIA-PEMANGKU",
    "risks": "RAHASIA-RISIKO",
    "mitigation": "RAHASIA-MITIGASI",
}
SECRETS = [
    *SECRET_TEXT.values(),
    "RAHASIA-KOMENTAR-KRITERIA",
    "RAHASIA-MASUKAN-REVIEWER",
    "RAHASIA-CATATAN-KOORDINATOR",
    "RAHASIA-MASUKAN-KEPUTUSAN",
    "RAHASIA-PENDAMPINGAN",
    "RAHASIA-CATATAN-VERIFIKASI",
    "RAHASIA-KOMENTAR-TARGET",
    "RAHASIA-YANG-DILAKUKAN",
    "RAHASIA-KENDALA",
    "RAHASIA-BUKTI-PRIVAT",
    "rahasia.example",
    "Reviewer Rahasia Sekali",
    "Agen Rahasia Sekali",
    "Koordinator Rahasia Sekali",
    "87,65",
    "87.65",
]


@dataclass
class World:
    plan: ActionPlan
    agent: object
    reviewer: object
    coordinator: object
    public_file: Evidence
    private_file: Evidence
    private_link: Evidence
    public_link: Evidence
    secrets: list


def _fill(plan: ActionPlan) -> None:
    for name, value in {**PUBLIC_TEXT, **SECRET_TEXT}.items():
        setattr(plan, name, value)
    plan.save()
    ActionPlan.objects.filter(pk=plan.pk).update(score=Decimal("87.65"))


def secret_plan(cycle, *, coordinator, reviewer, agent=None) -> ActionPlan:
    """An approved plan in implementation whose first period is accepted (each target
    at half its way), with every secret planted; returns it with its evidence."""
    plan = approved_plan(cycle, agent=agent, reviewer=reviewer, coordinator=coordinator)
    _fill(plan)
    version = plan.versions.get()
    review = scored_review(plan, version, user_with_role(Role.REVIEWER), coordinator, {"K1": 4})
    Review.objects.filter(pk=review.pk).update(
        overall_feedback="RAHASIA-MASUKAN-REVIEWER",
        confidential_note="RAHASIA-CATATAN-KOORDINATOR",
    )
    review.scores.update(comment="RAHASIA-KOMENTAR-KRITERIA")
    Decision.objects.create(
        plan=plan,
        version=version,
        outcome="approve",
        feedback="RAHASIA-MASUKAN-KEPUTUSAN",
        score=Decimal("87.65"),
        decided_by=coordinator,
    )
    thread = CommentThread.objects.create(plan=plan, section="problem", started_by=reviewer)
    Comment.objects.create(thread=thread, author=reviewer, body="RAHASIA-PENDAMPINGAN")
    enter_due_implementations()
    plan.refresh_from_db()
    assert plan.state == PlanState.IMPLEMENTING
    owner = plan.owner.user
    report = open_report(plan, period=1, by=owner)
    targets = list(Target.objects.filter(plan=plan).order_by("order", "pk"))
    report = save_report(
        report,
        by=owner,
        lock_version=report.lock_version,
        narrative={"done_text": "RAHASIA-YANG-DILAKUKAN", "obstacles": "RAHASIA-KENDALA"},
        values={t.pk: (Decimal("50"), cycle.implementation_start) for t in targets},
    )
    add_evidence(report, by=owner, uploaded=SimpleUploadedFile("rekap.pdf", PDF), name="Rekap")
    add_evidence(
        report,
        by=owner,
        uploaded=SimpleUploadedFile("privat.pdf", PRIVATE_PDF),
        name="RAHASIA-BUKTI-PRIVAT",
    )
    add_evidence(report, by=owner, link="https://rahasia.example/privat", name="Tautan privat")
    add_evidence(report, by=owner, link="https://kaltimprov.go.id/berita", name="Berita publik")
    submit_report(report, by=owner)
    TargetValue.objects.filter(report=report).update(comment="RAHASIA-KOMENTAR-TARGET")
    accept_report(report, by=reviewer, note="RAHASIA-CATATAN-VERIFIKASI")
    plan.refresh_from_db()
    return plan


@pytest.fixture
def world(running_cycle, coordinator, settings, private_media):  # noqa: F811
    coordinator.name = "Koordinator Rahasia Sekali"
    coordinator.save()
    reviewer = user_with_role(Role.REVIEWER, name="Reviewer Rahasia Sekali")
    agent = AgentFactory(user__name="Agen Rahasia Sekali")
    plan = secret_plan(running_cycle, coordinator=coordinator, reviewer=reviewer, agent=agent)
    evidence = {e.name: e for e in Evidence.objects.filter(report__plan=plan)}
    services.set_consent(plan, consent=True, by=agent.user)
    services.set_public_evidence(
        plan, [evidence["Rekap"].pk, evidence["Berita publik"].pk], by=agent.user
    )
    services.publish(plan, by=coordinator)
    assert ReviewAssignment.objects.filter(plan=plan).exists()
    return World(
        plan=plan,
        agent=agent,
        reviewer=reviewer,
        coordinator=coordinator,
        public_file=evidence["Rekap"],
        private_file=evidence["RAHASIA-BUKTI-PRIVAT"],
        private_link=evidence["Tautan privat"],
        public_link=evidence["Berita publik"],
        secrets=[*SECRETS, agent.user.nip],
    )
