"""The address of links that leave the browser (e-mails, QR codes), and the test mail."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from agenplan.site import RequestOriginMiddleware, absolute_url, site_url
from agents.models import Notification
from agents.notifications import deliver_mail
from reports.rendering.pdf import verify_url
from tests.factories import UserFactory

HOSTS = ["agenplan.test", "localhost", "127.0.0.1"]


def serve(host, view, secure=False):
    """Run `view(request)` as the app would while serving a request to `host`."""
    request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
    return RequestOriginMiddleware(view)(request)


@override_settings(AGENPLAN_SITE_URL="", ALLOWED_HOSTS=HOSTS)
def test_without_a_configured_address_links_use_the_request_host():
    response = serve("agenplan.test:8123", lambda request: HttpResponse(site_url()))
    assert response.content == b"http://agenplan.test:8123"
    response = serve("127.0.0.1:9000", lambda r: HttpResponse(absolute_url("/x/")), secure=True)
    assert response.content == b"https://127.0.0.1:9000/x/"
    # The request is forgotten when it has been served.
    assert site_url() == ""
    assert absolute_url("/rencana/") == "/rencana/"


@override_settings(AGENPLAN_SITE_URL="https://agenplan.example.go.id/", ALLOWED_HOSTS=HOSTS)
def test_the_configured_address_wins_over_the_request():
    response = serve("agenplan.test:8123", lambda request: HttpResponse(site_url()))
    assert response.content == b"https://agenplan.example.go.id"
    assert absolute_url("/verify/AB") == "https://agenplan.example.go.id/verify/AB"


@override_settings(AGENPLAN_SITE_URL="", ALLOWED_HOSTS=["agenplan.test"])
def test_a_host_we_do_not_serve_gives_no_address():
    response = serve("evil.example", lambda request: HttpResponse(site_url()))
    assert response.content == b""


@override_settings(AGENPLAN_SITE_URL="", ALLOWED_HOSTS=HOSTS)
def test_document_qr_codes_use_the_request_host_and_never_a_fixed_port():
    response = serve("localhost:8765", lambda request: HttpResponse(verify_url("K0DE")))
    assert response.content == b"http://localhost:8765/verify/K0DE"
    # Without a request (a worker without AGENPLAN_SITE_URL): the first allowed host.
    assert verify_url("K0DE") == "https://agenplan.test/verify/K0DE"
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        assert verify_url("K0DE") == "http://localhost/verify/K0DE"


@pytest.mark.django_db
@override_settings(AGENPLAN_SITE_URL="", ALLOWED_HOSTS=HOSTS)
def test_a_mail_sent_while_serving_links_to_the_request_host():
    user = UserFactory(email="agen@example.go.id")
    notification = Notification.objects.create(
        recipient=user, kind="test", title="Rencana dinilai", url="/rencana/7/", dedupe_key="k"
    )
    serve("agenplan.test:8123", lambda request: HttpResponse(deliver_mail(notification.pk)))
    (message,) = mail.outbox
    assert message.body.endswith("\n\nhttp://agenplan.test:8123/rencana/7/")


@pytest.mark.django_db
@override_settings(AGENPLAN_SITE_URL="https://agenplan.example.go.id")
def test_a_mail_sent_by_the_worker_links_to_the_configured_address():
    user = UserFactory(email="agen@example.go.id")
    notification = Notification.objects.create(
        recipient=user, kind="test", title="Rencana dinilai", url="/rencana/7/", dedupe_key="k"
    )
    assert deliver_mail(notification.pk) is True
    (message,) = mail.outbox
    assert message.body.endswith("\n\nhttps://agenplan.example.go.id/rencana/7/")
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


@override_settings(DEFAULT_FROM_EMAIL="AgenPlan <agenplan@example.go.id>")
def test_sendtestemail_sends_from_the_sites_sender():
    call_command("sendtestemail", "operator@example.go.id")
    (message,) = mail.outbox
    assert message.to == ["operator@example.go.id"]
    assert message.from_email == "AgenPlan <agenplan@example.go.id>"
