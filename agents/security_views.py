"""Account security pages: two-factor sign-in (turn on with a QR code, give a code after
the password, recovery codes, turn off). The rules are in agents.two_factor."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode"),
        max_length=40,
        help_text=gettext_lazy(
            "6 angka dari aplikasi autentikator, atau salah satu kode pemulihan."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class EnrolForm(CodeForm):
    code = forms.CharField(
        label=gettext_lazy("Kode dari aplikasi"),
        max_length=40,
        help_text=gettext_lazy("6 angka yang sedang tampil di aplikasi autentikator."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request) -> str:
    """A page of this site to go on to (a path), else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _verified_or_free(request) -> bool:
    """May this session change its two-factor settings? Only once it gave a code, or
    when it has none to give."""
    return request.user.is_verified() or two_factor.confirmed_totp(request.user) is None


@never_cache
@login_required
def security(request):
    if not _verified_or_free(request):
        return redirect("two_factor_verify")
    user = request.user
    return render(
        request,
        "agents/security.html",
        {
            "enabled": two_factor.confirmed_totp(user) is not None,
            "required": two_factor.requires_two_factor(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "form": CodeForm(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Scan the QR code, type the app's code: on. Replacing an authenticator needs a
    verified session; a session that owes a code goes to give it first."""
    if not _verified_or_free(request):
        return redirect("two_factor_verify")
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.enable_two_factor(request, code=form.cleaned_data["code"])
        except two_factor.TwoFactorError as exc:
            form.add_error("code", exc.message)
        else:
            return render(
                request,
                "agents/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "just_enabled": True},
            )
    device = two_factor.pending_device(request.user)
    return render(
        request,
        "agents/two_factor_enrol.html",
        {
            "form": form,
            "qr": two_factor.qr_data_uri(device.config_url),
            "secret": two_factor.secret_for_typing(device),
            "required": two_factor.requires_two_factor(request.user),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in."""
    if request.user.is_verified() or two_factor.confirmed_totp(request.user) is None:
        return redirect(_next_url(request) or "home")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = two_factor.verify_second_factor(request, code=form.cleaned_data["code"])
        except two_factor.TwoFactorError as exc:
            form.add_error("code", exc.message)
        else:
            if kind == "recovery":
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    _(
                        "Anda masuk dengan kode pemulihan; tersisa %(left)s. Buat kode baru "
                        "di halaman Keamanan akun bila hampir habis."
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request) or "home")
    return render(
        request, "agents/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@login_required
@require_POST
def renew_recovery_codes(request):
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    codes = two_factor.renew_recovery_codes(request)
    return render(request, "agents/recovery_codes.html", {"codes": codes, "next": ""})


@login_required
@require_POST
def disable(request):
    if not _verified_or_free(request):
        return redirect("two_factor_verify")
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.disable_two_factor(request, code=form.cleaned_data["code"])
        except two_factor.TwoFactorError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Verifikasi dua langkah dimatikan."))
    else:
        messages.error(request, _("Masukkan kode untuk mematikan verifikasi dua langkah."))
    return redirect("security")
