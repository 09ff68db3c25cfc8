"""Two-factor sign-in: a code from an authenticator app (TOTP, django-otp) after the
password, and ten single-use recovery codes for a lost phone.

Anyone may turn it on; whoever has it gives a code after every password sign-in. Holders
of the roles in AGENPLAN_REQUIRE_2FA_FOR ("admin" also covers staff and superusers, who
reach the Django admin) must turn it on before any page opens. What a session still owes
is decided once, when it signs in, and kept in the session (`STATE_KEY`): the
middleware then costs no query on the pages of people without two-factor sign-in.

Wrong codes slow down: django-otp makes each device wait 1, 2, 4, 8 … seconds after
consecutive failures, so six digits cannot be tried through.
"""

import base64
import io
from urllib.parse import quote

import qrcode
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import DatabaseError, InterfaceError, transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .enums import Role
from .models import User
from .selectors import roles_of
from .services import record_activity

STATE_KEY = "agenplan_2fa"
VERIFY = "verify"  # has a device: must give a code
ENROL = "enrol"  # must have a device and has none: must turn it on
TOTP_NAME = "authenticator"
STATIC_NAME = "recovery"
# Pages a session that still owes a code may open.
OPEN_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "two_factor_verify",
        "two_factor_enrol",
        "session_status",
        "session_keepalive",
        "healthz",
        "report_jobs:verify",
    }
)


class TwoFactorError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def requires_two_factor(user: User) -> bool:
    """Must this person have two-factor sign-in (AGENPLAN_REQUIRE_2FA_FOR)?"""
    required = set(settings.AGENPLAN_REQUIRE_2FA_FOR)
    if not required or not user.is_authenticated:
        return False
    if Role.ADMIN in required and (user.is_staff or user.is_superuser):
        return True
    return bool(required & set(roles_of(user)))


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def owed_state(user: User) -> str:
    """What a new session of `user` owes: VERIFY, ENROL or nothing ("")."""
    if confirmed_totp(user) is not None:
        return VERIFY
    if requires_two_factor(user):
        return ENROL
    return ""


@receiver(user_logged_in, dispatch_uid="agents_two_factor_state")
def remember_owed_state(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[STATE_KEY] = owed_state(user)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=STATIC_NAME).count()


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as a PNG data URI (the page's policy allows data: images)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for an app without a camera."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:32]


# --- Services ----------------------------------------------------------------------------


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being set up (not yet confirmed by a code); one per person."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=STATIC_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.AGENPLAN_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def enable_two_factor(request, *, code: str) -> list[str]:
    """Confirm the pending authenticator with its current code; the session counts as
    verified. Returns the recovery codes, which are shown this once and never again."""
    user = request.user
    device = pending_device(user)
    if not device.verify_token(normalise(code)):
        raise TwoFactorError(
            _("Kode salah atau sudah kedaluwarsa. Masukkan 6 angka yang sedang tampil di aplikasi.")
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record_activity(actor=user, action="two_factor_enabled", obj=user)
    otp_login(request, device)
    request.session[STATE_KEY] = VERIFY
    return codes


def verify_second_factor(request, *, code: str) -> str:
    """Check a code from the app or a recovery code (used up); the session counts as
    verified. Returns "totp" or "recovery"."""
    user = request.user
    token = normalise(code)
    devices = [
        ("totp", confirmed_totp(user)),
        ("recovery", StaticDevice.objects.filter(user=user, name=STATIC_NAME).first()),
    ]
    throttled = False
    for kind, device in devices:
        if device is None:
            continue
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if device.verify_token(token):
            otp_login(request, device)
            if kind == "recovery":
                record_activity(actor=user, action="recovery_code_used", obj=user)
            return kind
    if throttled:
        raise TwoFactorError(
            _("Terlalu banyak kode yang salah. Tunggu beberapa detik, lalu coba lagi.")
        )
    raise TwoFactorError(
        _("Kode salah, sudah kedaluwarsa, atau kode pemulihan itu sudah pernah dipakai.")
    )


def renew_recovery_codes(request) -> list[str]:
    user = request.user
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record_activity(actor=user, action="recovery_codes_renewed", obj=user)
    return codes


def disable_two_factor(request, *, code: str) -> None:
    """Turn two-factor sign-in off, confirmed by a current code; not for those who
    must have it."""
    user = request.user
    if requires_two_factor(user):
        raise TwoFactorError(
            _("Verifikasi dua langkah wajib untuk peran Anda dan tidak dapat dimatikan.")
        )
    verify_second_factor(request, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record_activity(actor=user, action="two_factor_disabled", obj=user)
    request.session[STATE_KEY] = ""


# --- Middleware -----------------------------------------------------------------------------


class TwoFactorMiddleware:
    """After OTPMiddleware: a session that owes a code (or an authenticator) opens only
    the pages to give it; every other page, the Django admin included, sends it there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            if not request.user.is_authenticated:
                return None
            state = request.session.get(STATE_KEY)
            if state is None:  # a session from before two-factor sign-in: decide now
                state = request.session[STATE_KEY] = owed_state(request.user)
            if not state or request.user.is_verified():
                return None
        except (DatabaseError, InterfaceError):
            return None  # the view meets the same outage and answers it (a 503 page)
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_URL_NAMES:
            return None
        target = reverse("two_factor_verify" if state == VERIFY else "two_factor_enrol")
        return redirect(f"{target}?next={quote(request.get_full_path())}")
