"""Failure pages: 400, 403, 404, 500 and a refused form (CSRF) in the site's layout, in
Indonesian or in the language chosen, each with a way back; the 500 page needs no
database."""

import re

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connections
from django.test import Client
from django.urls import path, reverse

from agenplan import urls as project_urls


def _raise(error):
    def view(request):
        raise error

    return view


# This module is the URLconf of its tests (pytest.mark.urls): the project's pages and
# four that fail, with the project's own handler500.
urlpatterns = [
    path("gagal/500/", _raise(ValueError("bug"))),
    path("gagal/403/", _raise(PermissionDenied())),
    path("gagal/400/", _raise(SuspiciousOperation("tampered"))),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500

pytestmark = pytest.mark.urls(__name__)


def squash(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent.user)
    return client


def test_404_in_the_layout_with_a_way_home(signed_in):
    response = signed_in.get("/tidak-ada/")
    html = squash(response)
    assert response.status_code == 404
    assert '<h1 class="ap-page-title">Halaman tidak ditemukan</h1>' in html
    assert '<a href="/" class="btn btn-primary">Kembali ke beranda</a>' in html
    # The signed-in layout: the sidebar and the account menu.
    assert 'id="ap-sidebar"' in html
    assert '<html lang="id">' in html


def test_404_in_english_when_chosen(english, db):
    html = squash(english.get("/tidak-ada/"))
    assert '<h1 class="ap-page-title">Page not found</h1>' in html
    assert '<html lang="en">' in html


def test_403_in_the_layout_with_a_way_home(signed_in):
    response = signed_in.get("/gagal/403/")
    html = squash(response)
    assert response.status_code == 403
    assert '<h1 class="ap-page-title">Halaman ini bukan untuk peran Anda</h1>' in html
    assert '<a href="/" class="btn btn-primary">Kembali ke beranda</a>' in html


def test_400_with_a_way_home(client, db):
    response = client.get("/gagal/400/")
    html = squash(response)
    assert response.status_code == 400
    assert '<h1 class="ap-page-title">Permintaan tidak dapat dibaca</h1>' in html
    assert '<a href="/" class="btn btn-primary">Kembali ke beranda</a>' in html


def test_500_is_a_static_page_with_a_way_home(agent):
    client = Client(raise_request_exception=False)
    client.force_login(agent.user)
    response = client.get("/gagal/500/")
    html = squash(response)
    assert response.status_code == 500
    assert [t.name for t in response.templates] == ["500.html", "static_base.html", "document.html"]
    assert '<h1 class="ap-page-title">Maaf, terjadi kesalahan pada server</h1>' in html
    assert '<a href="/" class="btn btn-primary">Kembali ke beranda</a>' in html
    assert '<html lang="id">' in html


def test_500_in_english_when_chosen(db):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    html = squash(client.get("/gagal/500/"))
    assert '<h1 class="ap-page-title">Sorry, something went wrong on the server</h1>' in html
    assert "Back to the home page" in html


def test_500_renders_while_the_database_is_down(agent, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(agent.user)

    def refuse(*args, **kwargs):
        raise AssertionError("the 500 page must not query")

    # Any query from here on fails: the session, the user, a context processor. Such a
    # failure is itself an error that the 500 page answers, so the page must need none.
    with monkeypatch.context() as patched:
        patched.setattr(connections["default"], "_cursor", refuse)
        response = client.get("/gagal/500/")
    assert response.status_code == 500
    assert "Maaf, terjadi kesalahan pada server" in response.content.decode()


def test_a_refused_form_explains_itself_in_the_layout(agent):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    html = squash(response)
    assert response.status_code == 403
    assert [t.name for t in response.templates][:1] == ["403_csrf.html"]
    assert '<h1 class="ap-page-title">Formulir ini sudah kedaluwarsa</h1>' in html
    assert "Muat ulang halaman formulir, lalu kirim sekali lagi." in html
    assert '<a href="/" class="btn btn-primary">Kembali ke beranda</a>' in html


def test_a_refused_form_in_english_when_chosen(agent):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    client.force_login(agent.user)
    html = squash(client.post(reverse("notifications_read")))
    assert '<h1 class="ap-page-title">This form has expired</h1>' in html
    assert 'id="ap-sidebar"' in html
