"""Sessions end after 30 idle minutes and 12 hours in all; a page's own polling is not
activity; htmx requests without a session get 401 + HX-Session-Expired, never the
sign-in page; the session clock's endpoints; a password change signs out elsewhere."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from agents import sessions
from tests.factories import AgentFactory, CycleFactory, PlanFactory, UserFactory

PASSWORD = "rahasia-123"
HOME = reverse("notifications")
BADGE = reverse("notifications_badge")
STATUS = reverse("session_status")
KEEPALIVE = reverse("session_keepalive")


class Clock:
    def __init__(self, monkeypatch, start=1_800_000_000.0):
        self.now = start
        monkeypatch.setattr(sessions.time, "time", lambda: self.now)

    def advance(self, *, minutes=0, hours=0, seconds=0):
        self.now += minutes * 60 + hours * 3600 + seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def person(db):
    return UserFactory(username="siti.rahma")


@pytest.fixture
def signed_in(client, person, clock):
    response = client.post(reverse("login"), {"username": "siti.rahma", "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_activity_within_the_idle_time_keeps_the_session(signed_in, clock, person):
    for _ in range(4):
        clock.advance(minutes=29)
        assert signed_in.get(HOME).status_code == 200
    assert signed_in_as(signed_in) == str(person.pk)


def test_thirty_idle_minutes_end_the_session(signed_in, clock):
    clock.advance(minutes=30, seconds=1)
    response = signed_in.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={HOME}"
    assert signed_in_as(signed_in) is None
    page = signed_in.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Sesi Anda berakhir karena 30 menit tanpa aktivitas. Silakan masuk lagi."
    ]


@override_settings(AGENPLAN_SESSION_IDLE_MINUTES=5)
def test_the_idle_time_is_a_setting(signed_in, clock):
    clock.advance(minutes=4)
    assert signed_in.get(HOME).status_code == 200
    clock.advance(minutes=5, seconds=1)
    assert signed_in.get(HOME).status_code == 302


def test_twelve_hours_end_the_session_however_active(signed_in, clock):
    for _ in range(24):
        clock.advance(minutes=29)
        signed_in.get(HOME)
    clock.advance(minutes=29)  # 12 h 5 min after signing in
    response = signed_in.get(HOME)
    assert response.status_code == 302
    page = signed_in.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "Sesi Anda berakhir setelah 12 jam. Silakan masuk lagi."
    ]


def test_the_pages_own_polling_does_not_keep_the_session_alive(signed_in, clock):
    for _ in range(15):
        clock.advance(minutes=2)
        response = signed_in.get(BADGE, HTTP_HX_REQUEST="true", HTTP_X_AGENPLAN_PASSIVE="1")
        assert response.status_code == 200
    clock.advance(minutes=1)
    response = signed_in.get(BADGE, HTTP_HX_REQUEST="true", HTTP_X_AGENPLAN_PASSIVE="1")
    assert response.status_code == 401


def test_an_htmx_request_without_a_session_gets_401_not_the_sign_in_page(client, db):
    response = client.get(BADGE, HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response["HX-Session-Expired"] == "1"
    assert response.content == b""


def test_an_autosave_after_the_session_ended_gets_401(signed_in, clock, person):
    agent = AgentFactory(user=person)
    plan = PlanFactory(cycle=CycleFactory(), owner=agent, agency=agent.agency)
    clock.advance(minutes=31)
    url = reverse("plans:autosave", args=[plan.pk]) + "?bagian=problem"
    response = signed_in.post(url, {"lock_version": "1"}, HTTP_HX_REQUEST="true")
    assert (response.status_code, response["HX-Session-Expired"]) == (401, "1")


def test_a_plain_request_without_a_session_still_goes_to_the_sign_in_page(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={HOME}"


def test_status_tells_the_seconds_left_without_counting_as_activity(signed_in, clock, person):
    clock.advance(minutes=10)
    response = signed_in.get(STATUS)
    assert response.status_code == 204
    assert response["X-Session-Remaining"] == str(20 * 60)
    assert response["X-Session-User"] == str(person.pk)
    assert response["X-CSRF-Token"]
    clock.advance(minutes=10)
    assert signed_in.get(STATUS)["X-Session-Remaining"] == str(10 * 60)


def test_status_without_a_session_is_401(client, db):
    response = client.get(STATUS)
    assert (response.status_code, response["HX-Session-Expired"]) == (401, "1")


def test_keepalive_counts_as_activity(signed_in, clock):
    clock.advance(minutes=29)
    response = signed_in.post(KEEPALIVE)
    assert response.status_code == 204
    assert response["X-Session-Remaining"] == str(30 * 60)
    clock.advance(minutes=29)
    assert signed_in.get(HOME).status_code == 200


def test_keepalive_after_the_end_does_not_revive_the_session(signed_in, clock):
    clock.advance(minutes=31)
    response = signed_in.post(KEEPALIVE)
    assert response.status_code == 401
    assert signed_in_as(signed_in) is None


def test_signing_in_again_lands_on_the_page_that_tells_the_other_tabs(signed_in):
    response = signed_in.get(reverse("session_restored"))
    assert response.status_code == 200
    assert 'id="ap-session-restored"' in response.content.decode()


def test_pages_carry_the_session_clock_for_the_browser(signed_in, person):
    html = signed_in.get(HOME).content.decode()
    assert (
        f'<meta name="ap-session" content="{person.pk}" data-idle="1800" data-warn="120" '
        'data-status="/akun/sesi/" data-keepalive="/akun/sesi/tetap/">'
    ) in " ".join(html.split())


def test_a_password_change_signs_out_every_other_session(signed_in, person, clock):
    other = Client()
    other.force_login(person)
    assert other.get(HOME).status_code == 200
    response = signed_in.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "kata-sandi-baru-2026",
            "new_password2": "kata-sandi-baru-2026",
        },
    )
    assert response.status_code == 302
    assert signed_in.get(HOME).status_code == 200
    assert other.get(HOME).status_code == 302
