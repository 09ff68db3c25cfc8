"""A new installation's first start: the reference data and the first coordinator.

`manage.py bootstrap` (run by the compose `migrate` service on every start, and by hand
in the non-Docker install) migrates, loads the region's reference data into a database
that has none yet, and creates the first coordinator from AGENPLAN_COORDINATOR_*; each
step does nothing when it is already done. Never the demo people (`seed_demo`).
"""

import os
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from agencies.models import Agency
from agents.enums import Role
from agents.models import RoleGrant, User
from agents.services import grant_role
from assessment.models import Rubric

# The first coordinator, read by `bootstrap` and as defaults by `createcoordinator`.
ENV_USERNAME = "AGENPLAN_COORDINATOR_USERNAME"
ENV_EMAIL = "AGENPLAN_COORDINATOR_EMAIL"
ENV_NAME = "AGENPLAN_COORDINATOR_NAME"
ENV_PASSWORD = "AGENPLAN_COORDINATOR_PASSWORD"  # noqa: S105 (the variable's name)


class FirstStartError(Exception):
    """What the operator must fix, said in words the command prints."""


@dataclass(frozen=True)
class CoordinatorRequest:
    username: str
    email: str
    name: str
    password: str


def coordinator_from_environment(environ=None) -> CoordinatorRequest | None:
    """The coordinator AGENPLAN_COORDINATOR_* describe; None when the username is unset."""
    environ = os.environ if environ is None else environ
    username = environ.get(ENV_USERNAME, "").strip()
    if not username:
        return None
    return CoordinatorRequest(
        username=username,
        email=environ.get(ENV_EMAIL, "").strip(),
        name=environ.get(ENV_NAME, "").strip(),
        password=environ.get(ENV_PASSWORD, ""),
    )


def reference_data_loaded() -> bool:
    """Whether the region's reference data is in the database (any agency or rubric)."""
    return Agency.objects.exists() or Rubric.objects.filter(cycle__isnull=True).exists()


def coordinators():
    return User.objects.filter(role_grants__role=Role.COORDINATOR, is_active=True).distinct()


@transaction.atomic
def ensure_coordinator(request: CoordinatorRequest) -> tuple[User, str]:
    """The coordinator named by `request`, and what was done: "created", "granted" (an
    existing account given the role) or "unchanged". An existing account keeps its
    password and details: the variables only ever create, never overwrite."""
    user = User.objects.filter(username=request.username).first()
    if user is not None:
        if RoleGrant.objects.filter(user=user, role=Role.COORDINATOR).exists():
            return user, "unchanged"
        grant_role(user, role=Role.COORDINATOR, by=None)
        return user, "granted"
    missing = [
        variable
        for variable, value in (
            (ENV_EMAIL, request.email),
            (ENV_NAME, request.name),
            (ENV_PASSWORD, request.password),
        )
        if not value
    ]
    if missing:
        raise FirstStartError(
            f"To create the coordinator {request.username!r}, also give: {', '.join(missing)}."
        )
    try:
        validate_email(request.email)
    except ValidationError as error:
        raise FirstStartError(f"{request.email!r} is not an e-mail address.") from error
    user = User(username=request.username, email=request.email, name=request.name)
    try:
        validate_password(request.password, user)
    except ValidationError as error:
        raise FirstStartError("The password is refused: " + " ".join(error.messages)) from error
    user.set_password(request.password)
    user.save()
    grant_role(user, role=Role.COORDINATOR, by=None)
    return user, "created"
