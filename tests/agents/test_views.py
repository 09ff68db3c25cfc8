"""Signing in and out, the password change, `/` by role, and the frame of every page."""

import re

import pytest
from django.urls import reverse

from agents.enums import Role
from agents.models import RoleGrant
from tests.factories import AgentFactory, UserFactory, user_with_role

LOGIN = reverse("login")


def squash(response) -> str:
    """The page's HTML with runs of whitespace made one space."""
    return re.sub(r"\s+", " ", response.content.decode())


def test_login_page_is_in_indonesian_with_the_government_name(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = squash(response)
    assert '<html lang="id">' in html
    assert "Masuk ke AgenPlan" in html
    assert "Pemerintah Provinsi Kalimantan Timur" in html
    assert '<label for="id_username" class="form-label requiredField"> Nama pengguna' in html
    assert '<label for="id_password" class="form-label requiredField"> Kata sandi' in html
    # The public gallery is one link away for a visitor who has no account.
    assert '<a href="/inovasi/" id="gallery-link">Galeri inovasi</a>' in html


def test_wrong_password_is_explained_in_indonesian(client, agent):
    response = client.post(LOGIN, {"username": agent.user.username, "password": "salah"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."
    ]


def test_login_goes_to_the_home_of_the_first_role(client, agent):
    response = client.post(
        LOGIN, {"username": agent.user.username, "password": "rahasia-123"}, follow=True
    )
    assert response.redirect_chain == [("/", 302), (reverse("plans:my_plans"), 302)]


def test_login_applies_the_persons_language_unless_the_browser_chose_one(client, agent):
    agent.user.language = "en"
    agent.user.save()
    credentials = {"username": agent.user.username, "password": "rahasia-123"}
    response = client.post(LOGIN, credentials)
    assert response.cookies["django_language"].value == "en"
    client.logout()
    client.cookies["django_language"] = "id"
    response = client.post(LOGIN, credentials)
    assert "django_language" not in response.cookies


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.AGENT, "plans:my_plans"),
        (Role.AGENCY_HEAD, "plans:agency_plans"),
        (Role.REVIEWER, "assessment:queue"),
        (Role.COORDINATOR, "assessment:board"),
        (Role.LEADERSHIP, "reports:dashboard"),
        (Role.ADMIN, "admin:index"),
    ],
)
def test_home_redirects_to_the_home_of_the_role(client, db, role, home):
    client.force_login(user_with_role(role))
    response = client.get(reverse("home"))
    assert (response.status_code, response["Location"]) == (302, reverse(home))


def test_a_person_with_several_roles_starts_at_the_first_and_can_switch(client, cycle, agent):
    RoleGrant.objects.create(user=agent.user, role=Role.COORDINATOR)
    RoleGrant.objects.create(user=agent.user, role=Role.REVIEWER)
    client.force_login(agent.user)
    assert client.get(reverse("home"))["Location"] == reverse("plans:my_plans")
    response = client.get(reverse("plans:my_plans"))
    groups = [
        (g["label"], [i["label"] for i in g["items"]]) for g in response.context["nav_groups"]
    ]
    assert [(str(label), [str(i) for i in items]) for label, items in groups] == [
        ("Agen Perubahan", ["Rencana saya", "Laporan saya"]),
        ("Reviewer / pendamping", ["Antrean penilaian", "Konflik kepentingan", "Laporan saya"]),
        (
            "Koordinator",
            [
                "Papan siklus",
                "Penugasan reviewer",
                "Keputusan",
                "Pemantauan pelaksanaan",
                "Galeri inovasi",
                "Kalibrasi reviewer",
                "Siklus dan instrumen",
                "Impor peserta",
                "Undangan akun",
                "Daftar rencana",
                "Jejak audit",
                "Laporan saya",
            ],
        ),
    ]
    html = response.content.decode()
    assert f'href="{reverse("assessment:board")}"' in html
    assert 'aria-current="page"' in html


def test_a_person_without_a_role_is_told_whom_to_contact(client, db):
    user_with_role(Role.COORDINATOR, name="Muhammad Ardiansyah, S.I.P.", email="ardi@kaltim.go.id")
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Akun Anda belum diberi peran." in html
    assert "Muhammad Ardiansyah, S.I.P." in html
    assert 'href="mailto:ardi@kaltim.go.id"' in html
    assert response.context["nav_groups"] == []


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response["Location"] == f"{LOGIN}?next=/"


def test_logout_is_a_post(client, agent):
    client.force_login(agent.user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert (response.status_code, response["Location"]) == (302, LOGIN)
    assert client.get(reverse("home"))["Location"] == f"{LOGIN}?next=/"


def test_password_change(client, agent):
    client.force_login(agent.user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Ganti kata sandi" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "rahasia-123",
            "new_password1": "Samarinda-2026-baru",
            "new_password2": "Samarinda-2026-baru",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    agent.user.refresh_from_db()
    assert agent.user.check_password("Samarinda-2026-baru")
    done = client.get(reverse("password_change_done"))
    assert "Kata sandi Anda sudah diganti." in done.content.decode()


def test_password_change_errors_are_in_indonesian(client, agent):
    client.force_login(agent.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "salah", "new_password1": "x", "new_password2": "y"},
    )
    assert response.context["form"].errors["old_password"] == [
        "Sandi lama Anda yang dimasukkan salah. Masukkan sekali lagi."
    ]


def test_every_page_has_the_frame(client, cycle, agent):
    client.force_login(agent.user)
    html = squash(client.get(reverse("plans:my_plans")))
    assert '<html lang="id">' in html
    assert '<a class="ap-skip-link" href="#main">Langsung ke isi utama</a>' in html
    assert '<meta name="csrf-token" content="' in html
    for asset in (
        "/static/build/bootstrap.min.css",
        "/static/build/bootstrap-icons.min.css",
        "/static/fonts/fallback.css",
        "/static/css/agenplan.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
        "/static/js/agenplan.js",
    ):
        assert asset in html
    assert "cdn" not in html.lower()
    # No inline script: every <script> has a src.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "Pemerintah Provinsi Kalimantan Timur" in html
    assert agent.agency.name in html
    assert f"{cycle.name} — <strong>Penyusunan</strong>" in html
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="en" lang="en" title="English"' in html
    assert f'<form action="{reverse("logout")}" method="post">' in html
    assert 'id="ap-sidebar"' in html and "offcanvas-lg" in html


def test_state_badge_has_colour_and_label(client, agent, draft_plan):
    client.force_login(agent.user)
    html = client.get(reverse("plans:detail", args=[draft_plan.pk])).content.decode()
    assert '<span class="ap-state ap-state-draft">Draf</span>' in html


def test_unknown_pages_use_the_frame(client, agent):
    client.force_login(agent.user)
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_a_page_of_another_role_is_403_with_a_clear_page(client, db):
    client.force_login(AgentFactory().user)
    response = client.get(reverse("assessment:board"))
    assert response.status_code == 403
    assert "Halaman ini bukan untuk peran Anda" in response.content.decode()
