"""What a token opens: each view names its area of the API (`api_area`); a token must have
that area for reading (GET, HEAD, OPTIONS) or for writing. A signed-in session has every
area. The token never adds to its user's roles: each view still asks the apps' rules."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..models import ApiToken


class TokenScope(BasePermission):
    message = _("Token ini tidak membuka bagian API ini.")
    code = "insufficient_scope"

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        area = getattr(view, "api_area", None)
        if area is None:  # about the caller themselves: any token
            return True
        return token.allows(area, write=request.method not in SAFE_METHODS)
