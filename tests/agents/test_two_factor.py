"""Two-factor sign-in: anyone may turn it on (QR code, a code to confirm, ten recovery
codes shown once) and off; whoever has it gives a code after the password before any
page; the roles named in AGENPLAN_REQUIRE_2FA_FOR (and the admin site's staff) must turn
it on first; other chairs are never asked."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agents.enums import Role
from agents.models import ActivityLog
from tests.factories import AgentFactory, UserFactory, user_with_role

PASSWORD = "rahasia-123"
LOGIN = reverse("login")
VERIFY = reverse("two_factor_verify")
ENROL = reverse("two_factor_enrol")
SECURITY = reverse("security")
WRONG_CODE = "Kode salah atau sudah kedaluwarsa. Masukkan 6 angka yang sedang tampil di aplikasi."
WRONG_VERIFY = "Kode salah, sudah kedaluwarsa, atau kode pemulihan itu sudah pernah dipakai."


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(client, user) -> None:
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def with_two_factor(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [f"kode{n:04d}" for n in range(10)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return device, codes


def field_errors(response) -> list[str]:
    return response.context["form"].errors.get("code", [])


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def required(settings, db):
    settings.AGENPLAN_REQUIRE_2FA_FOR = ["coordinator", "admin"]


# --- Turning it on ----------------------------------------------------------------------


def test_any_user_turns_it_on_with_a_qr_code_and_gets_ten_recovery_codes(
    client, agent, no_throttle
):
    client.force_login(agent.user)
    assert "Belum aktif" in client.get(SECURITY).content.decode()
    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<img class="ap-qr mb-2"\s+src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)
    device = TOTPDevice.objects.get(user=agent.user)
    assert device.confirmed is False
    assert "otpauth://totp/AgenPlan" in device.config_url

    wrong = client.post(ENROL, {"code": "000000" if current_code(device) != "000000" else "1"})
    assert field_errors(wrong) == [WRONG_CODE]
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is False

    done = client.post(ENROL, {"code": current_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    assert sorted(
        StaticToken.objects.filter(device__user=agent.user).values_list("token", flat=True)
    ) == sorted(codes)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is True
    assert ActivityLog.objects.filter(action="two_factor_enabled", actor=agent.user).count() == 1
    # The codes are shown once: the security page only counts them.
    page = client.get(SECURITY).content.decode()
    assert "Kode pemulihan tersisa: 10." in page
    assert codes[0] not in page


def test_a_session_that_owes_a_code_cannot_add_another_phone(client, agent):
    with_two_factor(agent.user)
    sign_in(client, agent.user)
    response = client.get(ENROL)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=agent.user).count() == 1


# --- Signing in with it -------------------------------------------------------------------


def test_with_two_factor_every_page_waits_for_the_code(client, agent, no_throttle):
    device, _ = with_two_factor(agent.user)
    sign_in(client, agent.user)
    for path in ["/", reverse("plans:my_plans"), SECURITY, "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{VERIFY}?next={path}", path
    wrong = client.post(VERIFY, {"code": "12345x", "next": "/rencana/"})
    assert field_errors(wrong) == [WRONG_VERIFY]
    assert client.get("/rencana/").status_code == 302
    response = client.post(VERIFY, {"code": current_code(device), "next": "/rencana/"})
    assert response.status_code == 302
    assert response["Location"] == "/rencana/"
    assert client.get("/rencana/").status_code == 200


def test_a_recovery_code_signs_in_once(client, agent, no_throttle):
    _, codes = with_two_factor(agent.user)
    sign_in(client, agent.user)
    response = client.post(VERIFY, {"code": codes[3].upper()}, follow=True)
    assert response.redirect_chain[0] == ("/", 302)
    assert [str(m) for m in response.context["messages"]] == [
        "Anda masuk dengan kode pemulihan; tersisa 9. Buat kode baru di halaman Keamanan "
        "akun bila hampir habis."
    ]
    assert ActivityLog.objects.filter(action="recovery_code_used").count() == 1

    other = Client()
    sign_in(other, agent.user)
    used = other.post(VERIFY, {"code": codes[3]})
    assert field_errors(used) == [WRONG_VERIFY]
    assert other.get(reverse("plans:my_plans")).status_code == 302


def test_wrong_codes_slow_down(client, agent):
    device, _ = with_two_factor(agent.user)
    sign_in(client, agent.user)
    client.post(VERIFY, {"code": "111111" if current_code(device) != "111111" else "222222"})
    client.post(VERIFY, {"code": "kodesalah"})
    throttled = client.post(VERIFY, {"code": current_code(device)})
    assert field_errors(throttled) == [
        "Terlalu banyak kode yang salah. Tunggu beberapa detik, lalu coba lagi."
    ]
    assert client.get(reverse("plans:my_plans")).status_code == 302


def test_the_code_page_without_two_factor_goes_home(client, agent):
    sign_in(client, agent.user)
    response = client.get(VERIFY)
    assert (response.status_code, response["Location"]) == (302, "/")


# --- Who must have it --------------------------------------------------------------------------


def test_a_coordinator_must_turn_it_on_before_any_page(client, required, no_throttle):
    coordinator = user_with_role(Role.COORDINATOR)
    sign_in(client, coordinator)
    board = reverse("assessment:board")
    response = client.get(board)
    assert response["Location"] == f"{ENROL}?next={board}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Peran Anda mewajibkan verifikasi dua langkah" in page.content.decode()
    device = TOTPDevice.objects.get(user=coordinator)
    done = client.post(ENROL, {"code": current_code(device), "next": board})
    assert done.context["next"] == board
    assert client.get(board).status_code == 200


def test_the_admin_site_needs_the_code_of_staff(client, required):
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(client, admin)
    response = client.get("/admin/")
    assert response["Location"] == f"{ENROL}?next=/admin/"
    staff = UserFactory(is_staff=True)
    with_two_factor(staff)
    other = Client()
    sign_in(other, staff)
    assert other.get("/admin/")["Location"] == f"{VERIFY}?next=/admin/"


@pytest.mark.parametrize("chair", [Role.AGENT, Role.REVIEWER, Role.AGENCY_HEAD, Role.LEADERSHIP])
def test_other_chairs_are_not_asked(client, required, chair, agency):
    user = (
        AgentFactory(user__agency=agency).user
        if chair == Role.AGENT
        else user_with_role(chair, agency=agency if chair == Role.AGENCY_HEAD else None)
    )
    sign_in(client, user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert VERIFY not in [url for url, _ in response.redirect_chain]
    assert ENROL not in [url.split("?")[0] for url, _ in response.redirect_chain]


def test_without_the_setting_coordinators_are_not_asked(client, settings, db):
    settings.AGENPLAN_REQUIRE_2FA_FOR = []
    coordinator = user_with_role(Role.COORDINATOR)
    sign_in(client, coordinator)
    assert client.get(reverse("assessment:board")).status_code == 200


# --- Recovery codes and turning it off ------------------------------------------------------------


def test_new_recovery_codes_replace_the_old(client, agent, no_throttle):
    device, old = with_two_factor(agent.user)
    sign_in(client, agent.user)
    client.post(VERIFY, {"code": current_code(device)})
    response = client.post(reverse("two_factor_recovery_codes"))
    new = response.context["codes"]
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert ActivityLog.objects.filter(action="recovery_codes_renewed").count() == 1


def test_turning_it_off_needs_a_code(client, agent, no_throttle):
    device, codes = with_two_factor(agent.user)
    sign_in(client, agent.user)
    client.post(VERIFY, {"code": current_code(device)})
    response = client.post(reverse("two_factor_disable"), {"code": "salah"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [WRONG_VERIFY]
    assert TOTPDevice.objects.filter(user=agent.user).exists()
    response = client.post(reverse("two_factor_disable"), {"code": codes[1]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Verifikasi dua langkah dimatikan."]
    assert not TOTPDevice.objects.filter(user=agent.user).exists()
    assert not StaticDevice.objects.filter(user=agent.user).exists()
    assert ActivityLog.objects.filter(action="two_factor_disabled").count() == 1
    # The next sign-in asks no code.
    other = Client()
    sign_in(other, agent.user)
    assert other.get(reverse("plans:my_plans")).status_code == 200


def test_those_who_must_have_it_cannot_turn_it_off(client, required, no_throttle):
    coordinator = user_with_role(Role.COORDINATOR)
    device, codes = with_two_factor(coordinator)
    sign_in(client, coordinator)
    client.post(VERIFY, {"code": current_code(device)})
    response = client.post(reverse("two_factor_disable"), {"code": codes[0]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Verifikasi dua langkah wajib untuk peran Anda dan tidak dapat dimatikan."
    ]
    assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).count() == 1
    assert StaticToken.objects.filter(token=codes[0]).exists()


@pytest.mark.parametrize("target", ["https://example.com/", "//example.com/", "plans:my_plans"])
def test_after_the_code_only_a_page_of_this_site_follows(client, agent, no_throttle, target):
    device, _ = with_two_factor(agent.user)
    sign_in(client, agent.user)
    response = client.post(VERIFY, {"code": current_code(device), "next": target})
    assert (response.status_code, response["Location"]) == (302, "/")
