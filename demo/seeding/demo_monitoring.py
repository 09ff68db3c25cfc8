"""The 2023 plans' implementation, played through the monitoring services: quarterly
progress reports verified by the plan's reviewer, in every state (accepted, returned with
comments, handed in and waiting, a draft, periods never reported and so overdue), and
the closing report of each completed plan, after which the coordinator completes it.
Mixed into `DemoSeeder`."""

import datetime as dt
import random
from decimal import Decimal

from agents.models import User
from demo.seeding.dates import wita
from monitoring.enums import ActivityStatus
from monitoring.periods import cycle_periods
from monitoring.services import (
    accept_report,
    complete_with_closing,
    open_report,
    return_report,
    save_report,
    submit_closing_report,
    submit_report,
)
from plans.enums import PlanState
from plans.models import ActionPlan

# How far a plan in implementation got, in turn: the last period reported is in this
# state; the periods after it were never reported (overdue).
LAST_REPORT = ("accepted", "submitted", "returned", "draft", "overdue")

NARRATIVE = {
    "done_text": "Sosialisasi layanan kepada pegawai dan masyarakat; uji coba layanan daring "
    "di dua bidang; rapat evaluasi bulanan bersama kepala bidang.",
    "obstacles": "Jaringan internet di kantor UPTD belum stabil; sebagian pegawai perlu "
    "pendampingan menggunakan aplikasi.",
    "next_steps": "Perluasan ke seluruh bidang dan penyusunan SOP baku.",
}


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return wita(day.year, day.month, day.day, hour)


class MonitoringPlays:
    """Progress reports and closing reports of the demo's 2023 plans."""

    report_turn = 0

    def _verifier(self, plan: ActionPlan) -> User:
        assignment = plan.assignments.filter(is_active=True).select_related("reviewer").first()
        return assignment.reviewer if assignment else self.coordinator

    def _write(self, plan, user, period, index, achievement) -> object:
        report = open_report(plan, period=period.number, by=user, now=_at(period.end, 9))
        share = Decimal(index) / Decimal(3) * achievement
        values = {}
        for target in plan.targets.all():
            span = target.target_value - target.baseline
            value = target.baseline + span * min(share, Decimal("1.1"))
            values[target.pk] = (max(value, Decimal(0)).quantize(Decimal("0.01")), period.end)
        activities = {}
        for activity in plan.activities.all():
            started = activity.start_month <= period.end
            finished = activity.end_month <= period.start
            status = (
                ActivityStatus.DONE
                if finished
                else ActivityStatus.RUNNING
                if started
                else ActivityStatus.NOT_STARTED
            )
            activities[activity.pk] = (
                status,
                activity.start_month if started else None,
                activity.end_month if finished else None,
            )
        return save_report(
            report,
            by=user,
            lock_version=report.lock_version,
            narrative=NARRATIVE,
            values=values,
            activities=activities,
        )

    def play_implementation(self, plan: ActionPlan, user: User, state: str, rng) -> None:
        periods = cycle_periods(plan.cycle)
        verifier = self._verifier(plan)
        achievement = Decimal(str(round(rng.uniform(0.7, 1.15), 2)))
        if state == PlanState.COMPLETED:
            last, reported = "accepted", periods
        else:
            last = LAST_REPORT[self.report_turn % len(LAST_REPORT)]
            self.report_turn += 1
            count = 2 if last == "overdue" else rng.randint(1, len(periods))
            reported = periods[: count - 1] if last == "overdue" else periods[:count]
        for index, period in enumerate(reported, start=1):
            outcome = "accepted" if index < len(reported) else last
            if outcome == "overdue":
                outcome = "accepted"
            report = self._write(plan, user, period, index, achievement)
            if state == PlanState.COMPLETED and index == len(reported):
                self.attach_demo_evidence(report, user)
            if outcome == "draft":
                continue
            handed = period.end + dt.timedelta(days=rng.randint(2, 9))
            submit_report(report, by=user, now=_at(handed))
            if outcome == "submitted":
                continue
            verified = handed + dt.timedelta(days=rng.randint(1, 4))
            if outcome == "returned":
                target = plan.targets.first()
                return_report(
                    report,
                    by=verifier,
                    comments={target.pk: "Lampirkan rekap bulanan sebagai bukti capaian."},
                    note="Nilai belum didukung bukti; mohon dilengkapi.",
                    now=_at(verified, 14),
                )
                continue
            accept_report(report, by=verifier, note="Sesuai bukti.", now=_at(verified, 14))
        if state == PlanState.COMPLETED:
            self.close_plan(plan, user, rng)

    def close_plan(self, plan: ActionPlan, user: User, rng: random.Random) -> None:
        submit_closing_report(
            plan,
            by=user,
            data={
                "results": "Target utama tercapai; layanan daring digunakan di seluruh bidang.",
                "internal_impact": "Waktu penyelesaian layanan lebih singkat dan beban "
                "administrasi pegawai berkurang.",
                "external_impact": "Masyarakat dan pelaku usaha mengurus layanan tanpa "
                "datang ke kantor; keluhan menurun.",
                "lessons": "Libatkan operator dan pengguna sejak uji coba.",
                "continues": rng.random() < 0.8,
                "institutionalised_by": "SK Kepala Perangkat Daerah tentang SOP layanan daring",
            },
            now=wita(2023, 12, rng.randint(15, 20), 10),
        )
        complete_with_closing(
            plan,
            by=self.coordinator,
            note="Laporan akhir diterima; rencana selesai.",
            now=wita(2023, 12, rng.randint(21, 29), 10),
        )
