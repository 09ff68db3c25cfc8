"""Reads about people and their roles."""

from .enums import Role
from .models import User


def roles_of(user: User) -> frozenset[str]:
    """Every role the user holds; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_agenplan_roles", None)
    if cached is not None:
        return cached
    roles = set(user.role_grants.values_list("role", flat=True))
    if hasattr(user, "agent_profile") and user.agent_profile.is_active:
        roles.add(Role.AGENT)
    if user.is_superuser:
        roles.add(Role.ADMIN)
    user._agenplan_roles = frozenset(roles)
    return user._agenplan_roles


def headed_agency_ids(user: User) -> frozenset[int]:
    """The agencies of which the user is head (kepala perangkat daerah)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_agenplan_headed", None)
    if cached is None:
        cached = frozenset(
            user.role_grants.filter(role=Role.AGENCY_HEAD).values_list("agency_id", flat=True)
        )
        user._agenplan_headed = cached
    return cached


def navigation_context(request) -> dict:
    user = request.user
    return {"user_roles": roles_of(user) if user.is_authenticated else frozenset()}
