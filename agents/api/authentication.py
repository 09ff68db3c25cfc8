"""How a request of the REST API says who it is: a token (`Authorization: Bearer agp_…`)
for other systems, or the signed-in session for the product's own pages (with its CSRF
check on writes)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..tokens import token_for_secret

KEYWORDS = (b"bearer", b"token")


class TokenAuthentication(authentication.BaseAuthentication):
    """A personal or service-account token (agents.tokens); the user it belongs to acts,
    with their own roles, within the token's scopes (agents.api.permissions)."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Header Authorization tidak valid."))
        token = token_for_secret(parts[1].decode("latin-1"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Token tidak valid atau sudah dicabut."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in person of the product's pages (CSRF checked on writes)."""


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "agents.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "agp_…"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "agents.api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
