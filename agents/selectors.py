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
    # The superuser and staff flags are not roles: they open the admin site only.
    user._agenplan_roles = frozenset(roles)
    return user._agenplan_roles


def headed_agency_ids(user: User) -> frozenset[int]:
    """The agencies of which the user is head (kepala perangkat daerah)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_agenplan_headed", None)
    if cached is None and Role.AGENCY_HEAD not in roles_of(user):
        cached = user._agenplan_headed = frozenset()  # no grant to read: no query
    if cached is None:
        cached = frozenset(
            user.role_grants.filter(role=Role.AGENCY_HEAD).values_list("agency_id", flat=True)
        )
        user._agenplan_headed = cached
    return cached


def navigation_context(request) -> dict:
    user = request.user
    return {"user_roles": roles_of(user) if user.is_authenticated else frozenset()}


# --- Reads for navigation and the plan pages ---------------------------------------------

# The order in which a person's roles are offered: `/` goes to the first one's home.
ROLE_ORDER = (
    Role.AGENT,
    Role.AGENCY_HEAD,
    Role.REVIEWER,
    Role.COORDINATOR,
    Role.LEADERSHIP,
    Role.ADMIN,
)


def ordered_roles(user: User) -> list[str]:
    """The user's roles in ROLE_ORDER."""
    roles = roles_of(user)
    return [role for role in ROLE_ORDER if role in roles]


def programme_contacts(limit: int = 5) -> list[User]:
    """The coordinators a person without a role should contact."""
    return list(
        User.objects.filter(is_active=True, role_grants__role=Role.COORDINATOR)
        .distinct()
        .order_by("name")[:limit]
    )


def activity_log_for(obj):
    """The audit entries of one object, oldest first, with their actors (one query).

    Joins the content type instead of using ContentType's process cache, so that the
    number of queries does not depend on what ran before.
    """
    from .models import ActivityLog

    meta = obj._meta.concrete_model._meta
    return (
        ActivityLog.objects.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id=obj.pk,
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
