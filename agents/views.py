"""Sign in and out, password change, and `/`: the way to the home page of the user's role."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from agenplan.ratelimit import rate_limited

from . import sessions
from .audit_export import AUDIT_EXPORT_MAX_ROWS, audit_workbook
from .context_processors import role_home
from .forms import AuditFilterForm, LoginForm
from .models import Notification, User
from .notifications import mark_read, recent_for, unread_count
from .selectors import audit_entries, audit_models, ordered_roles, programme_contacts
from .services import record_audit_export


@login_required
@require_GET
def home(request):
    """Send the user to the home of their first role; without a role, say whom to ask."""
    roles = ordered_roles(request.user)
    if roles:
        return redirect(role_home(roles[0]))
    return render(
        request,
        "agents/no_role.html",
        {"contacts": programme_contacts(), "bureau_name": settings.AGENPLAN_BUREAU_NAME},
    )


@method_decorator(rate_limited("login", methods=("POST",)), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm

    def form_valid(self, form):
        """Sign in; then use the person's language unless this browser already chose one."""
        response = super().form_valid(form)
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES:
            remember_language(response, form.get_user().language)
        return response


def set_language(request):
    """The language switch (Django's `set_language`); for a signed-in person the choice
    is also saved on the profile, so that their next sign-in anywhere applies it."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and language != user.language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return response


def remember_language(response, language: str) -> None:
    """Make `language` this browser's language (Django's language cookie)."""
    if language and language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the user menu's "Keluar" is a form."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# --- Notifications (the bell) ---------------------------------------------------------------


@login_required
@require_GET
def notifications(request):
    """The user's latest notifications, newest first."""
    return render(
        request, "includes/notifications_list.html", {"notifications": recent_for(request.user)}
    )


@login_required
@require_GET
def notifications_badge(request):
    """The bell with the unread count: loaded by htmx after the page, so that the count
    costs every page nothing (one query here)."""
    # Rendered without the request's context processors: they would cost queries.
    return HttpResponse(
        render_to_string("includes/notifications_bell.html", {"unread": unread_count(request.user)})
    )


@login_required
@require_POST
def notifications_read(request):
    """Mark one notification (`notification`) or all as read; go to its link if any."""

    raw = request.POST.get("notification", "")
    if raw.isdigit():
        mark_read(request.user, notification_id=int(raw))
        target = Notification.objects.filter(recipient=request.user, pk=int(raw)).first()
        if target is not None and target.url.startswith("/"):
            return redirect(target.url)
    else:
        mark_read(request.user)
    return redirect("notifications")


# --- The audit log ------------------------------------------------------------------------

AUDIT_PER_PAGE = 50


def _audit_filters(request):
    form = AuditFilterForm(request.GET or None, models=audit_models())
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters


@login_required
@permission_required("agents.view_audit_log", raise_exception=True)
@require_GET
def audit_log(request):
    """ "Jejak audit": who did what, when, to which object; filtered and paginated."""
    form, filters = _audit_filters(request)
    page = Paginator(audit_entries(filters), AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "agents/audit.html",
        {
            "form": form,
            "page": page,
            "query_string": params.urlencode(),
            "export_limit": AUDIT_EXPORT_MAX_ROWS,
        },
    )


@login_required
@permission_required("agents.view_audit_log", raise_exception=True)
@require_GET
def audit_export(request):
    """The filtered list as XLSX (the newest AUDIT_EXPORT_MAX_ROWS); the export is audited."""
    form, filters = _audit_filters(request)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('audit')}?{request.GET.urlencode()}")
    content = audit_workbook(audit_entries(filters))
    record_audit_export(filters, by=request.user)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="jejak-audit-{stamp}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The session's clock (static/js/session.js) ---------------------------------------------


def _session_headers(request, response: HttpResponse) -> HttpResponse:
    """What a page needs to carry on: seconds left, who is signed in, the CSRF token
    (signing in again changes it, and a page opened before must send the new one)."""
    response["X-Session-Remaining"] = str(sessions.remaining_seconds(request.session))
    response["X-Session-User"] = str(request.user.pk)
    response["X-CSRF-Token"] = get_token(request)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def session_status(request):
    """204 with the session's remaining seconds; 401 when there is no session. Pages ask
    with the passive header, so asking does not keep the session alive."""
    if not request.user.is_authenticated:
        return sessions.session_expired_response()
    return _session_headers(request, HttpResponse(status=204))


@require_POST
def session_keepalive(request):
    """Count "Tetap masuk" as activity now."""
    if not request.user.is_authenticated:
        return sessions.session_expired_response()
    sessions.mark_active(request.session)
    return _session_headers(request, HttpResponse(status=204))


@login_required
@require_GET
def session_restored(request):
    """Where signing in again from a page whose session had ended lands (in a new tab):
    the page in the first tab hears of it and saves what was waiting."""
    return render(request, "agents/session_restored.html")
