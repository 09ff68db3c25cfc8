"""Reads about people and their roles."""

import datetime as dt
import hashlib

from django.apps import apps
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .backends import parse_grants
from .enums import Role
from .models import ActivityLog, Invitation, User
from .validators import normalize_nip


def roles_of(user: User) -> frozenset[str]:
    """Every role the user holds; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_agenplan_roles", None)
    if cached is not None:
        return cached
    granted = getattr(user, "agenplan_grants", None)  # read with the user (agents.backends)
    if granted is not None:
        granted_roles, user._agenplan_headed = parse_grants(granted)
        roles = set(granted_roles)
    else:
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
    held = roles_of(user)  # with the grants read with the user, also fills the agencies
    cached = getattr(user, "_agenplan_headed", None)
    if cached is None and Role.AGENCY_HEAD not in held:
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


# --- The audit log --------------------------------------------------------------------


def audit_models() -> list[tuple[str, str]]:
    """(app_label.model, name) of the models of AgenPlan and Django's auth, for a picker."""
    local = {"agencies", "agents", "plans", "assessment", "reports", "auth"}
    models = [m for m in apps.get_models() if m._meta.app_label in local]
    return sorted(
        ((m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in models),
        key=lambda pair: pair[1],
    )


def audit_entries(filters: dict) -> QuerySet:
    """The audit log, newest first, narrowed by the audit page's filters (who, what, when,
    which object). Dates are WITA days."""
    entries = ActivityLog.objects.select_related("actor", "content_type").order_by(
        "-created_at", "-id"
    )
    who = (filters.get("who") or "").strip()
    if who:
        match = Q(actor__name__icontains=who) | Q(actor__username__iexact=who)
        if normalize_nip(who).isdigit():
            match |= Q(actor__nip=normalize_nip(who))
        entries = entries.filter(match)
    action = (filters.get("action") or "").strip()
    if action:
        entries = entries.filter(action__istartswith=action)
    zone = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=zone)
        entries = entries.filter(created_at__gte=start)
    if filters.get("date_to"):
        end = dt.datetime.combine(
            filters["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone
        )
        entries = entries.filter(created_at__lt=end)
    if filters.get("model"):
        app_label, _dot, model = filters["model"].partition(".")
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
    if filters.get("object_id") is not None:
        entries = entries.filter(object_id=filters["object_id"])
    text = (filters.get("q") or "").strip()
    if text:
        entries = entries.filter(object_repr__icontains=text)
    return entries


# --- Accounts awaiting their password -------------------------------------------------

# An account that cannot sign in: no password was ever set (imported, or made without one).
# Comparing with "" finds the accounts that have no password; it is not a password.
WITHOUT_PASSWORD = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) | Q(password="")  # nosec B106


def accounts_awaiting_password(filters: dict, *, now: dt.datetime | None = None) -> QuerySet:
    """Active accounts without a password (who have not accepted an invitation), by name,
    each with its open invitation's dates (`invited_at`, `invitation_expires_at`,
    `invitation_emailed_at`; empty when none is open) and `invitation_expired`. Filters:
    `q` (name, NIP, username, e-mail) and `status` ("not_invited", "pending", "expired")."""
    now = now or timezone.now()
    open_invitation = Invitation.objects.filter(
        user=OuterRef("pk"), accepted_at__isnull=True, superseded_at__isnull=True
    )
    accounts = (
        User.objects.filter(WITHOUT_PASSWORD, is_active=True)
        .select_related("agency")
        .annotate(
            invited_at=Subquery(open_invitation.values("created_at")[:1]),
            invitation_expires_at=Subquery(open_invitation.values("expires_at")[:1]),
            invitation_emailed_at=Subquery(open_invitation.values("emailed_at")[:1]),
        )
        .annotate(
            invitation_expired=ExpressionWrapper(
                Q(invitation_expires_at__lte=now), output_field=BooleanField()
            )
        )
        .order_by("name", "pk")
    )
    status = filters.get("status")
    if status == "not_invited":
        accounts = accounts.filter(invited_at__isnull=True)
    elif status == "pending":
        accounts = accounts.filter(invitation_expires_at__gt=now)
    elif status == "expired":
        accounts = accounts.filter(invitation_expires_at__lte=now)
    text = (filters.get("q") or "").strip()
    if text:
        match = Q(name__icontains=text) | Q(username__iexact=text) | Q(email__icontains=text)
        if normalize_nip(text).isdigit():
            match |= Q(nip=normalize_nip(text))
        accounts = accounts.filter(match)
    return accounts


# --- The calendar of deadlines -------------------------------------------------------------


def calendar_token_hash(token: str) -> str:
    """What is stored of a calendar address's secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def user_of_calendar_token(token: str) -> User | None:
    """The active person whose calendar address holds `token`, or None."""
    if not token or len(token) > 100:
        return None
    return User.objects.filter(
        calendar_token_hash=calendar_token_hash(token), is_active=True
    ).first()
