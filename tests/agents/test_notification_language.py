"""Notifications are written in the recipient's language, whoever acted and in whatever
language their page was: dates as that language writes them ("7 Januari 2027"), numbers
with its separators, labels translated."""

# The assessment fixtures are imported below; pytest injects them by name.
# ruff: noqa: F811

import datetime as dt
from decimal import Decimal

from django.core import mail
from django.utils import translation

from agents.models import Notification
from agents.notifications import Message, Text, deliver_mail, notify, send, send_many
from assessment.services import assign_reviewers, decide_plan
from tests.assessment.conftest import levels_all, pool, submitted  # noqa: F401 - fixtures
from tests.assessment.test_decisions import reviewed  # noqa: F401 - a fixture

DUE = dt.date(2027, 1, 7)


def test_a_text_is_written_in_each_recipients_language(agent, coordinator):
    agent.user.language = "id"
    coordinator.language = "en"
    text = Text(
        "Penilaian rencana “%(title)s” jatuh tempo %(due)s. Nilai: %(score)s.",
        title="Izin daring",
        due=DUE,
        score=Decimal("1234.5"),
    )
    with translation.override("en"):
        send(agent.user, kind="x", title=text, dedupe_key="a")
        send_many([Message(coordinator, kind="x", title=text, dedupe_key="b")])
    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles[agent.user.pk] == (
        "Penilaian rencana “Izin daring” jatuh tempo 7 Januari 2027. Nilai: 1.234,5."
    )
    assert titles[coordinator.pk].endswith("7 January 2027. Nilai: 1,234.5.")


def test_an_assignment_reaches_each_reviewer_in_their_language_with_the_due_date(
    submitted, pool, coordinator
):
    plan = submitted()
    indonesian, english = pool(2)
    english.language = "en"
    english.save(update_fields=["language"])
    with translation.override("en"):  # the coordinator works in English
        assign_reviewers(plan, reviewers=[indonesian, english], by=coordinator, due_date=DUE)
    [mine] = Notification.objects.filter(recipient=indonesian, kind="assignment")
    assert mine.title == f"Penugasan baru: {plan.title}"
    assert mine.body.endswith("Tenggat: 7 Januari 2027.")
    [theirs] = Notification.objects.filter(recipient=english, kind="assignment")
    assert not theirs.title.startswith("Penugasan baru")
    assert "7 January 2027" in theirs.body


def test_a_decision_taken_in_english_reaches_an_indonesian_agent_in_indonesian(
    reviewed, coordinator
):
    plan = reviewed()
    with translation.override("en"):
        decide_plan(plan, outcome="revise", feedback="Perjelas.", by=coordinator)
    [notice] = Notification.objects.filter(recipient=plan.owner.user, kind="decision")
    assert notice.title == f"Keputusan atas rencana “{plan.title}”: Perlu revisi"
    assert notice.body == "Buka AgenPlan untuk membaca nilai dan masukan penilaian."


def test_the_mail_of_a_notification_links_to_the_sites_address(agent, settings):
    settings.AGENPLAN_SITE_URL = "https://agenplan.kaltimprov.go.id/"
    notice = notify(agent.user, kind="x", title="Judul", url="/rencana/7/", dedupe_key="m")
    assert deliver_mail(notice.pk) is True
    [message] = mail.outbox
    assert message.body.endswith("\n\nhttps://agenplan.kaltimprov.go.id/rencana/7/")
