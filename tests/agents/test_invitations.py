"""Invitations: a coordinator invites accounts without a password; the e-mail's link is
single-use, valid 7 days, replaced by a resend; only coordinators invite."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from agents.invitations import (
    deliver_invitation,
    hash_token,
    invitation_requested,
    invite_users,
    republish_unmailed,
)
from agents.models import ActivityLog, Invitation, User
from tests.factories import AgentFactory, UserFactory, user_with_role

LINK = re.compile(r"(https?://[^\s]+/akun/undangan/([^/\s]+)/)")
NEW_PASSWORD = "Samarinda-Kaltim-2026"  # noqa: S105 - a test's password
QUERIES = 6


def new_agent(**kwargs):
    """An imported agent: an account without a password."""
    agent = AgentFactory(**kwargs)
    agent.user.set_unusable_password()
    agent.user.save()
    return agent.user


def link_of(message) -> tuple[str, str]:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


@pytest.fixture
def site(settings):
    settings.AGENPLAN_SITE_URL = "https://agenplan.example.go.id"


def accept(client, url, password=NEW_PASSWORD):
    """Open the link, then set the password on the page it leads to."""
    path = url.removeprefix("https://agenplan.example.go.id")
    opened = client.get(path, follow=True)
    page = opened.redirect_chain[-1][0] if opened.redirect_chain else path
    return opened, client.post(
        page, {"new_password1": password, "new_password2": password}, follow=True
    )


def test_an_invitation_mails_a_single_use_link_that_sets_the_password(
    client, coordinator, site, django_capture_on_commit_callbacks
):
    invitee = new_agent()
    with django_capture_on_commit_callbacks(execute=True):
        result = invite_users([invitee], coordinator)
    assert (result.invited, result.resent, result.skipped) == ([invitee], [], [])
    assert [m.to for m in mail.outbox] == [[invitee.email]]
    message = mail.outbox[0]
    assert message.subject == "[AgenPlan] Undangan: atur kata sandi Anda"
    assert f"Nama pengguna Anda: {invitee.username}" in message.body
    assert "Tautan ini berlaku 7 hari dan hanya dapat dipakai sekali." in message.body
    url, token = link_of(message)
    invitation = Invitation.objects.get(user=invitee)
    # Only the hash of the secret is kept; the secret is in the mail alone.
    assert invitation.token_hash == hash_token(token) != token
    assert not ActivityLog.objects.filter(data__icontains=token).exists()

    opened, done = accept(client, url)
    # The secret leaves the address bar at once.
    assert opened.redirect_chain == [(reverse("invitation_accept", args=["atur-kata-sandi"]), 302)]
    assert done.redirect_chain == [(reverse("login"), 302)]
    assert [str(m) for m in done.context["messages"]] == [
        f"Kata sandi tersimpan. Silakan masuk dengan nama pengguna {invitee.username}."
    ]
    invitee.refresh_from_db()
    assert invitee.check_password(NEW_PASSWORD)
    signed_in = client.post(
        reverse("login"), {"username": invitee.username, "password": NEW_PASSWORD}
    )
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/")
    client.logout()

    # Used once: the same link now says so, and changes nothing.
    again, _ = accept(client, url, password="Lain-Sekali-2026")
    assert again.status_code == 200
    assert "Tautan undangan ini sudah dipakai." in again.content.decode()
    invitee.refresh_from_db()
    assert invitee.check_password(NEW_PASSWORD)
    assert list(
        ActivityLog.objects.filter(object_id=invitee.pk, action__startswith="invitation.")
        .order_by("id")
        .values_list("action", "actor_id")
    ) == [("invitation.sent", coordinator.pk), ("invitation.accepted", invitee.pk)]


def test_an_expired_invitation_says_so_and_sets_nothing(
    client, coordinator, site, django_capture_on_commit_callbacks
):
    invitee = new_agent()
    with django_capture_on_commit_callbacks(execute=True):
        invite_users([invitee], coordinator)
    url, _token = link_of(mail.outbox[0])
    Invitation.objects.filter(user=invitee).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    opened, posted = accept(client, url)
    expected = "Tautan undangan ini sudah kedaluwarsa (berlaku 7 hari)."
    assert expected in opened.content.decode()
    assert expected in posted.content.decode()
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()


def test_the_link_expires_seven_days_after_the_invitation(coordinator, site):
    invitee = new_agent()
    start = timezone.now()
    invite_users([invitee], coordinator, now=start)
    assert Invitation.objects.get(user=invitee).expires_at == start + dt.timedelta(days=7)


def test_an_unknown_link_says_so(client, db):
    response = client.get(reverse("invitation_accept", args=["bukan-token"]), follow=True)
    assert response.status_code == 200
    assert "Tautan undangan ini tidak dikenal." in response.content.decode()
    # Straight to the page without having opened a link: the same.
    response = client.get(reverse("invitation_accept", args=["atur-kata-sandi"]))
    assert "Tautan undangan ini tidak dikenal." in response.content.decode()


@override_settings(
    AGENPLAN_RATE_LIMITS={"login": "2/m", "verify": "100/m", "password_reset": "100/h"}
)
def test_setting_passwords_from_links_is_rate_limited(client, db):
    cache.clear()
    page = reverse("invitation_accept", args=["atur-kata-sandi"])
    answers = [
        client.post(page, {"new_password1": "x", "new_password2": "x"}).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    cache.clear()


def test_resending_replaces_the_earlier_link(
    client, coordinator, site, django_capture_on_commit_callbacks
):
    invitee = new_agent()
    with django_capture_on_commit_callbacks(execute=True):
        invite_users([invitee], coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        result = invite_users([invitee], coordinator)
    assert (result.invited, result.resent) == ([], [invitee])
    first, second = (link_of(m)[0] for m in mail.outbox)
    assert first != second
    opened, _ = accept(client, first)
    assert "sudah diganti oleh undangan yang lebih baru" in opened.content.decode()
    _, done = accept(client, second)
    assert done.redirect_chain == [(reverse("login"), 302)]
    assert list(
        ActivityLog.objects.filter(object_id=invitee.pk, action__startswith="invitation.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["invitation.sent", "invitation.resent", "invitation.accepted"]


def test_accounts_that_cannot_be_invited_are_skipped_with_the_reason(
    coordinator, django_capture_on_commit_callbacks
):
    with_password = AgentFactory().user
    without_mail = new_agent(user__email="")
    inactive = new_agent(user__is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        result = invite_users([with_password, without_mail, inactive], coordinator)
    assert result.invited == []
    assert sorted((u.pk, reason) for u, reason in result.skipped) == sorted(
        [
            (with_password.pk, "sudah memiliki kata sandi (dapat memakai Lupa kata sandi)"),
            (without_mail.pk, "tidak ada alamat e-mail"),
            (inactive.pk, "akun tidak aktif"),
        ]
    )
    assert (Invitation.objects.count(), mail.outbox) == (0, [])


@pytest.mark.parametrize("role", [Role.AGENT, Role.REVIEWER, Role.LEADERSHIP, Role.ADMIN])
def test_only_a_coordinator_invites(db, role):
    invitee = new_agent()
    with pytest.raises(PermissionDenied):
        invite_users([invitee], user_with_role(role))
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("role", [Role.AGENT, Role.AGENCY_HEAD, Role.REVIEWER, Role.ADMIN])
def test_other_roles_cannot_see_the_page_nor_send_or_resend(client, coordinator, role):
    invitee = new_agent()
    invite_users([invitee], coordinator)
    client.force_login(user_with_role(role))
    assert client.get(reverse("invitations")).status_code == 403
    response = client.post(reverse("invitations_send"), {"user": [invitee.pk]})
    assert response.status_code == 403
    assert Invitation.objects.filter(user=invitee).count() == 1
    assert mail.outbox == []


def test_the_superuser_flag_does_not_invite(client, db):
    invitee = new_agent()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.post(reverse("invitations_send"), {"user": [invitee.pk]}).status_code == 403
    assert Invitation.objects.count() == 0


def test_a_signed_out_visitor_is_sent_to_sign_in(client, db):
    invitee = new_agent()
    response = client.post(reverse("invitations_send"), {"user": [invitee.pk]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Invitation.objects.count() == 0


def test_the_coordinator_invites_and_resends_from_the_page(
    client, coordinator, site, django_capture_on_commit_callbacks
):
    first, second = new_agent(), new_agent()
    has_password = AgentFactory().user
    client.force_login(coordinator)
    page = client.get(reverse("invitations"))
    assert [u.pk for u in page.context["page"].object_list] == sorted(
        [first.pk, second.pk], key=lambda pk: User.objects.get(pk=pk).name
    )
    assert has_password.pk not in [u.pk for u in page.context["page"].object_list]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitations_send"),
            {"user": [first.pk, has_password.pk], "query": "status=not_invited"},
            follow=True,
        )
    assert response.redirect_chain == [(reverse("invitations") + "?status=not_invited", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "1 undangan dikirim (0 di antaranya kiriman ulang).",
        f"{has_password} tidak diundang: sudah memiliki kata sandi (dapat memakai Lupa "
        "kata sandi).",
    ]
    assert [u.pk for u in response.context["page"].object_list] == [second.pk]
    pending = client.get(reverse("invitations"), {"status": "pending"})
    assert [u.pk for u in pending.context["page"].object_list] == [first.pk]
    assert "Terkirim" in pending.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitations_send"), {"user": [first.pk]})
    assert [m.to for m in mail.outbox] == [[first.email], [first.email]]
    Invitation.objects.filter(user=first, superseded_at=None).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    expired = client.get(reverse("invitations"), {"status": "expired"})
    assert [u.pk for u in expired.context["page"].object_list] == [first.pk]
    assert "Kedaluwarsa" in expired.content.decode()


def test_a_large_id_is_posted_as_it_is(client, coordinator, django_capture_on_commit_callbacks):
    """Ids are written without the thousands separator of Indonesian numbers."""
    invitee = new_agent(user__id=1234567)
    client.force_login(coordinator)
    html = client.get(reverse("invitations")).content.decode()
    assert 'value="1234567"' in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitations_send"), {"user": ["1234567"]})
    assert [m.to for m in mail.outbox] == [[invitee.email]]


@pytest.mark.parametrize("size", [3, 30])
def test_the_invitations_page_costs_the_same_queries_for_any_size(
    client, coordinator, size, django_assert_num_queries
):
    accounts = [new_agent() for _ in range(size)]
    invite_users(accounts[::2], coordinator)
    client.force_login(coordinator)
    client.get(reverse("invitations"))  # warm the content types
    # The session, the user, the roles, the count, the page, the cycle strip: none per row.
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("invitations"), {"q": "Pengguna"})
    assert len(response.context["page"].object_list) == size


def test_the_page_is_paginated(client, coordinator):
    for _ in range(51):
        new_agent()
    client.force_login(coordinator)
    first = client.get(reverse("invitations"))
    assert (len(first.context["page"].object_list), first.context["page"].paginator.count) == (
        50,
        51,
    )
    second = client.get(reverse("invitations"), {"page": 2})
    assert len(second.context["page"].object_list) == 1


def test_a_mail_not_published_is_published_again_by_the_sweep_once(
    coordinator, site, django_capture_on_commit_callbacks
):
    invitee = new_agent()
    with django_capture_on_commit_callbacks(execute=False):  # as if the broker were down
        invite_users([invitee], coordinator)
    assert mail.outbox == []
    assert republish_unmailed(now=timezone.now() + dt.timedelta(minutes=1)) == 1
    assert [m.to for m in mail.outbox] == [[invitee.email]]
    invitation = Invitation.objects.get(user=invitee)
    assert invitation.emailed_at is not None
    # Sent: neither the sweep nor a duplicated task mails it again.
    assert republish_unmailed(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert deliver_invitation(invitation.pk) is False
    assert len(mail.outbox) == 1


def test_the_invite_checkbox_is_read():
    assert invitation_requested({"undang": "1"}) is True
    assert invitation_requested({"undang": "on"}) is True
    assert invitation_requested({}) is False
    assert invitation_requested({"undang": "0"}) is False
