"""A database outage answers a 503 page rendered without the database, never a bare 500."""

import pytest
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.db import InterfaceError, OperationalError, connections
from django.test import Client
from django.urls import reverse

from plans.models import ActionPlan

MESSAGE = "Layanan sedang gangguan, coba beberapa saat lagi"


class Outage:
    """Every new cursor fails, as when PostgreSQL restarts under a running web server."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def __call__(self, error=OperationalError):
        def refuse(*args, **kwargs):
            raise error("server closed the connection unexpectedly")

        self.monkeypatch.setattr(connections["default"], "_cursor", refuse)

    def end(self):
        self.monkeypatch.undo()


@pytest.fixture
def database_down(db, monkeypatch):
    outage = Outage(monkeypatch)
    yield outage
    outage.end()


def _assert_outage_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    # The static page in its frame: no base.html, so no context processor ran a query.
    assert [t.name for t in response.templates] == ["503.html", "static_base.html", "document.html"]
    body = response.content.decode()
    assert f'<h1 class="ap-page-title">{MESSAGE}</h1>' in body
    assert "Muat ulang halaman ini setelah 30 detik." in body


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_answers_503_while_the_database_is_down(client, agent, database_down, error):
    client.force_login(agent.user)
    database_down(error)
    _assert_outage_page(client.get(reverse("plans:my_plans")))


def test_an_autosave_answers_503_and_writes_nothing(client, draft_plan, database_down):
    client.force_login(draft_plan.owner.user)
    title = draft_plan.title
    database_down()
    response = client.post(
        reverse("plans:autosave", args=[draft_plan.pk]) + "?bagian=identity",
        {"lock_version": str(draft_plan.lock_version), "title": "Judul baru"},
        headers={"HX-Request": "true"},
    )
    _assert_outage_page(response)
    database_down.end()
    plan = ActionPlan.objects.get(pk=draft_plan.pk)
    assert (plan.title, plan.lock_version) == (title, draft_plan.lock_version)


def test_the_next_request_after_the_outage_succeeds(client, agent, database_down):
    client.force_login(agent.user)
    database_down()
    assert client.get(reverse("plans:my_plans")).status_code == 503
    database_down.end()
    assert client.get(reverse("plans:my_plans")).status_code == 200


def test_an_outage_raised_by_a_middleware_answers_503(agent, monkeypatch):
    def refuse(self, request):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(AuthenticationMiddleware, "process_request", refuse)
    client = Client(raise_request_exception=False)
    _assert_outage_page(client.get(reverse("plans:my_plans")))


def test_any_other_error_stays_a_500(agent, monkeypatch):
    def fail(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(AuthenticationMiddleware, "process_request", fail)
    client = Client(raise_request_exception=False)
    response = client.get(reverse("plans:my_plans"))
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
