"""GET /healthz reports the database and the broker, 503 when one is down."""

import json

import pytest
from django.db import OperationalError as DatabaseDown
from kombu.exceptions import OperationalError

from agenplan import views


@pytest.mark.django_db
def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok",
        "database": {"ok": True, "detail": "ok"},
        "broker": {"ok": True, "detail": "ok"},
    }


@pytest.mark.django_db
def test_healthz_503_when_broker_down(client, monkeypatch):
    class DeadConnection:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ensure_connection(self, **kwargs):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views.celery_app, "connection_for_write", lambda: DeadConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["broker"] == {"ok": False, "detail": "OperationalError"}
    assert body["database"] == {"ok": True, "detail": "ok"}


@pytest.mark.django_db
def test_healthz_503_when_database_down(client, monkeypatch):
    class DeadDatabase:
        def cursor(self):
            raise DatabaseDown("could not connect to server")

    monkeypatch.setattr(views, "connections", {"default": DeadDatabase()})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == {"ok": False, "detail": "OperationalError"}


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
