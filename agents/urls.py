"""Account URLs. Not namespaced: settings name them (LOGIN_URL = "login", "home")."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "akun/kata-sandi/selesai/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("notifikasi/", views.notifications, name="notifications"),
    path("notifikasi/lencana/", views.notifications_badge, name="notifications_badge"),
    path("notifikasi/baca/", views.notifications_read, name="notifications_read"),
    path("jejak-audit/", views.audit_log, name="audit"),
    path("jejak-audit/unduh/", views.audit_export, name="audit_export"),
]
