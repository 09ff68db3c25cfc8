"""A person's own profile: name, e-mail, telephone, which e-mails, the daily digest and the
language; the notification sender and the morning's digest honour the settings."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agents.models import ActivityLog, Notification
from agents.notifications import Message, deliver_digest, send, send_many, unmailed
from agents.tasks import publish_daily_digests
from tests.factories import AgentFactory

PROFILE = reverse("profile")


def form_data(person, **changes) -> dict:
    data = {
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "language": person.language or "id",
        "email_assignment": "on",
        "email_deadline": "on",
        "email_decision": "on",
        "email_mentoring": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_profile_saves_and_audits_what_changed(client, agent):
    user = agent.user
    client.force_login(user)
    page = client.get(PROFILE)
    assert page.status_code == 200
    assert "Pemberitahuan lewat e-mail" in page.content.decode()
    response = client.post(
        PROFILE,
        form_data(
            user,
            name="Dr. Siti Rahmawati, M.Si.",
            email="Siti@Kaltimprov.go.id",
            phone="0812-3456-7890",
            email_mentoring=None,
            email_digest="on",
        ),
        follow=True,
    )
    assert response.redirect_chain == [(PROFILE, 302)]
    assert [str(m) for m in response.context["messages"]] == ["Profil tersimpan."]
    user.refresh_from_db()
    assert (user.name, user.email, user.phone) == (
        "Dr. Siti Rahmawati, M.Si.",
        "siti@kaltimprov.go.id",
        "0812-3456-7890",
    )
    assert (user.email_mentoring, user.email_digest, user.email_decision) == (False, True, True)
    entry = ActivityLog.objects.get(action="profile.updated")
    assert (entry.actor, entry.object_id) == (user, user.pk)
    assert sorted(entry.data["changes"]) == [
        "email",
        "email_digest",
        "email_mentoring",
        "name",
        "phone",
    ]
    # Saving again without changes writes no audit entry.
    client.post(PROFILE, form_data(user, email_mentoring=None, email_digest="on"))
    assert ActivityLog.objects.filter(action="profile.updated").count() == 1


def test_a_bad_telephone_or_e_mail_is_refused_in_indonesian(client, agent):
    client.force_login(agent.user)
    response = client.post(PROFILE, form_data(agent.user, phone="telepon saya", email="bukan"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["phone"] == [
        "Nomor telepon hanya berisi angka, spasi, tanda hubung, titik, kurung dan +."
    ]
    assert errors["email"] == ["Masukkan alamat email yang valid."]
    agent.user.refresh_from_db()
    assert agent.user.phone == ""


def test_the_language_is_saved_applied_now_and_at_the_next_sign_in(client, agent):
    client.force_login(agent.user)
    response = client.post(PROFILE, form_data(agent.user, language="en"))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in html
    assert "Profile saved." in html
    agent.user.refresh_from_db()
    assert agent.user.language == "en"
    # Another browser: the sign-in applies the saved language.
    other = client.__class__()
    signed_in = other.post(
        reverse("login"), {"username": agent.user.username, "password": "rahasia-123"}
    )
    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get(PROFILE)
    assert (response.status_code, response["Location"]) == (302, f"/masuk/?next={PROFILE}")


def test_the_profile_changes_only_the_own_account(client, agent):
    other = AgentFactory().user
    client.force_login(agent.user)
    client.post(PROFILE, form_data(agent.user, name="Nama Baru", user=other.pk, pk=other.pk))
    other.refresh_from_db()
    agent.user.refresh_from_db()
    assert agent.user.name == "Nama Baru"
    assert other.name != "Nama Baru"


# --- The sender honours the settings -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "setting"),
    [
        ("assignment", "email_assignment"),
        ("revision", "email_assignment"),
        ("due_soon", "email_deadline"),
        ("overdue", "email_deadline"),
        ("decision", "email_decision"),
        ("thread_reply", "email_mentoring"),
    ],
)
def test_an_event_kind_switched_off_is_shown_in_the_app_and_not_mailed(
    agent, kind, setting, django_capture_on_commit_callbacks
):
    user = agent.user
    setattr(user, setting, False)
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        send(user, kind=kind, title="Judul", dedupe_key=f"{kind}:1")
        send_many([Message(user, kind=kind, title="Judul", dedupe_key=f"{kind}:2")])
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=user, kind=kind).count() == 2
    assert set(Notification.objects.values_list("delivery", flat=True)) == {"none"}
    # Nor does the outbox sweep take them for undelivered mail.
    assert unmailed(now=timezone.now() + dt.timedelta(minutes=30)) == []


def test_an_event_kind_switched_on_is_mailed_at_once(agent, django_capture_on_commit_callbacks):
    agent.user.email_mentoring = False
    agent.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        send(agent.user, kind="decision", title="Keputusan", dedupe_key="d:1")
    assert [m.subject for m in mail.outbox] == ["[AgenPlan] Keputusan"]


def test_the_digest_gathers_the_days_mail_into_one_e_mail_once(
    agent, settings, django_capture_on_commit_callbacks
):
    settings.AGENPLAN_SITE_URL = "https://agenplan.example.go.id"
    user = agent.user
    user.email_digest = True
    user.email_deadline = False
    user.save()
    other = AgentFactory().user  # wants its mail at once, not in a digest
    with django_capture_on_commit_callbacks(execute=True):
        send(user, kind="decision", title="Rencana disetujui", url="/rencana/1/", dedupe_key="a")
        send_many(
            [
                Message(user, kind="thread_reply", title="Balasan baru", dedupe_key="b"),
                Message(user, kind="overdue", title="Terlambat", dedupe_key="c"),
                Message(other, kind="thread_reply", title="Balasan baru", dedupe_key="b"),
            ]
        )
    assert [m.to for m in mail.outbox] == [[other.email]]
    mail.outbox.clear()
    assert unmailed(now=timezone.now() + dt.timedelta(minutes=30)) == []

    assert publish_daily_digests.delay().get() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert (digest.to, digest.subject) == (
        [user.email],
        "[AgenPlan] Ringkasan harian: 2 pemberitahuan",
    )
    assert "- Rencana disetujui" in digest.body
    assert "https://agenplan.example.go.id/rencana/1/" in digest.body
    assert "- Balasan baru" in digest.body
    assert "Terlambat" not in digest.body  # deadlines are switched off
    # The next run, or a retried task, lists nothing again.
    assert publish_daily_digests.delay().get() == 0
    assert deliver_digest(user.pk) == 0
    assert len(mail.outbox) == 1


def test_the_digest_is_in_the_persons_language(agent, django_capture_on_commit_callbacks):
    agent.user.email_digest = True
    agent.user.language = "en"
    agent.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        send(agent.user, kind="decision", title="Rencana disetujui", dedupe_key="a")
    assert deliver_digest(agent.user.pk) == 1
    assert mail.outbox[0].subject == "[AgenPlan] Daily digest: 1 notification"


def test_the_digest_runs_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["agents-daily-digest"]
    assert entry["task"] == "agents.tasks.publish_daily_digests"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({6}, {30})


def test_the_language_switch_is_kept_on_the_profile_of_a_signed_in_person(client, agent):
    client.force_login(agent.user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    agent.user.refresh_from_db()
    assert agent.user.language == "en"
    # A language that is not offered changes nothing.
    client.post(reverse("set_language"), {"language": "fr"})
    agent.user.refresh_from_db()
    assert agent.user.language == "en"


def test_the_language_switch_works_signed_out(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/masuk/"})
    assert (response.status_code, response["Location"]) == (302, "/masuk/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
