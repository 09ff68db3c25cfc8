"""The password backend: Django's own, loading the signed-in user with their agency (which
every page names in its context strip), their change-agent profile (which the rules read
on most pages) and their role grants (which the navigation and every rule read): three
queries fewer on every request."""

import functools

from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from .models import RoleGrant, User


class _Joined(Aggregate):
    """The rows' strings joined by commas: STRING_AGG on PostgreSQL, GROUP_CONCAT on
    SQLite (neither guarantees an order; the reader makes a set of them)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def grants_annotation() -> Subquery:
    """The user's role grants as one string, "role:agency_id,role:" (agency empty for the
    grants that name none), read with the user instead of by a query of its own."""
    grants = (
        RoleGrant.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(
            joined=_Joined(
                Concat(
                    "role",
                    Value(":"),
                    Coalesce(Cast("agency_id", CharField()), Value("")),
                    output_field=CharField(),
                )
            )
        )
        .values("joined")
    )
    return Coalesce(Subquery(grants, output_field=CharField()), Value(""))


def parse_grants(joined: str) -> tuple[frozenset[str], frozenset[int]]:
    """The roles granted and the agencies headed, from `grants_annotation`'s string."""
    roles, headed = set(), set()
    for grant in filter(None, joined.split(",")):
        role, _sep, agency_id = grant.partition(":")
        roles.add(role)
        if agency_id:
            headed.add(int(agency_id))
    return frozenset(roles), frozenset(headed)


@functools.cache
def _signed_in_users() -> QuerySet:
    """The users with their agency, profile and grants: built once per process (building
    the annotation took about as long as running the query), then filtered per request.
    Never evaluated itself, so it holds no rows."""
    return User._default_manager.select_related("agency", "agent_profile").annotate(
        agenplan_grants=grants_annotation()
    )


class AgencyModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = next(iter(_signed_in_users().filter(pk=user_id)[:1]), None)
        return user if user is not None and self.user_can_authenticate(user) else None
