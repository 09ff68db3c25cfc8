"""Who holds which role: the django-rules predicates every other app composes.

A role is an explicit grant (a RoleGrant row, or an active Agent profile for the change
agent). The Django `is_superuser` and `is_staff` flags are not roles: they open the admin
site and nothing else, so no predicate here reads them (see `User.has_perm`).
"""

import rules

from .enums import Role
from .selectors import roles_of


def _has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user) -> bool:
        return role in roles_of(user)

    return predicate


is_agent = _has_role(Role.AGENT)
is_coordinator = _has_role(Role.COORDINATOR)
is_leadership = _has_role(Role.LEADERSHIP)
is_reviewer = _has_role(Role.REVIEWER)
is_agency_head = _has_role(Role.AGENCY_HEAD)
is_admin = _has_role(Role.ADMIN)


# The audit trail: coordinators (Biro Organisasi) and admins.
rules.add_perm("agents.view_audit_log", is_coordinator | is_admin)

# Inviting people to set their password, and resending: the Biro Organisasi.
rules.add_perm("agents.invite_users", is_coordinator)

# Personal API tokens: every signed-in person for themselves; service accounts (accounts
# of other systems, with their tokens) are made and revoked by admins.
rules.add_perm("agents.manage_service_accounts", is_admin)
