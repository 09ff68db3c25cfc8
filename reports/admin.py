from django.contrib import admin

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "requested_by", "status", "progress", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["requested_by"]
