"""Progress and realisation through the API: the plan's team writes a period's report
(the page's own services and checks) and hands it in; the realisation read back is the
verified one, the same figures as the "Pelaksanaan" tab; other readers may read but not
write, and a plan one may not open answers 404."""

from decimal import Decimal

import pytest
from django.utils import timezone

from agents.enums import ApiAccess, ApiArea
from agents.models import ActivityLog
from monitoring.enums import ReportState
from monitoring.models import ProgressReport, TargetValue
from monitoring.selectors import plan_progress
from monitoring.services import accept_report
from tests.factories import AgentFactory, TargetFactory, user_with_role

pytestmark = pytest.mark.django_db


def url(plan, period=None, action=""):
    base = f"/api/v1/plans/{plan.pk}/progress/"
    return base if period is None else f"{base}{period}/{action}"


def put(client, headers, address, data):
    return client.put(address, data, content_type="application/json", **headers)


def full_report(plan, value="50"):
    return {
        "done_text": "Aplikasi diluncurkan.",
        "obstacles": "Jaringan.",
        "values": [
            {"target": t.pk, "value": value, "achieved_on": str(timezone.localdate())}
            for t in plan.targets.all()
        ],
        "activities": [
            {"activity": a.pk, "status": "running", "actual_start": str(a.start_month)}
            for a in plan.activities.all()
        ],
    }


