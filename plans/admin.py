from django.contrib import admin

from agents.admin import ModelPermissionAdmin

from .models import (
    ActionPlan,
    Activity,
    Attachment,
    ChangeAgentRole,
    ChangeArea,
    Comment,
    CommentThread,
    CoreValue,
    Cycle,
    GovernorMission,
    PlanVersion,
    Target,
    TargetProgress,
)


@admin.register(ChangeArea)
class ChangeAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "framework", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(CoreValue)
class CoreValueAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "meaning", "order"]


@admin.register(ChangeAgentRole)
class ChangeAgentRoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "meaning", "order"]


@admin.register(GovernorMission)
class GovernorMissionAdmin(admin.ModelAdmin):
    list_display = ["period", "number", "text", "is_active"]
    list_filter = ["period", "is_active"]


@admin.register(Cycle)
class CycleAdmin(ModelPermissionAdmin):
    list_display = ["name", "year", "drafting_opens", "submission_deadline", "reviewers_per_plan"]
    search_fields = ["name", "code"]


class ActivityInline(admin.TabularInline):
    model = Activity
    extra = 0


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(ModelPermissionAdmin):
    list_display = ["title", "agency", "owner", "cycle", "state", "score", "updated_at"]
    list_filter = ["cycle", "state", "agency__kind"]
    search_fields = ["title", "owner__user__name", "agency__name"]
    list_select_related = ["agency", "owner__user", "cycle"]
    raw_id_fields = ["owner", "co_agents", "endorsed_by"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["state", "lock_version", "score", "review_flagged", "submitted_at"]
    inlines = [ActivityInline, TargetInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "created_by", "created_at"]
    raw_id_fields = ["plan"]
    readonly_fields = ["plan", "number", "snapshot", "created_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0


@admin.register(CommentThread)
class CommentThreadAdmin(admin.ModelAdmin):
    list_display = ["plan", "section", "started_by", "resolved_at", "last_comment_at"]
    raw_id_fields = ["plan", "activity", "target"]
    inlines = [CommentInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "plan", "content_type", "size", "uploaded_at"]
    raw_id_fields = ["plan"]


@admin.register(TargetProgress)
class TargetProgressAdmin(admin.ModelAdmin):
    list_display = ["target", "reported_on", "value", "reported_by"]
    raw_id_fields = ["target"]
