from django.contrib import admin

from agents.admin import ModelPermissionAdmin

from .models import (
    AssignmentRun,
    ConflictOfInterest,
    Criterion,
    CriterionLevel,
    CriterionScore,
    Decision,
    DecisionRun,
    Review,
    ReviewAssignment,
    Rubric,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["name", "cycle", "created_at"]
    inlines = [CriterionInline]


class CriterionLevelInline(admin.TabularInline):
    model = CriterionLevel
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "weight", "rubric", "order"]
    list_filter = ["rubric"]
    inlines = [CriterionLevelInline]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["reviewer", "agency", "agent", "reason"]
    raw_id_fields = ["reviewer", "agent"]


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ModelPermissionAdmin):
    list_display = ["plan", "reviewer", "due_date", "is_active"]
    list_filter = ["is_active"]
    raw_id_fields = ["plan", "reviewer", "assigned_by"]


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    extra = 0


@admin.register(Review)
class ReviewAdmin(ModelPermissionAdmin):
    list_display = ["assignment", "state", "total", "submitted_at"]
    list_filter = ["state"]
    raw_id_fields = ["assignment", "version"]
    inlines = [CriterionScoreInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["plan", "outcome", "score", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["plan", "version"]


@admin.register(AssignmentRun, DecisionRun)
class BackgroundRunAdmin(admin.ModelAdmin):
    list_display = ["id", "cycle", "status", "requested_by", "requested_at", "finished_at"]
    list_filter = ["status"]
    raw_id_fields = ["requested_by"]
