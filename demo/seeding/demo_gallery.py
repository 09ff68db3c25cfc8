"""The public gallery's first content: some of the 2023 plans' teams consent, mark their
evidence public, and the coordinator publishes them, through the gallery's services.
Mixed into `DemoSeeder`; a plan that already has its gallery row is left as it is."""

from django.core.files.uploadedfile import SimpleUploadedFile

from gallery import services as gallery
from gallery.models import Publication
from monitoring.models import Evidence
from monitoring.services import add_evidence
from plans.enums import PlanState
from plans.models import ActionPlan, Cycle

# Every n-th completed plan, every m-th plan in implementation, and the demo agent's.
EVERY_COMPLETED = 6
EVERY_IMPLEMENTING = 10
# A plan whose team consents but that the coordinator has not published yet.
WAITING = 2
EVIDENCE_PDF = b"%PDF-1.4\n%Rekap capaian target (data demo)\n%%EOF\n"


class GalleryPlays:
    """The gallery's published plans and the evidence their teams show."""

    def attach_demo_evidence(self, report, user) -> None:
        """The recap the team attaches to its last report (a small PDF)."""
        add_evidence(
            report,
            by=user,
            uploaded=SimpleUploadedFile(f"rekap-periode-{report.period}.pdf", EVIDENCE_PDF),
            name=f"Rekap capaian target periode {report.period}",
        )

    def seed_gallery(self, cycle: Cycle) -> None:
        plans = ActionPlan.objects.filter(cycle=cycle).select_related("owner__user")
        completed = list(plans.filter(state=PlanState.COMPLETED).order_by("pk"))
        implementing = list(plans.filter(state=PlanState.IMPLEMENTING).order_by("pk"))
        chosen = [
            *completed[::EVERY_COMPLETED],
            *implementing[::EVERY_IMPLEMENTING],
            *(p for p in completed if p.owner.user.username == "agen"),
        ]
        done = set(Publication.objects.filter(plan__in=chosen).values_list("plan_id", flat=True))
        published = 0
        for index, plan in enumerate(dict.fromkeys(chosen)):
            if plan.pk in done:
                continue
            team = plan.owner.user
            gallery.set_consent(plan, consent=True, by=team)
            evidence = Evidence.objects.filter(report__plan=plan).values_list("pk", flat=True)
            gallery.set_public_evidence(plan, list(evidence), by=team)
            if index >= WAITING:
                gallery.publish(plan, by=self.coordinator)
                published += 1
        self.counts["gallery plans published"] = published
