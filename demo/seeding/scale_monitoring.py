"""The implementation of a generated national cycle, written with bulk inserts: for every
plan in implementation or completed, a progress report per reporting period ended so far
(its value per target, status per activity and an evidence link), in the states a real
province shows late in the year (most accepted, some handed in and waiting, returned,
drafts, and periods never reported, so overdue), the verified realisation of each target
from the accepted report of the latest period (as `monitoring.services.reporting` writes
it), a closing report per completed plan and a few change requests. Mixed into
`ScaleGenerator`."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from demo.seeding.dates import wita
from monitoring.enums import ActivityStatus, ChangeState, ReportState
from monitoring.models import (
    ActivityProgress,
    ChangeRequest,
    ClosingReport,
    Evidence,
    ProgressReport,
    TargetRealisation,
    TargetValue,
)
from monitoring.periods import cycle_periods
from plans.enums import PlanState, TargetDirection
from plans.realisation import capped, target_realisation

# How the last reported period of a plan in implementation stands (weights); "overdue":
# the periods after the last accepted one were never reported.
LAST_STATES = (
    (ReportState.ACCEPTED, 45),
    (ReportState.SUBMITTED, 20),
    (ReportState.RETURNED, 8),
    (ReportState.DRAFT, 7),
    ("overdue", 20),
)
NARRATIVE = {
    "done_text": "Sosialisasi layanan kepada pegawai dan masyarakat; uji coba layanan daring "
    "di dua bidang; rapat evaluasi bulanan bersama kepala bidang.",
    "obstacles": "Jaringan internet belum stabil; sebagian pegawai perlu pendampingan.",
    "next_steps": "Perluasan ke seluruh bidang dan penyusunan SOP baku.",
}
CLOSING = {
    "results": "Target utama tercapai; layanan daring digunakan di seluruh bidang.",
    "internal_impact": "Waktu penyelesaian layanan lebih singkat; beban administrasi turun.",
    "external_impact": "Masyarakat mengurus layanan tanpa datang ke kantor; keluhan menurun.",
    "lessons": "Libatkan operator dan pengguna sejak uji coba.",
    "institutionalised_by": "SK Kepala Perangkat Daerah tentang SOP layanan daring",
}
MEASURED = (PlanState.IMPLEMENTING, PlanState.COMPLETED)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return wita(day.year, day.month, day.day, hour)


class ScaleMonitoring:
    """`write_monitoring(plans, targets, activities, users)` per chunk of plans."""

    MONITORING_TABLES = (
        ProgressReport,
        TargetValue,
        ActivityProgress,
        Evidence,
        TargetRealisation,
        ClosingReport,
        ChangeRequest,
    )

    def monitoring_periods(self):
        if not hasattr(self, "_periods"):
            today = timezone.localdate()
            self._periods = [p for p in cycle_periods(self.cycle) if p.end < today]
        return self._periods

    def _value(self, target, share: Decimal) -> Decimal:
        if target.direction == TargetDirection.QUALITATIVE:
            return Decimal(1) if share >= 1 else Decimal(0)
        value = target.baseline + (target.target_value - target.baseline) * min(
            share, Decimal("1.1")
        )
        return max(value, Decimal(0)).quantize(Decimal("0.01"))

    def _plan_reports(self, plan) -> list[str]:
        """The state of each period's report of the plan, in order (the missing ones left
        out at the end)."""
        periods = self.monitoring_periods()
        if not periods:
            return []
        if plan.state == PlanState.COMPLETED:
            return [ReportState.ACCEPTED] * len(periods)
        states, weights = zip(*LAST_STATES, strict=True)
        last = self.rng.choices(states, weights=weights)[0]
        if last == "overdue":
            count = self.rng.randint(0, max(0, len(periods) - 2))
            return [ReportState.ACCEPTED] * count
        count = self.rng.randint(max(1, len(periods) - 1), len(periods))
        return [ReportState.ACCEPTED] * (count - 1) + [last]

    def write_monitoring(self, plans, targets, activities, users) -> None:
        rng, periods = self.rng, self.monitoring_periods()
        owner = {plan.pk: user.pk for plan, user in zip(plans, users, strict=True)}
        measured = [plan for plan in plans if plan.state in MEASURED]
        by_plan_targets, by_plan_activities = {}, {}
        for target in targets:
            by_plan_targets.setdefault(target.plan_id, []).append(target)
        for activity in activities:
            by_plan_activities.setdefault(activity.plan_id, []).append(activity)
        reports, plan_of_report, pace = [], [], {}
        for plan in measured:
            pace[plan.pk] = Decimal(str(round(rng.uniform(0.55, 1.15), 2)))
            reviewer = self.reviewers[plan.pk % len(self.reviewers)].pk
            for period, state in zip(periods, self._plan_reports(plan), strict=False):
                handed = period.end + dt.timedelta(days=rng.randint(2, 9))
                verified = handed + dt.timedelta(days=rng.randint(1, 4))
                done = state in (ReportState.ACCEPTED, ReportState.RETURNED)
                reports.append(
                    ProgressReport(
                        plan_id=plan.pk,
                        period=period.number,
                        period_start=period.start,
                        period_end=period.end,
                        due_date=period.due,
                        state=state,
                        review_note="Sesuai bukti." if done else "",
                        created_by_id=owner[plan.pk],
                        submitted_at=_at(handed) if state != ReportState.DRAFT else None,
                        verified_by_id=reviewer if done else None,
                        verified_at=_at(verified, 14) if done else None,
                        created_at=_at(period.end, 9),
                        **NARRATIVE,
                    )
                )
                plan_of_report.append(plan)
        reports = ProgressReport.objects.bulk_create(reports, batch_size=self.batch)
        values, steps, evidence, latest = [], [], [], {}
        span = len(periods) or 1
        for report, plan in zip(reports, plan_of_report, strict=True):
            share = Decimal(report.period) / Decimal(span) * pace[plan.pk]
            for target in by_plan_targets.get(plan.pk, []):
                row = TargetValue(
                    report_id=report.pk,
                    target_id=target.pk,
                    value=self._value(target, share),
                    achieved_on=report.period_end,
                    comment=(
                        "Lampirkan rekap bulanan sebagai bukti capaian."
                        if report.state == ReportState.RETURNED
                        else ""
                    ),
                )
                values.append(row)
                if report.state == ReportState.ACCEPTED:
                    latest[target.pk] = (target, report, row)
            for activity in by_plan_activities.get(plan.pk, []):
                started = activity.start_month <= report.period_end
                finished = activity.end_month <= report.period_start
                steps.append(
                    ActivityProgress(
                        report_id=report.pk,
                        activity_id=activity.pk,
                        status=(
                            ActivityStatus.DONE
                            if finished
                            else ActivityStatus.RUNNING
                            if started
                            else ActivityStatus.NOT_STARTED
                        ),
                        actual_start=activity.start_month if started else None,
                        actual_end=activity.end_month if finished else None,
                    )
                )
            if report.state != ReportState.DRAFT:
                evidence.append(
                    Evidence(
                        report_id=report.pk,
                        name=f"Rekap capaian periode {report.period}",
                        link=f"https://drive.example.go.id/rekap/{plan.pk}/{report.period}",
                        added_by_id=owner[plan.pk],
                        added_at=report.created_at,
                    )
                )
        TargetValue.objects.bulk_create(values, batch_size=self.batch)
        ActivityProgress.objects.bulk_create(steps, batch_size=self.batch)
        Evidence.objects.bulk_create(evidence, batch_size=self.batch)
        agency = {plan.pk: plan.agency_id for plan in measured}
        realisations = []
        for target, report, row in latest.values():
            shown = target_realisation(
                direction=target.direction,
                baseline=target.baseline,
                target=target.target_value,
                value=row.value,
            )
            realisations.append(
                TargetRealisation(
                    target_id=target.pk,
                    plan_id=report.plan_id,
                    cycle_id=self.cycle.pk,
                    agency_id=agency[report.plan_id],
                    report_id=report.pk,
                    value=row.value,
                    achieved_on=row.achieved_on,
                    realisation=shown,
                    counted=capped(shown),
                    verified_at=report.verified_at,
                )
            )
        TargetRealisation.objects.bulk_create(realisations, batch_size=self.batch)
        closing = [
            ClosingReport(
                plan_id=plan.pk,
                continues=rng.random() < 0.8,
                submitted_by_id=owner[plan.pk],
                submitted_at=wita(self.year, 12, rng.randint(1, 4), 10),
                **CLOSING,
            )
            for plan in measured
            if plan.state == PlanState.COMPLETED
        ]
        ClosingReport.objects.bulk_create(closing, batch_size=self.batch)
        changes = [
            ChangeRequest(
                plan_id=plan.pk,
                what="Tenggat kegiatan terakhir dimundurkan satu bulan.",
                why="Pengadaan perangkat terlambat dari jadwal.",
                state=ChangeState.PENDING,
                requested_by_id=owner[plan.pk],
                requested_at=wita(self.year, 11, rng.randint(1, 28), 10),
            )
            for plan in measured
            if plan.state == PlanState.IMPLEMENTING and rng.random() < 0.03
        ]
        ChangeRequest.objects.bulk_create(changes, batch_size=self.batch)
        self.counts["progress reports"] += len(reports)
        self.counts["target values"] += len(values)
        self.counts["activity progress"] += len(steps)
        self.counts["evidence links"] += len(evidence)
        self.counts["verified realisations"] += len(realisations)
        self.counts["closing reports"] += len(closing)
        self.counts["change requests"] += len(changes)
