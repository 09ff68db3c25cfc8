from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ActivityLog, Agent, ApiToken, RoleGrant, User
from .services import unlock_sign_in
from .tokens import revoke_token


def _report_unlocked(request, opened: int) -> None:
    messages.success(
        request,
        ngettext("%(count)d kunci masuk dibuka.", "%(count)d kunci masuk dibuka.", opened)
        % {"count": opened},
    )


class ModelPermissionAdmin(admin.ModelAdmin):
    """The admin of a model whose `<app>.<action>_<model>` names are also application rules
    (`Meta.rules_permissions`): the admin site asks Django's model permissions instead.

    `User.has_perm` sends a rule's name to the rule alone, so that no flag passes an
    application rule; the admin site is the place where the flags do count, so it checks
    the model permission through ModelBackend (a superuser holds them all; a staff account
    those given to it or its groups).
    """

    def _model_permission(self, request, action: str) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        codename = get_permission_codename(action, self.opts)
        return ModelBackend().has_perm(user, f"{self.opts.app_label}.{codename}")

    def has_view_permission(self, request, obj=None):
        return self._model_permission(request, "view") or self._model_permission(request, "change")

    def has_add_permission(self, request):
        return self._model_permission(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._model_permission(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._model_permission(request, "delete")


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["agency"]


class AgentInline(admin.StackedInline):
    model = Agent
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "name", "nip", "agency", "is_active"]
    list_filter = ["is_active", "is_staff", "is_service_account", "role_grants__role"]
    search_fields = ["username", "name", "nip", "email"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    inlines = [AgentInline, RoleGrantInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Identitas ASN"),
            {"fields": ["name", "email", "nip", "jabatan", "pangkat_golongan", "agency"]},
        ),
        (_("Preferensi"), {"fields": ["language"]}),
        (
            _("Hak akses"),
            {
                "fields": [
                    "is_active",
                    "is_service_account",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Tanggal penting"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "name", "email", "password1", "password2"]}),
    ]
    actions = ["unlock_logins"]

    @admin.action(description=_("Buka kunci masuk (percobaan gagal)"), permissions=["change"])
    def unlock_logins(self, request, queryset):
        usernames = list(queryset.values_list("username", flat=True))
        attempts = AccessAttempt.objects.filter(username__in=usernames)
        _report_unlocked(request, unlock_sign_in(attempts, by=request.user))

    def save_formset(self, request, form, formset, change):
        """Role grants are written through the services, which audit each grant, change
        and revocation; the other inlines save as usual."""
        if formset.model is not RoleGrant:
            return super().save_formset(request, form, formset, change)
        grants = formset.save(commit=False)
        for grant in formset.deleted_objects:
            services.revoke_role(grant, by=request.user)
        for grant in grants:
            services.save_role_grant(grant, by=request.user)
        formset.save_m2m()
        return None


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Failed sign-ins per username and address; deleting one unlocks it (audited)."""

    actions = ["unlock_selected"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Buka kunci masuk"), permissions=["delete"])
    def unlock_selected(self, request, queryset):
        _report_unlocked(request, unlock_sign_in(queryset, by=request.user))

    def delete_model(self, request, obj):
        unlock_sign_in(AccessAttempt.objects.filter(pk=obj.pk), by=request.user)

    def delete_queryset(self, request, queryset):
        unlock_sign_in(queryset, by=request.user)


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "from_state", "to_state"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "note", "actor__name"]
    list_select_related = ["actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens, people's and service accounts': seen and revoked here, never made here
    (a secret is shown once: `manage.py create_service_account`, or the profile page)."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["user__is_service_account", "revoked_at"]
    search_fields = ["name", "prefix", "user__username", "user__name"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "scopes",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    exclude = ["token_hash"]
    actions = ["revoke_selected"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cabut token"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = sum(revoke_token(t, by=request.user, admin_site=True) for t in queryset)
        messages.success(
            request,
            ngettext("%(count)d token dicabut.", "%(count)d token dicabut.", revoked)
            % {"count": revoked},
        )


admin.site.register(AccessLog, AccessLogAdmin)
