"""Template context shared by every page: the government's name, the user's roles and the
sidebar navigation, one group per role the user holds (docs/domain.md, "People and roles")."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .enums import Role
from .selectors import navigation_context, ordered_roles

# Per role, its sidebar links: (URL name, label, bootstrap-icon). The first link is the
# role's home page, where `/` sends a user whose first role it is.
NAVIGATION = {
    Role.AGENT: [("plans:my_plans", _("Rencana saya"), "journal-text")],
    Role.AGENCY_HEAD: [("plans:agency_plans", _("Rencana OPD"), "building")],
    Role.REVIEWER: [
        ("assessment:queue", _("Antrean penilaian"), "clipboard-check"),
        ("assessment:conflicts", _("Konflik kepentingan"), "person-x"),
    ],
    Role.COORDINATOR: [
        ("assessment:board", _("Papan siklus"), "kanban"),
        ("assessment:assignments", _("Penugasan reviewer"), "people"),
        ("assessment:decisions", _("Keputusan"), "check2-square"),
        ("monitoring:board", _("Pemantauan pelaksanaan"), "activity"),
        ("gallery:publishable", _("Galeri inovasi"), "stars"),
        ("assessment:calibration", _("Kalibrasi reviewer"), "sliders"),
        ("assessment:cycles", _("Siklus dan instrumen"), "calendar-range"),
        ("assessment:participants", _("Impor peserta"), "person-plus"),
        ("invitations", _("Undangan akun"), "envelope"),
        ("plans:list", _("Daftar rencana"), "list-ul"),
        ("audit", _("Jejak audit"), "journal-check"),
    ],
    Role.LEADERSHIP: [
        ("reports:dashboard", _("Dashboard provinsi"), "bar-chart-line"),
        ("plans:list", _("Daftar rencana"), "list-ul"),
    ],
    Role.ADMIN: [
        ("admin:index", _("Django admin"), "gear"),
        ("service_accounts", _("Akun layanan"), "key"),
        ("audit", _("Jejak audit"), "journal-check"),
    ],
}


# Every role's reports ("Laporan saya") close its group.
for _links in NAVIGATION.values():
    _links.append(("report_jobs:list", _("Laporan saya"), "file-earmark-arrow-down"))


def role_home(role: str) -> str:
    """The URL name of a role's home page."""
    return NAVIGATION[role][0][0]


def navigation(request) -> dict:
    context = navigation_context(request)
    context["government_name"] = settings.AGENPLAN_GOVERNMENT_NAME
    context["session_idle_seconds"] = settings.AGENPLAN_SESSION_IDLE_MINUTES * 60
    context["session_warning_seconds"] = settings.AGENPLAN_SESSION_WARNING_SECONDS
    user = getattr(request, "user", None)
    groups = []
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        current = match.view_name if match else ""
        for role in ordered_roles(user):
            items = [
                {"url": reverse(name), "label": label, "icon": icon, "active": name == current}
                for name, label, icon in NAVIGATION[role]
            ]
            groups.append({"role": role, "label": Role(role).label, "items": items})
    context["nav_groups"] = groups
    return context
