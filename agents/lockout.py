"""The sign-in lock's page and audit (django-axes calls in here, see settings).

A lock holds one username from one address (AXES_LOCKOUT_PARAMETERS): the page says so,
and says when the person may try again or whom to ask to unlock sooner.
"""

import math

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import LoginForm
from .services import record_sign_in_lock, record_sign_in_lock_expired


def cooloff_minutes() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    return max(1, math.ceil(cooloff.total_seconds() / 60)) if cooloff else 0


def lockout_message() -> str:
    minutes = cooloff_minutes()
    if minutes:
        return _(
            "Masuk dikunci sementara: terlalu banyak percobaan yang gagal untuk nama pengguna "
            "ini dari alamat ini. Coba lagi setelah %(minutes)s menit, atau minta admin Biro "
            "Organisasi membuka kuncinya."
        ) % {"minutes": minutes}
    return _(
        "Masuk dikunci: terlalu banyak percobaan yang gagal untuk nama pengguna ini dari "
        "alamat ini. Minta admin Biro Organisasi membuka kuncinya."
    )


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with the lock explained above the form; status 429."""
    username = request.POST.get("username", "") if request.method == "POST" else ""
    response = render(
        request,
        "registration/login.html",
        {
            "form": LoginForm(request, initial={"username": username[:150]}),
            "next": request.POST.get("next", "") or request.GET.get("next", ""),
            "lockout_message": lockout_message(),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cooloff_minutes():
        response["Retry-After"] = str(cooloff_minutes() * 60)
    return response


@receiver(user_locked_out, dispatch_uid="agents_audit_sign_in_lock")
def audit_sign_in_lock(sender, request=None, username=None, ip_address=None, **kwargs):
    """Audit the moment a pair becomes locked (not every refused try while it is)."""
    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return
    record_sign_in_lock(username=username, ip_address=ip_address)


@receiver(post_delete, sender=AccessAttempt, dispatch_uid="agents_audit_sign_in_lock_expired")
def audit_sign_in_lock_expired(sender, instance, **kwargs):
    """django-axes deletes the attempts whose cool-off has passed: a lock among them ended
    by itself, and the audit says so (an admin's early unlock is audited by the service)."""
    record_sign_in_lock_expired(instance)
