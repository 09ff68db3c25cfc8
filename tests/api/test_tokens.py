"""Personal API tokens on the profile page, service accounts, and how a token
authenticates a request of the API (agents/tokens.py, agents/api/)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from agents.invitations import hash_token
from agents.models import ActivityLog, ApiToken, User
from agents.tokens import (
    LAST_USED_PRECISION,
    create_token,
    revoke_token,
    token_for_secret,
)
from tests.factories import AgentFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_person_makes_a_token_on_the_profile_page_and_sees_its_secret_once(client):
    user = AgentFactory().user
    client.force_login(user)
    response = client.post(
        reverse("api_token_create"),
        {"name": "SIMPEG", "scope_plans": "read", "scope_participants": ""},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    secret = response.context["new_token"]["secret"]
    assert secret.startswith("agp_") and secret.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    # Only the hash and the first characters are kept.
    assert (token.token_hash, token.prefix) == (hash_token(secret), secret[:10])
    assert token.scopes == {"plans": "read"}
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().first())
    entry = ActivityLog.objects.get(action="api_token.created")
    assert entry.actor == user and secret not in str(entry.data)
    # The page shows it afterwards by name and prefix, never the secret.
    page = client.get(reverse("profile"))
    assert token.prefix.encode() in page.content and secret.encode() not in page.content


def test_a_token_without_any_area_or_name_is_refused_on_its_field(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("api_token_create"), {"name": "", "scope_plans": ""})
    assert response.status_code == 400
    form = response.context["token_form"]
    assert form.errors["name"] and form.non_field_errors() == [
        "Pilih akses untuk sedikitnya satu area."
    ]
    response = client.post(reverse("api_token_create"), {"name": "x", "scope_plans": "admin"})
    assert response.status_code == 400 and "scope_plans" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_and_its_next_request_is_refused(client):
    user = UserFactory()
    token, secret = create_token(user, name="t", scopes={"plans": "read"}, by=user)
    assert client.get(ME, **bearer(secret)).status_code == 200
    other = UserFactory()
    client.force_login(other)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    client.force_login(user)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    client.logout()
    response = client.get(ME, **bearer(secret))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert ActivityLog.objects.filter(action="api_token.revoked", actor=user).count() == 1
    with pytest.raises(PermissionDenied):
        revoke_token(token, by=other)


def test_no_one_makes_a_token_for_someone_else_and_a_person_has_a_limited_number(settings):
    user, other = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        create_token(user, name="x", scopes={"plans": "read"}, by=other)
    for number in range(20):
        create_token(user, name=f"t{number}", scopes={"plans": "read"}, by=user)
    with pytest.raises(ValidationError):
        create_token(user, name="one more", scopes={"plans": "read"}, by=user)


def test_the_last_used_time_is_written_at_most_once_a_minute(django_assert_num_queries):
    user = UserFactory()
    token, secret = create_token(user, name="t", scopes={"plans": "read"}, by=user)
    now = timezone.now()
    assert token_for_secret(secret, now=now).last_used_at == now
    with django_assert_num_queries(1):  # the look-up only
        token_for_secret(secret, now=now + dt.timedelta(seconds=30))
    later = now + LAST_USED_PRECISION
    assert token_for_secret(secret, now=later).last_used_at == later
    token.refresh_from_db()
    assert token.last_used_at == later
    assert token_for_secret("agp_wrong") is None and token_for_secret("x" + secret) is None


def test_a_token_of_an_inactive_account_does_not_authenticate(client):
    user = UserFactory()
    _token, secret = create_token(user, name="t", scopes={"plans": "read"}, by=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(ME, **bearer(secret)).status_code == 401


def test_me_tells_who_the_token_acts_as_and_its_scopes(client):
    user = user_with_role(Role.COORDINATOR)
    _token, secret = create_token(user, name="t", scopes={"participants": "write"}, by=user)
    body = client.get(ME, **bearer(secret)).json()
    assert body["username"] == user.username
    assert body["roles"] == ["coordinator"]
    assert body["scopes"] == {"participants": "write"}
    assert client.get(ME).status_code == 401
    malformed = client.get(ME, HTTP_AUTHORIZATION="Bearer")
    assert malformed.status_code == 401 and malformed.json()["code"] == "authentication_failed"


def test_an_admin_command_makes_a_service_account_with_a_token(capsys, client):
    call_command(
        "create_service_account",
        "simpeg",
        "--name",
        "SIMPEG Provinsi",
        "--role",
        "coordinator",
        "--scope",
        "participants=write",
    )
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    account = User.objects.get(username="simpeg")
    assert account.is_service_account and not account.has_usable_password()
    body = client.get(ME, **bearer(secret)).json()
    assert (body["is_service_account"], body["roles"]) == (True, ["coordinator"])
    assert ActivityLog.objects.filter(action="service_account.created").count() == 1
    # A service account's tokens are the admin's to make, not its own.
    with pytest.raises(PermissionDenied):
        create_token(account, name="x", scopes={"plans": "read"}, by=account)


def test_a_command_with_a_wrong_scope_makes_no_account():
    with pytest.raises(CommandError):
        call_command("create_service_account", "x", "--name", "X", "--scope", "plans=all")
    assert not User.objects.filter(username="x").exists()


def test_every_answer_carries_a_request_id_the_callers_when_plausible(client):
    given = client.get(ME, HTTP_X_REQUEST_ID="simpeg-0001-abcd")
    assert given["X-Request-ID"] == "simpeg-0001-abcd"
    assert given.json()["request_id"] == "simpeg-0001-abcd"
    made_up = client.get(ME, HTTP_X_REQUEST_ID="<script>")
    assert len(made_up["X-Request-ID"]) == 32 and made_up["X-Request-ID"] != "<script>"
    assert len(client.get(reverse("login"))["X-Request-ID"]) == 32


def test_errors_have_one_body_in_the_language_asked_for(client, settings):
    anonymous = client.get(ME)
    assert anonymous.json() == {
        "code": "not_authenticated",
        "message": "Sertakan token API (Authorization: Bearer …) atau masuk terlebih dahulu.",
        "fields": {},
        "request_id": anonymous["X-Request-ID"],
    }
    english = client.get(ME, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        english.json()["message"] == "Send an API token (Authorization: Bearer …) or sign in first."
    )
    user = UserFactory()
    _token, secret = create_token(user, name="t", scopes={"plans": "read"}, by=user)
    wrong_method = client.delete(ME, **bearer(secret), HTTP_ACCEPT_LANGUAGE="en")
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")
    assert wrong_method.json()["message"] == "This method is not allowed at this address."


def test_a_token_is_limited_to_its_rate(client, settings):
    settings.AGENPLAN_API_RATE_LIMITS = {"api": "3/m", "api_write": "1/m"}
    user, other = UserFactory(), UserFactory()
    _token, secret = create_token(user, name="t", scopes={"plans": "read"}, by=user)
    _token, other_secret = create_token(other, name="t", scopes={"plans": "read"}, by=other)
    answers = [client.get(ME, **bearer(secret)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(ME, **bearer(secret))
    assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0
    # Another token has its own count.
    assert client.get(ME, **bearer(other_secret)).status_code == 200