def test_the_team_writes_a_draft_hands_it_in_and_reads_the_verified_realisation(
    client, api, running_plan, agent, plan_reviewer
):
    me = api(agent.user)
    created = put(client, me.headers, url(running_plan, 1), {"done_text": "Mulai."})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["done_text"], body["period"]) == ("draft", "Mulai.", 1)
    assert len(body["values"]) == running_plan.targets.count()
    # A later write needs the version read; an older one is refused (409).
    missing = put(client, me.headers, url(running_plan, 1), full_report(running_plan))
    assert missing.status_code == 400 and "lock_version" in missing.json()["fields"]
    stale = put(
        client, me.headers, url(running_plan, 1), {**full_report(running_plan), "lock_version": 0}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    data = {**full_report(running_plan), "lock_version": body["lock_version"]}
    saved = put(client, me.headers, url(running_plan, 1), data)
    assert saved.status_code == 200, saved.content
    assert {v["value"] for v in saved.json()["values"]} == {"50.00"}
    assert saved.json()["obstacles"] == "Jaringan."
    link = me.post(
        url(running_plan, 1, "evidence/"), {"link": "https://simpeg.example/laporan", "name": "X"}
    )
    assert link.status_code == 201 and link.json()["has_file"] is False
    submitted = me.post(url(running_plan, 1, "submit/"), {})
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert ActivityLog.objects.filter(action="progress.submit", actor=agent.user).exists()

    # Handed in but not verified: nothing counts as realisation yet.
    progress = me.get(url(running_plan)).json()
    assert Decimal(progress["realisation"]) == plan_progress(running_plan).realisation == 0
    assert {t["verified_value"] for t in progress["targets"]} == {None}
    assert progress["periods"][0]["state"] == "submitted"

    accept_report(ProgressReport.objects.get(plan=running_plan, period=1), by=plan_reviewer)
    progress = me.get(url(running_plan)).json()
    page = plan_progress(running_plan)
    assert Decimal(progress["realisation"]) == page.realisation == Decimal("50.00")
    assert [(t["target"], Decimal(t["realisation"])) for t in progress["targets"]] == [
        (row.target.pk, row.realisation) for row in page.targets
    ]
    assert progress["light"] == page.light
    answer = me.get(url(running_plan, 1))
    report = answer.json()
    assert report["state"] == "accepted" and "verified_by" not in report
    # Who verified stays unnamed to the team.
    assert plan_reviewer.name not in answer.content.decode()
    assert plan_reviewer.username not in answer.content.decode()
    # Accepted: no longer writable.
    again = put(client, me.headers, url(running_plan, 1), {"lock_version": report["lock_version"]})
    assert again.status_code == 400


def test_refusals_name_their_field_and_write_nothing(client, api, running_plan, agent):
    me = api(agent.user)
    target = running_plan.targets.first()
    target.direction = "qualitative"
    target.save()
    created = put(client, me.headers, url(running_plan, 1), {})
    version = created.json()["lock_version"]
    cases = [
        ({"values": [{"target": target.pk, "value": "7"}]}, "values"),
        ({"values": [{"target": 999999, "value": "7"}]}, "values"),
        ({"values": [{"target": target.pk, "value": "x"}]}, "values"),
        ({"activities": [{"activity": 1, "status": "flying"}]}, "activities"),
        ({"done_text": "x" * 4001}, "done_text"),
    ]
    for data, field in cases:
        answer = put(client, me.headers, url(running_plan, 1), {**data, "lock_version": version})
        assert answer.status_code == 400, data
        assert field in answer.json()["fields"], answer.json()
    activity = running_plan.activities.first()
    backwards = {
        "activity": activity.pk,
        "status": "running",
        "actual_start": "2026-05-01",
        "actual_end": "2026-03-15",
    }
    answer = put(
        client,
        me.headers,
        url(running_plan, 1),
        {"activities": [backwards], "lock_version": version, "done_text": "Tidak tersimpan."},
    )
    assert answer.status_code == 400 and "activities" in answer.json()["fields"]
    report = ProgressReport.objects.get(plan=running_plan, period=1)
    assert (report.lock_version, report.done_text) == (version, "")
    assert not TargetValue.objects.filter(report=report, value__isnull=False).exists()
    # Handing in without values is refused on the field.
    refused = me.post(url(running_plan, 1, "submit/"), {})
    assert refused.status_code == 400 and "done_text" in refused.json()["fields"]
    # A period that has not begun cannot be opened.
    future = put(client, me.headers, url(running_plan, 9), {})
    assert future.status_code == 400 and ProgressReport.objects.count() == 1
    assert me.post(url(running_plan, 1, "evidence/"), {"link": "ftp://x"}).status_code == 400


def test_only_the_plans_team_writes_and_other_agencies_get_404(
    client, api, running_plan, agent, plan_reviewer, coordinator
):
    put(client, api(agent.user).headers, url(running_plan, 1), {})
    colleague = AgentFactory(user__agency=running_plan.agency).user
    other = AgentFactory().user
    head_elsewhere = user_with_role("agency_head", agency=AgentFactory().agency)
    for user, read, write in [
        (plan_reviewer, 200, 403),
        (coordinator, 200, 403),
        (colleague, 404, 404),
        (other, 404, 404),
        (head_elsewhere, 404, 404),
    ]:
        caller = api(user)
        assert caller.get(url(running_plan)).status_code == read, user
        assert caller.get(url(running_plan, 1)).status_code == read, user
        assert put(client, caller.headers, url(running_plan, 1), {}).status_code == write
        assert caller.post(url(running_plan, 1, "submit/"), {}).status_code == write
        assert (
            caller.post(url(running_plan, 1, "evidence/"), {"link": "https://x.id"}).status_code
            == write
        )
    assert ProgressReport.objects.get().state == ReportState.DRAFT
    assert not ProgressReport.objects.get().evidence.exists()


def test_a_read_only_token_cannot_write_a_report(client, api, running_plan, agent):
    reader = api(agent.user, dict.fromkeys(ApiArea.values, ApiAccess.READ))
    answer = put(client, reader.headers, url(running_plan, 1), {})
    assert answer.status_code == 403 and answer.json()["code"] == "insufficient_scope"
    assert reader.get(url(running_plan)).status_code == 200
    assert not ProgressReport.objects.exists()


def test_a_plan_not_yet_approved_has_no_progress(client, api, agent):
    plan = TargetFactory(plan__owner=agent, plan__agency=agent.agency).plan
    assert api(agent.user).get(url(plan)).status_code == 404
