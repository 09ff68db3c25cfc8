"""Every write of the gallery: the team's consent and public evidence, the coordinator's
publication. Each checks its rule, locks the plan's publication row, writes, records the
change in the audit log and bumps the gallery's cache version."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.services import record_activity
from monitoring.models import Evidence
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.services.common import PlanError, _require

from . import cache
from .models import Publication


def _publication(plan: ActionPlan) -> Publication:
    """The plan's publication row, created when missing, under a row lock."""
    Publication.objects.get_or_create(plan=plan)
    return Publication.objects.select_for_update().get(plan=plan)


def set_consent(plan: ActionPlan, *, consent: bool, by: User) -> Publication:
    """The team gives or withdraws its consent; withdrawing takes the plan out of the
    gallery at once."""
    _require(by, "gallery.give_consent", plan, _("Hanya tim rencana yang dapat memberi izin."))
    with transaction.atomic():
        publication = _publication(plan)
        if publication.consent == consent:
            return publication
        publication.consent = consent
        publication.consent_by, publication.consent_at = by, timezone.now()
        fields = ["consent", "consent_by", "consent_at"]
        if not consent and publication.published:
            publication.published = False
            fields.append("published")
            record_activity(
                actor=by,
                action="gallery.unpublished",
                obj=plan,
                note=str(_("Izin publikasi ditarik oleh tim.")),
            )
        publication.save(update_fields=fields)
        record_activity(
            actor=by,
            action="gallery.consent_given" if consent else "gallery.consent_withdrawn",
            obj=plan,
        )
        cache.bump()
    return publication


def set_public_evidence(plan: ActionPlan, evidence_ids, *, by: User) -> list[int]:
    """The team marks which of the plan's evidence the gallery shows (every other piece
    stays private); an id that is not evidence of this plan is refused."""
    _require(by, "gallery.give_consent", plan, _("Hanya tim rencana yang dapat memberi izin."))
    wanted = sorted({int(pk) for pk in evidence_ids})
    with transaction.atomic():
        publication = _publication(plan)
        own = set(
            Evidence.objects.filter(report__plan=plan, pk__in=wanted).values_list("pk", flat=True)
        )
        if own != set(wanted):
            raise PlanError(
                _("Bukti dukung yang dipilih bukan milik rencana ini."), field="evidence"
            )
        current = sorted(publication.public_evidence.values_list("pk", flat=True))
        if current == wanted:
            return wanted
        publication.public_evidence.set(wanted)
        record_activity(
            actor=by,
            action="gallery.evidence_public",
            obj=plan,
            data={"evidence": wanted, "before": current},
        )
        cache.bump()
    return wanted


def publish(plan: ActionPlan, *, by: User) -> Publication:
    """The coordinator shows the plan in the gallery: only an approved plan (in
    implementation or completed too) whose team consents."""
    _require(by, "gallery.publish", plan, _("Hanya koordinator yang dapat mempublikasikan."))
    with transaction.atomic():
        publication = _publication(plan)
        state = ActionPlan.objects.filter(pk=plan.pk).values_list("state", flat=True).get()
        if state not in PlanState.APPROVED_ONCE:
            raise PlanError(
                _("Hanya rencana yang disetujui atau selesai yang dapat dipublikasikan."),
                code="state",
            )
        if not publication.consent:
            raise PlanError(
                _("Tim rencana belum memberi izin untuk dipublikasikan."), code="consent"
            )
        if publication.published:
            return publication
        publication.published = True
        publication.published_by, publication.published_at = by, timezone.now()
        publication.save(update_fields=["published", "published_by", "published_at"])
        record_activity(actor=by, action="gallery.published", obj=plan)
        cache.bump()
    return publication


def unpublish(plan: ActionPlan, *, by: User, note: str = "") -> Publication:
    """The coordinator takes the plan out of the gallery (the consent stays)."""
    _require(by, "gallery.publish", plan, _("Hanya koordinator yang dapat mempublikasikan."))
    with transaction.atomic():
        publication = _publication(plan)
        if not publication.published:
            return publication
        publication.published = False
        publication.save(update_fields=["published"])
        record_activity(actor=by, action="gallery.unpublished", obj=plan, note=note[:500])
        cache.bump()
    return publication
