"""Progress reports: opened for a period, written (autosaved), handed in, verified.

Only a report accepted by the plan's reviewer or a coordinator counts: accepting writes
each target's `TargetRealisation` from the accepted report of the latest period.
"""

import datetime as dt
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import User
from agents.notifications import Message, send_many
from agents.services import record_activity
from plans.attachments import AttachmentRefused, check_upload, storage_name
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.realisation import capped, target_realisation
from plans.services.common import PlanError, _require

from ..enums import ActivityStatus, ReportState
from ..models import (
    ActivityProgress,
    Evidence,
    ProgressReport,
    TargetRealisation,
    TargetValue,
)
from ..periods import period_of
from ..signals import realisation_changed

NARRATIVE = ("done_text", "obstacles", "next_steps", "answer")


def _locked_report(report: ProgressReport) -> ProgressReport:
    return (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__cycle")
        .get(pk=report.pk)
    )


def open_report(plan: ActionPlan, *, period: int, by: User, now=None) -> ProgressReport:
    """The plan's report of a period, a fresh draft (with a row per target and activity)
    the first time. Only in implementation, and only for a period that has begun."""
    _require(by, "monitoring.report_progress", plan, _("Anda tidak berhak melaporkan."))
    now = now or timezone.now()
    if plan.state != PlanState.IMPLEMENTING:
        raise PlanError(_("Laporan hanya untuk rencana yang sedang dilaksanakan."), code="phase")
    found = period_of(plan.cycle, period)
    if found is None or found.start > timezone.localtime(now).date():
        raise PlanError(_("Periode laporan ini belum dimulai."), code="phase")
    with transaction.atomic():
        report, created = ProgressReport.objects.get_or_create(
            plan=plan,
            period=found.number,
            defaults={
                "period_start": found.start,
                "period_end": found.end,
                "due_date": found.due,
                "created_by": by,
            },
        )
        if created:
            TargetValue.objects.bulk_create(
                TargetValue(report=report, target=t) for t in plan.targets.all()
            )
            ActivityProgress.objects.bulk_create(
                ActivityProgress(report=report, activity=a) for a in plan.activities.all()
            )
            record_activity(
                actor=by, action="progress.open", obj=plan, data={"period": found.number}
            )
    return report


def save_report(
    report: ProgressReport,
    *,
    by: User,
    lock_version: int,
    narrative: dict[str, str] | None = None,
    values: dict[int, tuple[Decimal | None, dt.date | None]] | None = None,
    activities: dict[int, tuple[str, dt.date | None, dt.date | None]] | None = None,
) -> ProgressReport:
    """Save what the agent wrote (the autosave): the narrative, per target id its value and
    date, per activity id its status and actual months. A save made from an older copy
    than the stored one is refused (code "conflict")."""
    _require(by, "monitoring.report_progress", report.plan, _("Anda tidak berhak melaporkan."))
    with transaction.atomic():
        locked = _locked_report(report)
        if locked.state not in ReportState.EDITABLE:
            raise PlanError(_("Laporan yang sudah diajukan tidak dapat diubah."), code="state")
        if locked.lock_version != lock_version:
            raise PlanError(
                _("Laporan ini telah diubah di tempat lain. Muat ulang halaman."),
                code="conflict",
            )
        fields = ["lock_version", "updated_at"]
        for name, text in (narrative or {}).items():
            if name in NARRATIVE:
                setattr(locked, name, (text or "").strip())
                fields.append(name)
        rows = {v.target_id: v for v in locked.values.all()}
        changed = []
        for target_id, (value, on) in (values or {}).items():
            row = rows.get(target_id)
            if row is None:
                raise PlanError(_("Target tidak dikenal."), field="values")
            row.value, row.achieved_on = value, on
            changed.append(row)
        TargetValue.objects.bulk_update(changed, ["value", "achieved_on"])
        steps = {a.activity_id: a for a in locked.activities.all()}
        moved = []
        for activity_id, (status, first, last) in (activities or {}).items():
            row = steps.get(activity_id)
            if row is None or status not in ActivityStatus.values:
                raise PlanError(_("Status kegiatan tidak dikenal."), field="activities")
            if first and last and last < first:
                raise PlanError(
                    _("Bulan selesai tidak boleh sebelum bulan mulai."), field="activities"
                )
            row.status, row.actual_start, row.actual_end = status, first, last
            moved.append(row)
        ActivityProgress.objects.bulk_update(moved, ["status", "actual_start", "actual_end"])
        locked.lock_version += 1
        locked.save(update_fields=fields)
    report.refresh_from_db()
    return report


