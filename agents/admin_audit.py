"""Every change made in the Django admin is also written to the audit log (ActivityLog).

Django's admin keeps its own history (LogEntry), which the audit page does not read and
which a bulk deletion writes with bulk_create (no signal). So every ModelAdmin registered
on the admin site, the project's and those of Django and third-party apps alike, gets
`AuditedAdminMixin` when the apps are ready (`audit_admin_site`, called from
AgentsConfig.ready): adding, changing (a password too) and deleting through the admin
writes "admin.add", "admin.change" or "admin.delete" with the admin's own change message.
"""

from django.contrib.contenttypes.models import ContentType

from .models import ActivityLog

ACTIONS = {"add": "admin.add", "change": "admin.change", "delete": "admin.delete"}


def _entry(request, obj, what: str, message) -> ActivityLog:
    pk = obj.pk
    return ActivityLog(
        actor=request.user if getattr(request.user, "pk", None) else None,
        action=ACTIONS[what],
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        # A model whose key is not a number keeps it in `data`.
        object_id=pk if isinstance(pk, int) and pk >= 0 else 0,
        object_repr=str(obj)[:255],
        data={"model": obj._meta.label, "pk": str(pk), "change_message": message or []},
    )


class AuditedAdminMixin:
    def log_addition(self, request, obj, message):
        logged = super().log_addition(request, obj, message)
        _entry(request, obj, "add", message).save(force_insert=True)
        return logged

    def log_change(self, request, obj, message):
        logged = super().log_change(request, obj, message)
        _entry(request, obj, "change", message).save(force_insert=True)
        return logged

    def log_deletions(self, request, queryset):
        # Called before the deletion: the rows still exist.
        objects = list(queryset)
        logged = super().log_deletions(request, objects)
        ActivityLog.objects.bulk_create([_entry(request, o, "delete", []) for o in objects])
        return logged


def audit_admin_site(site) -> None:
    """Give every ModelAdmin registered on `site` the audit mixin (once)."""
    for model_admin in site._registry.values():
        cls = type(model_admin)
        if isinstance(model_admin, AuditedAdminMixin):
            continue
        model_admin.__class__ = type(f"Audited{cls.__name__}", (AuditedAdminMixin, cls), {})


def is_audited(model_admin) -> bool:
    return isinstance(model_admin, AuditedAdminMixin)
