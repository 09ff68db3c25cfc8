"""The coordinator's wording of a cycle's messages: placeholders checked on the field, a
preview from one of the cycle's plans, sent in each recipient's language, audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from agents.models import ActivityLog, Notification
from assessment.services import assign_reviewers
from plans.enums import PlanState
from plans.message_templates import KINDS, render, unknown_placeholders
from plans.models import MessageTemplate
from plans.services.common import PlanError
from plans.services.messages import reset_message_template, save_message_template
from tests.factories import PlanFactory

DUE = dt.date(2027, 1, 7)


@pytest.fixture
def plan(cycle):
    return PlanFactory(cycle=cycle, state=PlanState.SUBMITTED, title="Antrean <b>daring</b>")


def edit_url(cycle, kind="assignment", language="id"):
    return (
        reverse("assessment:message_edit") + f"?cycle={cycle.code}&kind={kind}&language={language}"
    )


def test_the_default_wording_is_the_applications_text_in_the_recipients_language(cycle, reviewers):
    reviewer = reviewers[0]
    rendered = render(
        "assignment", cycle=cycle, recipient=reviewer, judul_rencana="Izin", batas_waktu=DUE
    )
    assert (rendered.subject, rendered.body) == (
        "Penugasan baru: Izin",
        "Anda ditugaskan menilai rencana tindak “Izin”. Tenggat: 7 Januari 2027.",
    )
    reviewer.language = "en"
    rendered = render(
        "assignment", cycle=cycle, recipient=reviewer, judul_rencana="Izin", batas_waktu=DUE
    )
    assert (
        rendered.body
        == "You have been assigned to review the action plan “Izin”. Due: 7 January 2027."
    )


def test_every_default_wording_uses_only_its_own_placeholders():
    for kind in KINDS.values():
        for language in ("id", "en"):
            with translation.override(language):
                text = str(kind.subject) + str(kind.body)
            assert unknown_placeholders(kind, text) == [], (kind.key, language)


def test_sending_uses_the_cycles_wording_in_each_recipients_language(
    cycle, plan, coordinator, reviewers
):
    english, indonesian = reviewers
    english.language = "en"
    english.save(update_fields=["language"])
    save_message_template(
        cycle,
        kind="assignment",
        language="en",
        subject="Please review {judul_rencana}",
        body="Dear {nama}, review “{judul_rencana}” of {siklus} by {batas_waktu}: {tautan}",
        by=coordinator,
    )
    assign_reviewers(plan, reviewers=reviewers, by=coordinator, due_date=DUE)
    sent = {n.recipient_id: n for n in Notification.objects.filter(kind="assignment")}
    assert sent[english.pk].title == "Please review Antrean <b>daring</b>"
    assert sent[english.pk].body.startswith(
        f"Dear {english.name}, review “Antrean <b>daring</b>” of {cycle.name} by 7 January 2027: "
    )
    assert sent[english.pk].body.endswith(reverse("assessment:review", args=[plan.pk]))
    # No Indonesian wording of the cycle's: the default, in Indonesian.
    assert sent[indonesian.pk].title == "Penugasan baru: Antrean <b>daring</b>"
    assert sent[indonesian.pk].body.endswith("Tenggat: 7 Januari 2027.")


def test_an_unknown_placeholder_is_refused_on_its_field_and_nothing_is_saved(
    client, cycle, coordinator
):
    client.force_login(coordinator)
    response = client.post(
        edit_url(cycle),
        {
            "cycle": cycle.code,
            "kind": "assignment",
            "language": "id",
            "subject": "Tugas {judul_rencana}",
            "body": "Halo {nama_lengkap}, {}",
            "save": "1",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "body": [
            "Tanda {}, {nama_lengkap} tidak dikenal. Yang dapat dipakai: {nama}, {siklus}, "
            "{tautan}, {judul_rencana}, {batas_waktu}."
        ]
    }
    assert not MessageTemplate.objects.exists()
    # Too long, or empty: on the field too.
    response = client.post(
        edit_url(cycle),
        {"kind": "assignment", "language": "id", "subject": "", "body": "x" * 2001, "save": "1"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"subject", "body"}


def test_the_editor_lists_the_placeholders_and_previews_escaped_with_a_plan_of_the_cycle(
    client, cycle, plan, coordinator
):
    client.force_login(coordinator)
    page = client.get(edit_url(cycle))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("nama", "judul_rencana", "batas_waktu", "siklus", "tautan"):
        assert f"<code>{{{name}}}</code>" in html
    response = client.post(
        edit_url(cycle),
        {
            "kind": "assignment",
            "language": "id",
            "subject": "<i>Segera</i>: {judul_rencana}",
            "body": "Batas {batas_waktu}",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<p class="fw-bold" data-preview="subject">&lt;i&gt;Segera&lt;/i&gt;: '
        "Antrean &lt;b&gt;daring&lt;/b&gt;</p>"
    ) in html
    assert "Batas 7 Januari 2027" in html
    assert not MessageTemplate.objects.exists()  # a preview saves nothing


def test_saving_and_resetting_are_audited_and_only_for_coordinators(
    client, cycle, coordinator, reviewers
):
    with pytest.raises(PlanError) as refused:
        save_message_template(
            cycle, kind="decision", language="id", subject="x", body="y", by=reviewers[0]
        )
    assert refused.value.code == "permission_denied"
    client.force_login(coordinator)
    response = client.post(
        edit_url(cycle, "decision"),
        {
            "kind": "decision",
            "language": "id",
            "subject": "Hasil: {keputusan}",
            "body": "Salam, {nama}.",
            "save": "1",
        },
    )
    assert response.status_code == 302
    template = MessageTemplate.objects.get(cycle=cycle, kind="decision", language="id")
    assert (template.subject, template.body, template.updated_by) == (
        "Hasil: {keputusan}",
        "Salam, {nama}.",
        coordinator,
    )
    entry = ActivityLog.objects.get(action="message_template.updated")
    assert entry.data["subject"] == [
        "Keputusan atas rencana “{judul_rencana}”: {keputusan}",
        "Hasil: {keputusan}",
    ]
    listing = client.get(reverse("assessment:messages"), {"cycle": cycle.code})
    assert "Hasil: {keputusan}" in listing.content.decode()
    assert reset_message_template(cycle, kind="decision", language="id", by=coordinator)
    assert not MessageTemplate.objects.exists()
    assert ActivityLog.objects.filter(action="message_template.reset").count() == 1


def test_an_unknown_kind_or_language_is_a_404(client, cycle, coordinator):
    client.force_login(coordinator)
    assert client.get(edit_url(cycle, "no_such_kind")).status_code == 404
    assert client.get(edit_url(cycle, "decision", "fr")).status_code == 404