def add_evidence(
    report: ProgressReport, *, by: User, uploaded=None, link: str = "", name: str = ""
) -> Evidence:
    """A file (checked like the plan's attachments) or a link as evidence of a report."""
    _require(by, "monitoring.report_progress", report.plan, _("Anda tidak berhak melaporkan."))
    if report.state not in ReportState.EDITABLE:
        raise PlanError(_("Laporan yang sudah diajukan tidak dapat diubah."), code="state")
    link = (link or "").strip()
    if (uploaded is None) == (not link):
        raise PlanError(_("Unggah satu berkas atau isi satu tautan."), field="file")
    if link and not link.startswith(("https://", "http://")):
        raise PlanError(_("Tautan harus diawali http:// atau https://."), field="link")
    stored, kind = "", None
    if uploaded is not None:
        try:
            kind = check_upload(uploaded)
        except AttachmentRefused as exc:
            raise PlanError(exc.message, field="file") from exc
        stored = default_storage.save(f"evidence/{report.plan_id}/{storage_name(kind)}", uploaded)
    label = (name or "").strip() or (uploaded.name if uploaded is not None else link)
    try:
        with transaction.atomic():
            evidence = Evidence.objects.create(
                report=report,
                name=label[:255],
                file=stored,
                content_type=kind.content_type if kind else "",
                size=uploaded.size if uploaded is not None else 0,
                link=link[:500],
                added_by=by,
            )
            record_activity(
                actor=by,
                action="progress.evidence",
                obj=report.plan,
                note=evidence.name,
                data={"report": report.pk},
            )
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    return evidence


def _reviewers_and_team(plan: ActionPlan, *, reviewers: bool) -> list[User]:
    if reviewers:
        return [
            a.reviewer for a in plan.assignments.filter(is_active=True).select_related("reviewer")
        ]
    return [plan.owner.user, *(a.user for a in plan.co_agents.select_related("user"))]


