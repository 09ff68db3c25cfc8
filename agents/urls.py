"""Account URLs. Not namespaced: settings name them (LOGIN_URL = "login", "home")."""

from django.urls import path

from . import account_views, security_views, service_account_views, token_views, views

urlpatterns = [
    path("", views.home, name="home"),
    # Django's language switch; a signed-in person's choice is also kept on the profile.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "akun/kata-sandi/selesai/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "akun/lupa-kata-sandi/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "akun/lupa-kata-sandi/terkirim/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "akun/lupa-kata-sandi/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "akun/lupa-kata-sandi/selesai/",
        account_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "akun/undangan/<str:token>/",
        account_views.invitation_accept,
        name="invitation_accept",
    ),
    path("koordinator/undangan/", account_views.invitations, name="invitations"),
    path(
        "pengelola/akun-layanan/",
        service_account_views.service_accounts,
        name="service_accounts",
    ),
    path(
        "pengelola/akun-layanan/token/<int:pk>/cabut/",
        service_account_views.service_account_token_revoke,
        name="service_account_token_revoke",
    ),
    path("koordinator/undangan/kirim/", account_views.invitations_send, name="invitations_send"),
    path("akun/profil/", account_views.profile, name="profile"),
    path("akun/profil/kalender/", account_views.calendar_reset, name="calendar_reset"),
    path("akun/profil/token/", token_views.api_token_create, name="api_token_create"),
    path(
        "akun/profil/token/<int:pk>/cabut/",
        token_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("akun/keamanan/", security_views.security, name="security"),
    path("akun/keamanan/aktifkan/", security_views.enrol, name="two_factor_enrol"),
    path(
        "akun/keamanan/kode-pemulihan/",
        security_views.renew_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("akun/keamanan/matikan/", security_views.disable, name="two_factor_disable"),
    path("akun/verifikasi/", security_views.verify, name="two_factor_verify"),
    path("akun/sesi/", views.session_status, name="session_status"),
    path("akun/sesi/tetap/", views.session_keepalive, name="session_keepalive"),
    path("akun/sesi/kembali/", views.session_restored, name="session_restored"),
    path("notifikasi/", views.notifications, name="notifications"),
    path("notifikasi/lencana/", views.notifications_badge, name="notifications_badge"),
    path("notifikasi/baca/", views.notifications_read, name="notifications_read"),
    path("jejak-audit/", views.audit_log, name="audit"),
    path("jejak-audit/unduh/", views.audit_export, name="audit_export"),
]
