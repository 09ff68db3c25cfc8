"""'Lupa kata sandi': Django's reset views in Indonesian, the link mailed after the commit
through the outbox, the same answer for every address, rate-limited, audited."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from agents.invitations import deliver_password_reset, invite_users, republish_unmailed
from agents.models import ActivityLog, Invitation, PasswordResetMail
from tests.factories import AgentFactory

RESET = reverse("password_reset")
LINK = re.compile(r"https?://[^\s]+(/akun/lupa-kata-sandi/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "Mahakam-Sungai-2026"  # noqa: S105 - a test's password
SAME_ANSWER = "Bila alamat yang Anda masukkan terdaftar pada akun yang aktif"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def ask(client, email, **kwargs):
    return client.post(RESET, {"email": email}, follow=True, **kwargs)


def without_tokens(response) -> str:
    """The page without its CSRF tokens (new for every answer)."""
    return re.sub(
        r'(csrf-token" content|csrfmiddlewaretoken" value)="[^"]+"', "", response.content.decode()
    )


def reset_path(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def set_password(client, path, password=NEW_PASSWORD):
    opened = client.get(path, follow=True)
    form_url = opened.redirect_chain[-1][0] if opened.redirect_chain else path
    return opened, client.post(
        form_url, {"new_password1": password, "new_password2": password}, follow=True
    )


def test_the_login_page_links_to_the_reset_page(client, db):
    html = client.get(reverse("login")).content.decode()
    assert f'<a href="{RESET}" id="forgot-password">Lupa kata sandi?</a>' in html
    assert RESET == "/akun/lupa-kata-sandi/"


def test_a_known_address_gets_a_link_that_sets_the_password_once(
    client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, agent.user.email.upper())
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert SAME_ANSWER in response.content.decode()
    assert [m.to for m in mail.outbox] == [[agent.user.email]]
    message = mail.outbox[0]
    assert message.subject == "[AgenPlan] Atur ulang kata sandi"
    assert f"Nama pengguna Anda: {agent.user.username}" in message.body
    path = reset_path(message)
    # The request's host starts the link when AGENPLAN_SITE_URL is not set.
    assert f"http://testserver{path}" in message.body

    opened, done = set_password(client, path)
    assert "Atur kata sandi baru" in opened.content.decode()
    assert done.redirect_chain[-1] == (reverse("password_reset_complete"), 302)
    assert "Kata sandi baru Anda sudah tersimpan." in done.content.decode()
    agent.user.refresh_from_db()
    assert agent.user.check_password(NEW_PASSWORD)

    # Used: the same link is refused with the reason.
    again, _ = set_password(client, path, password="Lain-Lagi-2026")
    assert "Tautan atur ulang kata sandi ini tidak berlaku" in again.content.decode()
    agent.user.refresh_from_db()
    assert agent.user.check_password(NEW_PASSWORD)
    assert list(
        ActivityLog.objects.filter(object_id=agent.user.pk, action__startswith="password_reset")
        .order_by("id")
        .values_list("action", "actor_id")
    ) == [("password_reset.requested", None), ("password_reset.completed", agent.user.pk)]


def test_an_unknown_address_gets_the_same_page_and_no_mail(
    client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = ask(client, agent.user.email)
        unknown = ask(client, "tidak-ada@example.go.id")
    assert unknown.redirect_chain == known.redirect_chain
    assert without_tokens(unknown) == without_tokens(known)
    assert len(mail.outbox) == 1
    assert PasswordResetMail.objects.count() == 1


def test_an_inactive_account_gets_no_mail(client, db, django_capture_on_commit_callbacks):
    inactive = AgentFactory(user__is_active=False).user
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, inactive.email)
    assert SAME_ANSWER in response.content.decode()
    assert mail.outbox == []


def test_an_expired_link_is_refused(client, agent, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, agent.user.email)
    path = reset_path(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1
    opened, _ = set_password(client, path)
    assert "Tautan atur ulang kata sandi ini tidak berlaku" in opened.content.decode()
    agent.user.refresh_from_db()
    assert not agent.user.check_password(NEW_PASSWORD)


def test_an_invited_account_may_set_its_password_by_reset_which_ends_the_invitation(
    client, coordinator, django_capture_on_commit_callbacks
):
    invited = AgentFactory().user
    invited.set_unusable_password()
    invited.save()
    invite_users([invited], coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, invited.email)
    _, done = set_password(client, reset_path(mail.outbox[-1]))
    assert done.redirect_chain[-1] == (reverse("password_reset_complete"), 302)
    assert Invitation.objects.get(user=invited).accepted_at is not None


@override_settings(
    AGENPLAN_RATE_LIMITS={"login": "100/m", "verify": "100/m", "password_reset": "3/h"}
)
def test_requests_from_one_address_are_limited(client, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(RESET, {"email": f"orang{n}@example.go.id"}).status_code for n in range(4)
        ]
    assert answers == [302, 302, 302, 429]
    refused = client.post(RESET, {"email": agent.user.email})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert mail.outbox == []
    # Showing the form is not counted.
    assert client.get(RESET).status_code == 200


@override_settings(
    AGENPLAN_RATE_LIMITS={"login": "100/m", "verify": "100/m", "password_reset": "2/h"}
)
def test_requests_for_one_e_mail_address_are_limited_whatever_the_client_address(
    client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(RESET, {"email": agent.user.email}, REMOTE_ADDR=f"10.0.0.{n}").status_code
            for n in range(1, 4)
        ]
    assert answers == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_the_reset_mail_follows_the_outbox_and_is_sent_once(
    client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # as if the broker were down
        ask(client, agent.user.email)
    assert mail.outbox == []
    assert republish_unmailed(now=timezone.now() + dt.timedelta(minutes=1)) == 1
    assert len(mail.outbox) == 1
    row = PasswordResetMail.objects.get()
    assert deliver_password_reset(row.pk) is False
    assert republish_unmailed(now=timezone.now() + dt.timedelta(minutes=20)) == 0
    assert len(mail.outbox) == 1


def test_a_reset_mail_not_delivered_within_an_hour_is_dropped(
    client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        ask(client, agent.user.email)
    PasswordResetMail.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert republish_unmailed() == 0
    assert deliver_password_reset(PasswordResetMail.objects.get().pk) is False
    assert mail.outbox == []


def test_the_pages_are_in_english_when_chosen(client, agent):
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(RESET).content.decode()
    assert "Forgot password" in html
    done = client.get(reverse("password_reset_done")).content.decode()
    assert "Check your e-mail" in done
