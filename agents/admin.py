from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ActivityLog, Agent, RoleGrant, User


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
    list_filter = ["is_active", "is_staff", "role_grants__role"]
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
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Tanggal penting"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "name", "email", "password1", "password2"]}),
    ]


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
