"""A person's deadlines as an iCalendar feed at a secret address, reset on the profile."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import ActivityLog
from agents.selectors import calendar_token_hash
from agents.services import reset_calendar_token
from assessment.services import assign_reviewers
from plans.enums import PlanState
from plans.models import ActionPlan
from tests.factories import PlanFactory, wita


def feed(client, user) -> icalendar.Calendar:
    token = reset_calendar_token(user, by=user)
    client.logout()  # a calendar program has no session
    response = client.get(reverse("assessment:calendar", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    # RFC 5545: CRLF line ends, no line longer than 75 octets.
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    return icalendar.Calendar.from_ical(body)


def events(calendar) -> dict[str, tuple]:
    return {
        str(event["SUMMARY"]): (event.decoded("DTSTART"), str(event.get("URL", "")))
        for event in calendar.walk("VEVENT")
    }


def test_an_agent_sees_the_submission_deadline_of_a_draft(client, draft_plan):
    ActionPlan.objects.filter(pk=draft_plan.pk).update(
        submission_extended_until=wita(2031, 3, 1, 23, 59),
        title="Layanan, antrean; dan \\ tanda khusus yang membuat baris ini lebih panjang dari 75",
    )
    calendar = feed(client, draft_plan.owner.user)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] == "-//AgenPlan//Tenggat//ID"
    ((summary, (start, url)),) = events(calendar).items()
    assert summary == (
        "Batas pengajuan: Layanan, antrean; dan \\ tanda khusus yang membuat baris ini lebih "
        "panjang dari 75"
    )
    assert start == dt.datetime(2031, 3, 1, 15, 59, tzinfo=dt.UTC)
    assert url == f"http://testserver{reverse('plans:detail', args=[draft_plan.pk])}"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"plan-{draft_plan.pk}-draft@testserver"


def test_a_revision_shows_the_revision_deadline_in_the_persons_language(client, cycle, agent):
    cycle.revision_deadline = wita(2031, 5, 2, 23, 59)
    cycle.save(update_fields=["revision_deadline"])
    plan = PlanFactory(cycle=cycle, owner=agent, state=PlanState.REVISION_REQUESTED, title="Izin")
    agent.user.language = "en"
    agent.user.save(update_fields=["language"])
    assert events(feed(client, agent.user)) == {
        "Revision deadline: Izin": (
            dt.datetime(2031, 5, 2, 15, 59, tzinfo=dt.UTC),
            f"http://testserver{reverse('plans:detail', args=[plan.pk])}",
        )
    }


def test_a_reviewer_sees_review_due_dates_until_the_review_is_sent(
    client, cycle, coordinator, reviewers
):
    plan = PlanFactory(cycle=cycle, state=PlanState.SUBMITTED, title="Rencana A")
    due = timezone.localdate() + dt.timedelta(days=10)
    assign_reviewers(plan, reviewers=reviewers[:1], by=coordinator, due_date=due)
    assert events(feed(client, reviewers[0])) == {
        "Tenggat penilaian: Rencana A": (
            due,
            f"http://testserver{reverse('assessment:review', args=[plan.pk])}",
        )
    }
    # Someone with no plan and no review has an empty, still valid, calendar.
    assert events(feed(client, coordinator)) == {}


def test_plans_that_cannot_be_handed_in_have_no_deadline(client, cycle, agent):
    PlanFactory(cycle=cycle, owner=agent, state=PlanState.APPROVED)
    assert events(feed(client, agent.user)) == {}


def test_the_token_is_stored_hashed_and_a_reset_ends_the_old_address(client, agent):
    user = agent.user
    old = reset_calendar_token(user, by=user)
    user.refresh_from_db()
    assert user.calendar_token_hash == calendar_token_hash(old) != old
    assert old not in str(user.__dict__.values())
    client.force_login(user)
    response = client.post(reverse("calendar_reset"))
    assert response.status_code == 200
    url = response.context["calendar_url"]
    assert f'value="{url}"' in response.content.decode()
    new = url.rsplit("/", 1)[1].removesuffix(".ics")
    client.logout()
    assert client.get(reverse("assessment:calendar", args=[old])).status_code == 404
    assert client.get(reverse("assessment:calendar", args=[new])).status_code == 200
    assert ActivityLog.objects.filter(action="calendar.reset", object_id=str(user.pk)).count() == 2


@pytest.mark.parametrize("token", ["x", "a" * 500, "%00"])
def test_an_unknown_or_odd_secret_is_a_404(client, db, token):
    assert client.get(reverse("assessment:calendar", args=[token])).status_code == 404


def test_an_inactive_account_has_no_calendar(client, agent):
    token = reset_calendar_token(agent.user, by=agent.user)
    agent.user.is_active = False
    agent.user.save(update_fields=["is_active"])
    assert client.get(reverse("assessment:calendar", args=[token])).status_code == 404


def test_reset_is_a_post_of_a_signed_in_person(client, agent):
    assert client.post(reverse("calendar_reset"))["Location"].startswith(reverse("login"))
    client.force_login(agent.user)
    assert client.get(reverse("calendar_reset")).status_code == 405
