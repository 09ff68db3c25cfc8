"""Getting into an account: the invitation's link, "lupa kata sandi" (Django's reset
views on the site's templates), and the coordinator's page of accounts awaiting their
password, with the invitations sent and resent from it; and a person's own profile."""

import copy
import hashlib

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import activate, get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from agenplan.ratelimit import hit, rate_limited, too_many_requests
from agenplan.site import absolute_url, site_url

from .forms import (
    ApiTokenForm,
    InvitationFilterForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    ProfileForm,
)
from .invitations import (
    INVITATION_VALID_DAYS,
    InvitationError,
    accept_invitation,
    complete_password_reset,
    invitation_for_token,
    invite_users,
    request_password_reset,
)
from .models import User
from .selectors import accounts_awaiting_password
from .services import reset_calendar_token, update_profile
from .views import remember_language

# --- Lupa kata sandi ----------------------------------------------------------------------


@method_decorator(rate_limited("password_reset", methods=("POST",)), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a link by e-mail. Every address gets the same answer; requests are
    limited per client address (the decorator) and per e-mail address asked for."""

    template_name = "registration/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        retry_after = hit("password_reset", "email:" + hashlib.sha256(email.encode()).hexdigest())
        if retry_after:
            return too_many_requests(self.request, retry_after)
        request_password_reset(email, base_url=site_url(self.request), language=get_language())
        return redirect(self.success_url)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        complete_password_reset(form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# --- The invitation's link ----------------------------------------------------------------

INVITATION_SESSION_KEY = "_agenplan_invitation_token"
# The link's secret is moved into the session and the address bar shows this instead, so
# that the secret is not left in the history or sent on in a Referer (as Django's reset).
SET_PASSWORD_URL_TOKEN = "atur-kata-sandi"  # noqa: S105 - a path segment, not a secret


@never_cache
@rate_limited("login", methods=("POST",))
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Set the password of the invited account, once."""
    if token != SET_PASSWORD_URL_TOKEN:
        request.session[INVITATION_SESSION_KEY] = token
        return redirect("invitation_accept", token=SET_PASSWORD_URL_TOKEN)
    secret = request.session.get(INVITATION_SESSION_KEY, "")
    try:
        invitation = invitation_for_token(secret)
    except InvitationError as error:
        return render(request, "agents/invitation_invalid.html", {"message": error.message})
    form = NewPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accept_invitation(secret, password=form.cleaned_data["new_password1"])
        except InvitationError as error:
            return render(request, "agents/invitation_invalid.html", {"message": error.message})
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(
            request,
            _("Kata sandi tersimpan. Silakan masuk dengan nama pengguna %(username)s.")
            % {"username": user.get_username()},
        )
        return redirect("login")
    return render(
        request,
        "agents/invitation_accept.html",
        {"form": form, "invited": invitation.user, "invitation": invitation},
    )


# --- The coordinator's page -----------------------------------------------------------------

INVITATIONS_PER_PAGE = 50


@login_required
@permission_required("agents.invite_users", raise_exception=True)
@require_GET
def invitations(request):
    """Accounts that cannot sign in yet: not invited, invited (until when), expired."""
    form = InvitationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(accounts_awaiting_password(filters), INVITATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "agents/invitations.html",
        {"form": form, "page": page, "days": INVITATION_VALID_DAYS},
    )


@login_required
@permission_required("agents.invite_users", raise_exception=True)
@require_POST
def invitations_send(request):
    """Invite (or invite again) the ticked accounts."""
    ids = {int(raw) for raw in request.POST.getlist("user")[:1000] if raw.isdigit()}
    if not ids:
        messages.error(request, _("Pilih minimal satu akun untuk diundang."))
        return redirect("invitations")
    result = invite_users(User.objects.filter(pk__in=ids), request.user, base_url=site_url(request))
    sent = len(result.invited) + len(result.resent)
    if sent:
        messages.success(
            request,
            ngettext(
                "%(count)s undangan dikirim (%(resent)s di antaranya kiriman ulang).",
                "%(count)s undangan dikirim (%(resent)s di antaranya kiriman ulang).",
                sent,
            )
            % {"count": sent, "resent": len(result.resent)},
        )
    for user, reason in result.skipped:
        messages.warning(
            request, _("%(name)s tidak diundang: %(reason)s.") % {"name": user, "reason": reason}
        )
    # Back to the same filters and page.
    query = QueryDict(request.POST.get("query", "")[:500]).urlencode()
    return redirect(f"{reverse('invitations')}?{query}" if query else reverse("invitations"))


# --- The profile ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """Name, e-mail, telephone, which e-mails to receive and the language."""
    # The form works on a copy: the person's own object keeps the values from before.
    form = ProfileForm(request.POST or None, instance=copy.copy(request.user))
    if request.method == "POST" and form.is_valid():
        changed = update_profile(
            request.user,
            changes={name: form.cleaned_data[name] for name in form.changed_data},
            by=request.user,
        )
        if "language" in changed:
            activate(request.user.language)
        messages.success(request, _("Profil tersimpan."))
        response = redirect("profile")
        remember_language(response, request.user.language)
        return response
    return render_profile(request, form=form)


def render_profile(request, *, form=None, token_form=None, new_token=None, status=200, **extra):
    """The profile page: the person's details form, and their API tokens with the form
    that makes a new one (`new_token`: a token just made, whose secret is shown once)."""
    context = {
        "form": form or ProfileForm(instance=copy.copy(request.user)),
        "token_form": token_form or ApiTokenForm(),
        "api_tokens": request.user.api_tokens.filter(revoked_at__isnull=True),
        "new_token": new_token,
        **extra,
    }
    return render(request, "agents/profile.html", context, status=status)


@login_required
@require_POST
def calendar_reset(request):
    """A new secret address for the person's calendar of deadlines, shown on the profile
    this once (only its hash is kept); the old address stops working."""
    token = reset_calendar_token(request.user, by=request.user)
    url = absolute_url(reverse("assessment:calendar", args=[token]), request)
    messages.success(
        request, _("Alamat kalender baru sudah dibuat; alamat lama tidak berlaku lagi.")
    )
    response = render_profile(request, calendar_url=url)
    response["Cache-Control"] = "no-store"
    return response
