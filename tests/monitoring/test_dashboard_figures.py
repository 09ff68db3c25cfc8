"""The dashboard's realisation figures: verified values only, on track against the elapsed
window, traffic lights, per agency and RB area, the late targets; the page follows an
accepted report at once (the cache hears it)."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from monitoring.services import accept_report, open_report, save_report, submit_report
from reports.selectors.realisation import cycle_realisation


def report_values(plan, agent, reviewer, values, *, accept=True):
    report = open_report(plan, period=1, by=agent.user)
    targets = list(plan.targets.all())
    save_report(
        report,
        by=agent.user,
        lock_version=report.lock_version,
        narrative={"done_text": "Dikerjakan."},
        values={
            t.pk: (Decimal(v), timezone.localdate()) for t, v in zip(targets, values, strict=True)
        },
    )
    submit_report(report, by=agent.user)
    if accept:
        accept_report(report, by=reviewer)
    return targets


def test_figures_count_verified_values_only(running_plan, agent, plan_reviewer):
    cycle = running_plan.cycle
    report_values(running_plan, agent, plan_reviewer, ["80", "26"], accept=False)
    figures = cycle_realisation(cycle)
    assert (figures.targets, figures.on_track, figures.realisation) == (2, 0, Decimal("0.00"))
    assert figures.lights == {"green": 0, "yellow": 0, "red": 2}


def test_figures_after_acceptance(running_plan, agent, plan_reviewer):
    cycle = running_plan.cycle
    first, second = report_values(running_plan, agent, plan_reviewer, ["80", "26"])
    figures = cycle_realisation(cycle)
    # 20 → 80: 80 is 100 %, 26 is 10 %; about three months of eight have passed.
    assert Decimal(30) < figures.elapsed < Decimal(45)
    assert (figures.targets, figures.on_track) == (2, 1)
    assert figures.on_track_pct == Decimal("50.00")
    assert figures.realisation == Decimal("55.00")
    assert figures.lights == {"green": 1, "yellow": 0, "red": 1}
    assert figures.per_agency == {running_plan.agency_id: Decimal("55.00")}
    assert [row["pk"] for row in figures.late] == [second.pk]
    assert ("Penataan Tatalaksana", 2, Decimal("55.00")) in figures.per_area


def test_dashboard_shows_the_figures_and_follows_acceptance(
    client, running_plan, agent, plan_reviewer, leader
):
    client.force_login(leader)
    url = reverse("reports:dashboard") + f"?cycle={running_plan.cycle.code}"
    before = client.get(url).content.decode()
    assert "Target sesuai jadwal" in before
    assert 'id="on-track-figure">0,00%' in before
    report_values(running_plan, agent, plan_reviewer, ["80", "26"])
    after = client.get(url).content.decode()
    assert 'id="on-track-figure">50,00%' in after
    assert "55,00%" in after  # the agency's realisation column and the mean