def submit_report(report: ProgressReport, *, by: User, now=None) -> ProgressReport:
    """Hand a report in for verification: every target needs a value."""
    _require(by, "monitoring.report_progress", report.plan, _("Anda tidak berhak melaporkan."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_report(report)
        if locked.state not in ReportState.EDITABLE:
            raise PlanError(_("Laporan ini sudah diajukan."), code="state")
        if not locked.done_text:
            raise PlanError(_("Tuliskan apa yang telah dilakukan."), field="done_text")
        if locked.values.filter(value__isnull=True).exists():
            raise PlanError(_("Isi realisasi setiap target."), field="values")
        source = locked.state
        locked.state = ReportState.SUBMITTED
        locked.submitted_at = now
        locked.save(update_fields=["state", "submitted_at", "updated_at"])
        record_activity(
            actor=by,
            action="progress.submit",
            obj=locked.plan,
            from_state=source,
            to_state=locked.state,
            data={"report": locked.pk, "period": locked.period},
        )
        send_many(
            [
                Message(
                    recipient=user,
                    kind="progress_submitted",
                    title=_("Laporan realisasi menunggu verifikasi: %(plan)s")
                    % {"plan": locked.plan.title},
                    url=reverse("monitoring:report", args=[locked.plan_id, locked.period]),
                    dedupe_key=f"progress-submitted:{locked.pk}:{now.isoformat()}",
                )
                for user in _reviewers_and_team(locked.plan, reviewers=True)
            ]
        )
    report.refresh_from_db()
    return report


def write_realisations(plan: ActionPlan, *, now) -> None:
    """Each target's realisation from the accepted report of the latest period (again
    after an approved change to a target's value)."""
    latest = {}
    for row in (
        TargetValue.objects.filter(
            report__plan=plan, report__state=ReportState.ACCEPTED, value__isnull=False
        )
        .select_related("report", "target")
        .order_by("report__period")
    ):
        latest[row.target_id] = row
    TargetRealisation.objects.filter(plan=plan).exclude(target_id__in=latest).delete()
    rows = []
    for row in latest.values():
        t = row.target
        shown = target_realisation(
            direction=t.direction, baseline=t.baseline, target=t.target_value, value=row.value
        )
        rows.append(
            TargetRealisation(
                target=t,
                plan=plan,
                cycle_id=plan.cycle_id,
                agency_id=plan.agency_id,
                report=row.report,
                value=row.value,
                achieved_on=row.achieved_on,
                realisation=shown,
                counted=capped(shown),
                verified_at=now,
            )
        )
    TargetRealisation.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["target"],
        update_fields=[
            "report",
            "value",
            "achieved_on",
            "realisation",
            "counted",
            "verified_at",
        ],
    )
    realisation_changed.send(
        sender=TargetRealisation, cycle_id=plan.cycle_id, agency_id=plan.agency_id
    )


def _verify(report, *, by, to, note, comments, now, action):
    _require(
        by,
        "monitoring.verify_progress",
        report.plan,
        _("Hanya reviewer rencana ini atau koordinator yang dapat memverifikasi."),
    )
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_report(report)
        if locked.state != ReportState.SUBMITTED:
            raise PlanError(_("Hanya laporan yang diajukan yang dapat diverifikasi."), code="state")
        rows = {v.target_id: v for v in locked.values.all()}
        for target_id, text in (comments or {}).items():
            if target_id not in rows:
                raise PlanError(_("Target tidak dikenal."), field="comments")
            rows[target_id].comment = (text or "").strip()
        TargetValue.objects.bulk_update(rows.values(), ["comment"])
        locked.state = to
        locked.review_note = (note or "").strip()
        locked.verified_by = by
        locked.verified_at = now
        locked.save(
            update_fields=["state", "review_note", "verified_by", "verified_at", "updated_at"]
        )
        record_activity(
            actor=by,
            action=action,
            obj=locked.plan,
            from_state=ReportState.SUBMITTED,
            to_state=to,
            note=locked.review_note,
            data={"report": locked.pk, "period": locked.period},
        )
        if to == ReportState.ACCEPTED:
            write_realisations(locked.plan, now=now)
        title = (
            _("Laporan realisasi periode %(n)s diterima")
            if to == ReportState.ACCEPTED
            else _("Laporan realisasi periode %(n)s dikembalikan")
        ) % {"n": locked.period}
        send_many(
            [
                Message(
                    recipient=user,
                    kind="progress_verified",
                    title=title,
                    body=locked.review_note,
                    url=reverse("monitoring:report", args=[locked.plan_id, locked.period]),
                    dedupe_key=f"progress-verified:{locked.pk}:{now.isoformat()}",
                )
                for user in _reviewers_and_team(locked.plan, reviewers=False)
            ]
        )
    report.refresh_from_db()
    return report


def accept_report(report: ProgressReport, *, by: User, note: str = "", now=None):
    return _verify(
        report, by=by, to=ReportState.ACCEPTED, note=note, comments=None, now=now,
        action="progress.accept",
    )  # fmt: skip


def return_report(
    report: ProgressReport, *, by: User, comments: dict[int, str], note: str = "", now=None
):
    """Return a report to its agent with a comment per target (at least one comment)."""
    if not any((text or "").strip() for text in comments.values()) and not (note or "").strip():
        raise PlanError(_("Tuliskan catatan pada target yang perlu diperbaiki."), field="comments")
    return _verify(
        report, by=by, to=ReportState.RETURNED, note=note, comments=comments, now=now,
        action="progress.return",
    )  # fmt: skip
