"""Sign in and out, password change, and `/`: the way to the home page of the user's role."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from .context_processors import role_home
from .forms import LoginForm
from .selectors import ordered_roles, programme_contacts


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


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm

    def form_valid(self, form):
        """Sign in; then use the person's language unless this browser already chose one."""
        response = super().form_valid(form)
        language = form.get_user().language
        if (
            language
            and language in dict(settings.LANGUAGES)
            and settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES
        ):
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
        return response


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
    from .notifications import recent_for

    return render(
        request, "includes/notifications_list.html", {"notifications": recent_for(request.user)}
    )


@login_required
@require_GET
def notifications_badge(request):
    """The bell with the unread count: loaded by htmx after the page, so that the count
    costs every page nothing (one query here)."""
    from .notifications import unread_count

    # Rendered without the request's context processors: they would cost queries.
    return HttpResponse(
        render_to_string("includes/notifications_bell.html", {"unread": unread_count(request.user)})
    )


@login_required
@require_POST
def notifications_read(request):
    """Mark one notification (`notification`) or all as read; go to its link if any."""
    from .models import Notification
    from .notifications import mark_read

    raw = request.POST.get("notification", "")
    if raw.isdigit():
        mark_read(request.user, notification_id=int(raw))
        target = Notification.objects.filter(recipient=request.user, pk=int(raw)).first()
        if target is not None and target.url.startswith("/"):
            return redirect(target.url)
    else:
        mark_read(request.user)
    return redirect("notifications")
