"""The favicon: a static file, named by every page and at the address browsers ask for."""

from pathlib import Path

from django.contrib.staticfiles import finders


def test_favicon_files_are_static_files():
    assert Path(finders.find("favicon.svg")).read_text().lstrip().startswith("<svg")
    assert Path(finders.find("favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"


def test_pages_name_the_favicon(client):
    page = client.get("/masuk/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert 'href="/static/favicon.ico"' in page


def test_favicon_ico_redirects_to_the_static_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert client.post("/favicon.ico").status_code == 405
