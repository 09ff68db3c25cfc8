"""Invitations to set a password, and the self-service password reset's e-mail.

Both e-mails follow the outbox (docs/architecture.md): the service commits a row
(`Invitation`, `PasswordResetMail`) and publishes its mail task after the commit; the
sweep (agents.tasks.resend_unmailed_notifications) publishes again what was not
delivered. The mail task makes the link's secret when it sends: an invitation's random
token, of which only the SHA-256 is stored, or Django's stateless reset token. So no
secret is ever in the database, in the broker or in the audit log.

Neither reveals whether an address exists: the reset page answers the same for every
address (and publishes without telling the user when the broker is down), and an
invitation goes only to an account the coordinator chose.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agenplan.outbox import publish, publish_unannounced
from agenplan.site import site_url

from .models import Invitation, PasswordResetMail, User
from .services import activity_entry, record_activities, record_activity

# The mail tasks, by name: `agents.tasks` imports this module (see agenplan/outbox.py).
INVITATION_TASK = "agents.tasks.send_invitation_mail"
RESET_TASK = "agents.tasks.send_password_reset_mail"

INVITATION_VALID_DAYS = 7
# A reset e-mail not delivered within this time is no longer sent: the person has gone.
RESET_MAIL_GIVE_UP_AFTER = dt.timedelta(hours=1)
# The name of the "undang" checkbox (templates/agents/includes/invite_checkbox.html).
INVITE_FIELD = "undang"

OPEN = Q(accepted_at__isnull=True, superseded_at__isnull=True)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_requested(data) -> bool:
    """Did the form (a QueryDict or dict) tick the "undang" checkbox?"""
    return str(data.get(INVITE_FIELD, "")).lower() in {"1", "on", "true", "ya"}


# --- Inviting ---------------------------------------------------------------------------


@dataclass
class InviteResult:
    invited: list[User] = field(default_factory=list)
    resent: list[User] = field(default_factory=list)
    # (user, reason) of the accounts not invited.
    skipped: list[tuple[User, str]] = field(default_factory=list)


def refusal(user: User) -> str:
    """Why this account cannot be invited, or ""."""
    if not user.is_active:
        return str(gettext_lazy("akun tidak aktif"))
    if not user.email:
        return str(gettext_lazy("tidak ada alamat e-mail"))
    if user.password and user.has_usable_password():
        return str(gettext_lazy("sudah memiliki kata sandi (dapat memakai Lupa kata sandi)"))
    return ""


def invite_users(users, invited_by: User | None, *, base_url: str = "", now=None) -> InviteResult:
    """Invite each account to set its password: one e-mail with a link valid for
    INVITATION_VALID_DAYS, sent after the commit. An account already invited gets a new
    invitation that replaces the open one ("kirim ulang"). Accounts that are inactive,
    have no e-mail address or already have a password are skipped with the reason.

    `invited_by` is a coordinator (None only for an operator's command). Audited per
    account as "invitation.sent" or "invitation.resent".
    """
    if invited_by is not None and not invited_by.has_perm("agents.invite_users"):
        raise PermissionDenied(_("Hanya koordinator yang dapat mengundang pengguna."))
    now = now or timezone.now()
    base_url = base_url or site_url()  # the request being served, when there is one
    result = InviteResult()
    ids = sorted({user.pk for user in users})
    with transaction.atomic():
        # Locked in a fixed order: two coordinators inviting the same people at once wait
        # for each other instead of both opening an invitation.
        accounts = list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        chosen = []
        for user in accounts:
            reason = refusal(user)
            if reason:
                result.skipped.append((user, reason))
            else:
                chosen.append(user)
        if not chosen:
            return result
        open_invitations = Invitation.objects.filter(OPEN, user__in=chosen)
        replaced = set(open_invitations.values_list("user_id", flat=True))
        open_invitations.update(superseded_at=now)
        invitations = Invitation.objects.bulk_create(
            [
                Invitation(
                    user=user,
                    invited_by=invited_by,
                    created_at=now,
                    expires_at=now + dt.timedelta(days=INVITATION_VALID_DAYS),
                    base_url=base_url[:200],
                )
                for user in chosen
            ]
        )
        entries = []
        for user, invitation in zip(chosen, invitations, strict=True):
            resent = user.pk in replaced
            (result.resent if resent else result.invited).append(user)
            entries.append(
                activity_entry(
                    actor=invited_by,
                    action="invitation.resent" if resent else "invitation.sent",
                    obj=user,
                    data={"invitation_id": invitation.pk, "email": user.email},
                    at=now,
                )
            )
            transaction.on_commit(lambda pk=invitation.pk: publish_invitation(pk))
        record_activities(entries)
    return result


def publish_invitation(invitation_id: int) -> bool:
    if not publish(INVITATION_TASK, invitation_id=invitation_id):
        return False
    Invitation.objects.filter(pk=invitation_id).update(mail_published_at=timezone.now())
    return True


def _locked_with_user(model, pk: int):
    """The outbox row `pk` of `model` with its user, locked until the transaction ends."""
    return model.objects.select_for_update().select_related("user").filter(pk=pk).first()


def deliver_invitation(invitation_id: int) -> bool:
    """Make the link's secret and mail the invitation, once; True when this call sent it."""
    now = timezone.now()
    with transaction.atomic():
        invitation = _locked_with_user(Invitation, invitation_id)
        if invitation is None or invitation.emailed_at is not None:
            return False
        user = invitation.user
        if not (is_open(invitation, now) and user.is_active and user.email):
            return False
        token = secrets.token_urlsafe(32)
        invitation.token_hash = hash_token(token)
        base = site_url() or invitation.base_url
        context = {
            "user": user,
            "link": f"{base}{reverse('invitation_accept', args=[token])}",
            "expires_at": invitation.expires_at,
            "days": INVITATION_VALID_DAYS,
            "bureau_name": settings.AGENPLAN_BUREAU_NAME,
            "government_name": settings.AGENPLAN_GOVERNMENT_NAME,
        }
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("[AgenPlan] Undangan: atur kata sandi Anda")
            body = render_to_string("agents/mail/invitation.txt", context)
        # Handed to the backend inside the lock, as agents.notifications.deliver_mail.
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        invitation.emailed_at = now
        invitation.save(update_fields=["token_hash", "emailed_at"])
    return True


def is_open(invitation: Invitation, now: dt.datetime) -> bool:
    """Is the invitation neither accepted, replaced nor expired at `now`?"""
    return (
        invitation.accepted_at is None
        and invitation.superseded_at is None
        and invitation.expires_at > now
    )


# --- Accepting --------------------------------------------------------------------------


class InvitationError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def invitation_for_token(token: str, *, now=None) -> Invitation:
    """The open invitation whose link carries `token`, or InvitationError saying why not."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=hash_token(token)).first()
        if token
        else None
    )
    if invitation is None or not invitation.user.is_active:
        raise InvitationError(
            gettext_lazy(
                "Tautan undangan ini tidak dikenal. Pastikan tautan dari e-mail tersalin "
                "lengkap, atau minta Biro Organisasi mengirim undangan baru."
            )
        )
    if invitation.accepted_at is not None:
        raise InvitationError(
            gettext_lazy(
                "Tautan undangan ini sudah dipakai. Masuk dengan kata sandi Anda, atau pakai "
                "Lupa kata sandi bila Anda tidak mengingatnya."
            )
        )
    if invitation.superseded_at is not None:
        raise InvitationError(
            gettext_lazy(
                "Tautan undangan ini sudah diganti oleh undangan yang lebih baru. Pakai "
                "tautan dari e-mail undangan terakhir."
            )
        )
    if invitation.expires_at <= now:
        raise InvitationError(
            gettext_lazy(
                "Tautan undangan ini sudah kedaluwarsa (berlaku 7 hari). Minta Biro "
                "Organisasi mengirim ulang undangan."
            )
        )
    return invitation


def accept_invitation(token: str, *, password: str, now=None) -> User:
    """Set the invited account's password and end the invitation (single use); audited
    as "invitation.accepted". `password` was checked by the form's validators."""
    now = now or timezone.now()
    with transaction.atomic():
        found = invitation_for_token(token, now=now)
        # Again under the row lock: two tabs submitting the same link set one password.
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        if not is_open(invitation, now):
            invitation_for_token(token, now=now)  # raises with the reason
        user = found.user
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
        record_activity(
            actor=user,
            action="invitation.accepted",
            obj=user,
            data={"invitation_id": invitation.pk},
            at=now,
        )
    return user


# --- Password reset ---------------------------------------------------------------------


def reset_accounts(email: str):
    """The active accounts of an address (any letter case), also those that never set a
    password: a person who lost the invitation sets one this way."""
    return User.objects.filter(is_active=True, email__iexact=email.strip())


def request_password_reset(email: str, *, base_url: str = "", language: str = "") -> int:
    """Mail a reset link to every active account of `email`, after the commit; nothing
    for an unknown address. Audited per account ("password_reset.requested"). Returns
    how many mails were queued (never shown: the page is the same for every address)."""
    now = timezone.now()
    with transaction.atomic():
        rows = [
            PasswordResetMail(user=user, created_at=now, base_url=base_url, language=language)
            for user in reset_accounts(email)
            if user.email
        ]
        if not rows:
            return 0
        PasswordResetMail.objects.bulk_create(rows)
        record_activities(
            [
                activity_entry(actor=None, action="password_reset.requested", obj=row.user, at=now)
                for row in rows
            ]
        )
        for row in rows:
            transaction.on_commit(lambda pk=row.pk: publish_password_reset(pk))
    return len(rows)


def publish_password_reset(reset_id: int) -> bool:
    # Unannounced: "the e-mail will follow" would tell that the address has an account.
    if not publish_unannounced(RESET_TASK, reset_id=reset_id):
        return False
    PasswordResetMail.objects.filter(pk=reset_id).update(mail_published_at=timezone.now())
    return True


def deliver_password_reset(reset_id: int) -> bool:
    """Mail the reset link, once; True when this call sent it."""
    now = timezone.now()
    with transaction.atomic():
        row = _locked_with_user(PasswordResetMail, reset_id)
        if row is None or row.emailed_at is not None:
            return False
        user = row.user
        if not user.is_active or not user.email or now - row.created_at > RESET_MAIL_GIVE_UP_AFTER:
            return False
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        base = site_url() or row.base_url
        context = {
            "user": user,
            "link": f"{base}{path}",
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        with translation.override(row.language or user.language or settings.LANGUAGE_CODE):
            subject = _("[AgenPlan] Atur ulang kata sandi")
            body = render_to_string("agents/mail/password_reset.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        row.emailed_at = now
        row.save(update_fields=["emailed_at"])
    return True


def complete_password_reset(user: User, *, now=None) -> None:
    """After a reset set the password: end the account's open invitation (its address
    is proven, the password is set) and audit "password_reset.completed"."""
    now = now or timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(OPEN, user=user).update(accepted_at=now)
        record_activity(actor=user, action="password_reset.completed", obj=user, at=now)


# --- The outbox sweep -------------------------------------------------------------------


def republish_unmailed(*, now=None) -> int:
    """Publish again the invitations and reset e-mails not delivered (agents.tasks)."""
    now = now or timezone.now()
    again = now - dt.timedelta(seconds=settings.AGENPLAN_OUTBOX_REPUBLISH_AFTER_SECONDS)
    due = Q(mail_published_at__isnull=True) | Q(mail_published_at__lt=again)
    settled = now - dt.timedelta(seconds=5)
    invitations = (
        Invitation.objects.filter(
            OPEN, due, emailed_at__isnull=True, expires_at__gt=now, created_at__lt=settled
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    resets = (
        PasswordResetMail.objects.filter(
            due,
            emailed_at__isnull=True,
            created_at__gte=now - RESET_MAIL_GIVE_UP_AFTER,
            created_at__lt=settled,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    published = sum(1 for pk in list(invitations) if publish_invitation(pk))
    return published + sum(1 for pk in list(resets) if publish_password_reset(pk))
