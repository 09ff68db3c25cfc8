"""Calling the API as a person would: with a token of theirs (every area, or the ones a
test names)."""

import pytest

from agents.enums import ApiAccess, ApiArea
from agents.tokens import create_token
from tests.monitoring.conftest import (  # noqa: F401 (fixtures of a plan in implementation)
    plan_reviewer,
    running_cycle,
    running_plan,
)


def token_headers(user, scopes: dict | None = None) -> dict:
    scopes = scopes or dict.fromkeys(ApiArea.values, ApiAccess.WRITE)
    _token, secret = create_token(user, name="test", scopes=scopes, by=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api(client):
    """`api(user).get(url)`: the test client with the user's token."""

    class Caller:
        def __init__(self, user, scopes=None):
            self.headers = token_headers(user, scopes)

        def get(self, url, data=None, **extra):
            return client.get(url, data or {}, **self.headers, **extra)

        def post(self, url, data, **extra):
            return client.post(url, data, content_type="application/json", **self.headers, **extra)

    return Caller
