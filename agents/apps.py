from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = _("Pengguna dan agen perubahan")

    def ready(self):
        # The admin (first in INSTALLED_APPS) has registered every ModelAdmin by now.
        from django.contrib import admin  # noqa: PLC0415 - after the admin

        from .admin_audit import audit_admin_site  # noqa: PLC0415 - needs loaded models

        audit_admin_site(admin.site)
        # Connect the receivers (the sign-in lock's audit, the session clock's start, what
        # a new session owes of two-factor sign-in) and register the app's tasks in every
        # process, since services publish them by name.
        from . import lockout, sessions, tasks, two_factor  # noqa: F401, PLC0415 - after ready
