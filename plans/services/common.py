"""What every service of a plan shares: the domain error, the permission check, the row
lock."""

from agents.models import User

from ..models import ActionPlan


class PlanError(Exception):
    """A refused action, with a message for the user (translatable) and the field at fault."""

    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


def _require(user: User, perm: str, obj, message) -> None:
    if not user.has_perm(perm, obj):
        raise PlanError(message, code="permission_denied")


def _locked(plan: ActionPlan) -> ActionPlan:
    """Re-read the plan under a row lock, so that two transitions never interleave."""
    fresh = ActionPlan.objects.select_for_update().select_related("cycle").get(pk=plan.pk)
    # Keep the caller's object in step with the database.
    plan.refresh_from_db()
    return fresh
