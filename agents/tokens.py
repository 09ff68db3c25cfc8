"""API tokens: made, scoped and revoked by their user on the profile page, or by an admin
for a service account; and the look-up that authenticates a request of the REST API.

A token's secret is made here, shown once and never stored: the row keeps its SHA-256
(the same hashing as the invitations' links, `agents.invitations.hash_token`) and its
first characters. Every change is audited.
"""

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import ApiAccess, ApiArea, Role
from .invitations import hash_token
from .models import GRANTABLE_ROLES, ApiToken, User
from .services import grant_role, record_activity

# Every secret starts with this, so that a leaked one is recognisable (secret scanners).
TOKEN_PREFIX = "agp_"  # noqa: S105 — a marker, not a secret
# Characters of the secret kept in clear to tell tokens apart ("agp_Xy3k9…").
SHOWN_CHARACTERS = 10
# The last-used time is written at most this often per token: one UPDATE per request
# would make every read of the API a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
# A person keeps at most this many active tokens.
MAX_ACTIVE_TOKENS = 20


def clean_scopes(scopes: dict) -> dict:
    """The scopes with known areas and accesses only; raises ValidationError otherwise."""
    cleaned = {}
    for area, access in scopes.items():
        if not access:
            continue
        if area not in ApiArea.values:
            raise ValidationError(_("Area API tidak dikenal: %(area)s.") % {"area": area})
        if access not in ApiAccess.values:
            raise ValidationError(_("Akses tidak dikenal: %(access)s.") % {"access": access})
        cleaned[area] = access
    if not cleaned:
        raise ValidationError(_("Pilih akses untuk sedikitnya satu area."))
    return cleaned


def create_token(user: User, *, name: str, scopes: dict, by: User | None) -> tuple[ApiToken, str]:
    """Make a token for `user` and return it with its secret, which is shown once.

    A person makes their own tokens (`by` is the user); a service account's are made by an
    admin (the admin site or `manage.py create_service_account`, `by` None for a command).
    Audited as "api_token.created" with the token's name and scopes, never the secret.
    """
    if by is not None and by.pk != user.pk and not by.has_perm("agents.manage_service_accounts"):
        raise PermissionDenied(_("Token hanya dapat dibuat oleh pemiliknya."))
    if by is not None and by.pk == user.pk and user.is_service_account:
        raise PermissionDenied(_("Token akun layanan dibuat oleh admin."))
    scopes = clean_scopes(scopes)
    name = name.strip()
    if not name:
        raise ValidationError(_("Beri nama token, misalnya nama sistem yang memakainya."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        # Locked: two requests at once never pass the limit together.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if user.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("Sudah ada %(count)d token aktif: cabut yang tidak dipakai lagi.")
                % {"count": MAX_ACTIVE_TOKENS}
            )
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=secret[:SHOWN_CHARACTERS],
            token_hash=hash_token(secret),
            scopes=scopes,
            created_by=by,
        )
        record_activity(
            actor=by,
            action="api_token.created",
            obj=user,
            note=token.name,
            data={"token": token.pk, "prefix": token.prefix, "scopes": scopes},
        )
    return token, secret


def revoke_token(token: ApiToken, *, by: User | None, admin_site: bool = False) -> bool:
    """Revoke the token at once (its next request is refused); audited. False when it was
    already revoked. Its owner revokes it, or an admin (the role; on the admin site, whose
    model permissions the site has checked: `admin_site`)."""
    if (
        by is not None
        and not admin_site
        and by.pk != token.user_id
        and not by.has_perm("agents.manage_service_accounts")
    ):
        raise PermissionDenied
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record_activity(
                actor=by,
                action="api_token.revoked",
                obj=token.user,
                note=token.name,
                data={"token": token.pk, "prefix": token.prefix},
            )
    return bool(revoked)


def token_for_secret(secret: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The active token of an active user with this secret, or None; its last-used time is
    brought up to date (at most once per LAST_USED_PRECISION)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__agent_profile")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# The roles a service account may hold: not an agency head's, which belongs to a person
# of one agency.
SERVICE_ROLES = [role for role in GRANTABLE_ROLES if role != Role.AGENCY_HEAD]


def create_service_account(
    *, username: str, name: str, email: str = "", roles=(), by: User | None
) -> User:
    """An account for another system: no password (it cannot sign in to the pages), the
    roles its integration needs (a participants sync needs the coordinator's), audited."""
    if by is not None and not by.has_perm("agents.manage_service_accounts"):
        raise PermissionDenied
    with transaction.atomic():
        user = User(username=username, name=name, email=email, is_service_account=True)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        record_activity(actor=by, action="service_account.created", obj=user, note=name)
        for role in roles:
            grant_role(user, role=role, by=by)
    return user
