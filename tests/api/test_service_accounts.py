"""Service accounts made on their page by an admin (Pengelola): the account and its first
token in one go, the secret shown once; their tokens revoked there. No other chair may
make one or revoke its tokens, and the page revokes no person's token."""

import re

import pytest
from django.urls import reverse

from agents.enums import Role
from agents.models import ActivityLog, ApiToken, User
from agents.tokens import create_service_account, create_token
from tests.factories import AgentFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

PAGE = "/pengelola/akun-layanan/"
NEW = {
    "username": "simpeg",
    "system": "SIMPEG Provinsi",
    "roles": [Role.COORDINATOR],
    "name": "",
    "scope_participants": "write",
    "scope_reference": "read",
}


@pytest.fixture
def admin(db):
    return user_with_role(Role.ADMIN)


def test_an_admin_makes_a_service_account_whose_token_is_shown_once_and_works(client, admin):
    client.force_login(admin)
    assert client.get(PAGE).status_code == 200
    response = client.post(PAGE, NEW)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r"agp_[A-Za-z0-9_\-]+", response.content.decode()).group(0)
    account = User.objects.get(username="simpeg")
    assert account.is_service_account and not account.has_usable_password()
    assert list(account.role_grants.values_list("role", flat=True)) == [Role.COORDINATOR]
    token = account.api_tokens.get()
    assert (token.name, token.scopes) == (
        "SIMPEG Provinsi",
        {"participants": "write", "reference": "read"},
    )
    assert ActivityLog.objects.filter(action="service_account.created", actor=admin).exists()
    # The list shows the token by its prefix only, never its secret again.
    page = client.get(PAGE).content.decode()
    assert token.prefix in page and secret not in page
    client.logout()
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200


def test_bad_input_is_named_on_its_field_and_writes_nothing(client, admin):
    create_service_account(username="siasn", name="SIASN", by=admin)
    client.force_login(admin)
    for data, field in [
        ({**NEW, "username": "siasn"}, "username"),
        ({**NEW, "username": "bad name!"}, "username"),
        ({**NEW, "roles": [Role.AGENCY_HEAD]}, "roles"),
        ({**NEW, "scope_participants": "", "scope_reference": ""}, None),
        ({**NEW, "scope_plans": "everything"}, "scope_plans"),
    ]:
        response = client.post(PAGE, data)
        assert response.status_code == 400, data
        form = response.context["form"]
        assert (field in form.errors) if field else form.non_field_errors(), form.errors
    assert list(
        User.objects.filter(is_service_account=True).values_list("username", flat=True)
    ) == ["siasn"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "chair",
    ["coordinator", "agent", "leader", "superuser_without_role", "staff_without_role"],
)
def test_only_an_admin_makes_service_accounts_or_revokes_their_tokens(client, admin, chair):
    account = create_service_account(username="dasbor", name="Dasbor", by=admin)
    token, _secret = create_token(account, name="t", scopes={"plans": "read"}, by=admin)
    user = {
        "coordinator": lambda: user_with_role(Role.COORDINATOR),
        "agent": lambda: AgentFactory().user,
        "leader": lambda: user_with_role(Role.LEADERSHIP),
        "superuser_without_role": lambda: UserFactory(is_superuser=True, is_staff=True),
        "staff_without_role": lambda: UserFactory(is_staff=True),
    }[chair]()
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {**NEW, "username": "x"}).status_code == 403
    revoke = reverse("service_account_token_revoke", args=[token.pk])
    assert client.post(revoke).status_code == 403
    assert not User.objects.filter(username="x").exists()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_admin_revokes_a_service_accounts_token_but_no_persons(client, admin):
    account = create_service_account(username="dasbor", name="Dasbor", by=admin)
    token, secret = create_token(account, name="t", scopes={"plans": "read"}, by=admin)
    person = AgentFactory().user
    own, _ = create_token(person, name="mine", scopes={"plans": "read"}, by=person)
    client.force_login(admin)
    assert client.post(reverse("service_account_token_revoke", args=[own.pk])).status_code == 404
    own.refresh_from_db()
    assert own.revoked_at is None
    response = client.post(reverse("service_account_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_the_admins_sidebar_links_the_page(client, admin):
    client.force_login(admin)
    assert f'href="{PAGE}"' in client.get(PAGE).content.decode()
