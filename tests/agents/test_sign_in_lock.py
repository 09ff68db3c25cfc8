"""Password guessing stops: five failures lock one username from one address for the
cool-off, the page says so in Indonesian (English when chosen), nobody elsewhere is
locked, an admin unlocks early, and locks, unlocks and the end of a lock's cool-off are
in the audit log."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from agents.models import ActivityLog
from tests.factories import UserFactory

LOGIN = reverse("login")
PASSWORD = "rahasia-123"
LOCKED_ID = (
    "Masuk dikunci sementara: terlalu banyak percobaan yang gagal untuk nama pengguna ini "
    "dari alamat ini. Coba lagi setelah 15 menit, atau minta admin Biro Organisasi "
    "membuka kuncinya."
)
LOCKED_EN = (
    "Sign-in locked for a while: too many failed attempts for this username from this "
    "address. Try again after 15 minutes, or ask an administrator of the Biro Organisasi "
    "to unlock it."
)


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(db):
    return UserFactory(username="siti.rahma")


def attempt(client, username, guess=None, address="10.0.0.1", **extra):
    data = {"username": username, "password": guess or "salah"}
    return client.post(LOGIN, data, REMOTE_ADDR=address, **extra)


def locked_message(response) -> str:
    match = re.search(r'id="login-locked">([^<]*)<', response.content.decode())
    return match.group(1) if match else ""


def test_four_failures_still_let_the_right_password_in(client, person):
    for _ in range(4):
        assert attempt(client, "siti.rahma").status_code == 200
    response = attempt(client, "siti.rahma", PASSWORD)
    assert response.status_code == 302
    # A success forgets the failures: four more do not lock either.
    client.logout()
    for _ in range(4):
        assert attempt(client, "siti.rahma").status_code == 200
    assert attempt(client, "siti.rahma", PASSWORD).status_code == 302


def test_fifth_failure_locks_the_pair_with_a_message_in_indonesian(client, person):
    for _ in range(4):
        attempt(client, "siti.rahma")
    response = attempt(client, "siti.rahma")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert locked_message(response) == LOCKED_ID
    # Locked: even the right password is refused from this address.
    response = attempt(client, "siti.rahma", PASSWORD)
    assert response.status_code == 429
    assert locked_message(response) == LOCKED_ID
    assert "_auth_user_id" not in client.session


def test_lock_message_in_english_when_chosen(client, person):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = attempt(client, "siti.rahma")
    assert response.status_code == 429
    assert locked_message(response) == LOCKED_EN


def test_a_lock_from_one_address_does_not_lock_the_person_elsewhere(client, person):
    for _ in range(6):
        attempt(client, "siti.rahma", address="203.0.113.9")
    response = attempt(client, "siti.rahma", PASSWORD, address="10.0.0.1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_a_lock_of_one_name_does_not_lock_other_names_from_that_address(client, person):
    colleague = UserFactory(username="budi.santoso")
    for _ in range(5):
        attempt(client, "siti.rahma")
    response = attempt(client, "budi.santoso", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_the_lock_ends_after_the_cool_off(client, person):
    for _ in range(5):
        attempt(client, "siti.rahma")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert attempt(client, "siti.rahma", PASSWORD).status_code == 302


@override_settings(AXES_COOLOFF_TIME=dt.timedelta(minutes=30))
def test_the_cool_off_is_a_setting(client, person):
    for _ in range(5):
        response = attempt(client, "siti.rahma")
    assert "Coba lagi setelah 30 menit" in locked_message(response)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert attempt(client, "siti.rahma", PASSWORD).status_code == 429


def test_a_forged_forwarded_address_does_not_escape_the_lock(client, person):
    """Without a trusted proxy, X-Forwarded-For is the client's own words: ignored."""
    for number in range(5):
        attempt(client, "siti.rahma", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    response = attempt(client, "siti.rahma", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


@override_settings(AGENPLAN_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(client, person):
    for _ in range(5):
        attempt(client, "siti.rahma", address="10.9.9.9", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2")
    assert AccessAttempt.objects.get().ip_address == "2.2.2.2"
    # The same person through the same proxy from another address is not locked.
    response = attempt(client, "siti.rahma", PASSWORD, "10.9.9.9", HTTP_X_FORWARDED_FOR="3.3.3.3")
    assert response.status_code == 302


def test_the_lock_is_audited_once(client, person):
    for _ in range(7):
        attempt(client, "siti.rahma")
    entries = list(ActivityLog.objects.filter(action="sign_in_locked"))
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor, entry.target, entry.data) == (
        None,
        person,
        {"username": "siti.rahma", "ip_address": "10.0.0.1", "failures": 5},
    )


def test_a_lock_of_an_unknown_name_is_audited_on_the_attempt(client, db):
    for _ in range(5):
        attempt(client, "tidak.ada")
    entry = ActivityLog.objects.get(action="sign_in_locked")
    assert entry.content_type == ContentType.objects.get_for_model(AccessAttempt)
    assert entry.data["username"] == "tidak.ada"


def test_a_lock_that_runs_its_cool_off_out_is_audited_once_when_it_ends(client, person):
    for _ in range(5):
        attempt(client, "siti.rahma")
    locked_at = timezone.now() - dt.timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=locked_at)
    assert attempt(client, "siti.rahma", PASSWORD).status_code == 302
    entry = ActivityLog.objects.get(action="sign_in_lock_expired")
    assert (entry.actor, entry.target, entry.data) == (
        None,
        person,
        {"username": "siti.rahma", "ip_address": "10.0.0.1", "failures": 5},
    )
    assert entry.created_at == locked_at + dt.timedelta(minutes=15)  # when it ended
    client.logout()
    attempt(client, "siti.rahma")
    assert ActivityLog.objects.filter(action="sign_in_lock_expired").count() == 1


def test_failures_that_were_no_lock_leave_no_lock_end_in_the_audit(client, person):
    for _ in range(3):
        attempt(client, "siti.rahma")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert attempt(client, "siti.rahma", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert not ActivityLog.objects.filter(action="sign_in_lock_expired").exists()


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(username="admin.biro", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client, admin


def test_admin_unlocks_from_the_attempts_list_and_it_is_audited(admin_client, person):
    client, admin = admin_client

    guesser = Client()
    for _ in range(5):
        attempt(guesser, "siti.rahma")
    locked = AccessAttempt.objects.get()
    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock_selected", "_selected_action": [locked.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["1 kunci masuk dibuka."]
    assert not AccessAttempt.objects.exists()
    assert not ActivityLog.objects.filter(action="sign_in_lock_expired").exists()
    entry = ActivityLog.objects.get(action="sign_in_unlocked")
    assert (entry.actor, entry.target, entry.data["ip_address"]) == (admin, person, "10.0.0.1")
    assert attempt(guesser, "siti.rahma", PASSWORD).status_code == 302


def test_admin_unlocks_from_the_user_list(admin_client, person):
    client, admin = admin_client

    guesser = Client()
    for _ in range(5):
        attempt(guesser, "siti.rahma")
    response = client.post(
        reverse("admin:agents_user_changelist"),
        {"action": "unlock_logins", "_selected_action": [person.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["1 kunci masuk dibuka."]
    assert ActivityLog.objects.filter(action="sign_in_unlocked", actor=admin).count() == 1
    assert attempt(guesser, "siti.rahma", PASSWORD).status_code == 302


def test_deleting_an_attempt_that_was_no_lock_is_not_audited_as_unlock(admin_client, person):
    client, _ = admin_client
    attempt(client, "siti.rahma")  # one failure (the admin's own client, another name)
    row = AccessAttempt.objects.get()
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[row.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert not ActivityLog.objects.filter(action="sign_in_unlocked").exists()


def test_the_attempts_list_is_for_admins_only(client, person):
    staff = UserFactory(username="staf", is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 403


def test_the_stored_attempt_keeps_no_password(client, person):
    attempt(client, "siti.rahma", "tebakan-rahasia-9")
    assert "tebakan-rahasia-9" not in AccessAttempt.objects.get().post_data
