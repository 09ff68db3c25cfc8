from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    # The reviewer
    path("penilaian/", views.queue, name="queue"),
    path("penilaian/rencana/<int:pk>/", views.review, name="review"),
    path("penilaian/konflik/", views.conflicts, name="conflicts"),
    path("penilaian/konflik/hapus/", views.conflict_withdraw, name="conflict_withdraw"),
    # The coordinator (Biro Organisasi)
    path("koordinator/", views.board, name="board"),
    path("koordinator/siklus/", views.cycles, name="cycles"),
    path("koordinator/siklus/baru/", views.cycle_create, name="cycle_create"),
    path("koordinator/siklus/ubah/", views.cycle_edit, name="cycle_edit"),
    path("koordinator/siklus/salin/", views.cycle_clone, name="cycle_clone"),
    path("koordinator/instrumen/", views.rubric, name="rubric"),
    path("koordinator/peserta/", views.participants, name="participants"),
    path("koordinator/peserta/impor/", views.participants_confirm, name="participants_confirm"),
    path("koordinator/penugasan/", views.assignments, name="assignments"),
    path("koordinator/penugasan/otomatis/", views.auto_assign, name="auto_assign"),
    path("koordinator/penugasan/status/", views.assignment_run, name="assignment_run"),
    path("koordinator/rencana/<int:pk>/", views.plan_reviews, name="plan"),
    path("koordinator/rencana/<int:pk>/tugaskan/", views.assign, name="assign"),
    path("koordinator/rencana/<int:pk>/lepas/", views.release, name="release"),
    path("koordinator/rencana/<int:pk>/buka/", views.reopen, name="reopen"),
    path("koordinator/rencana/<int:pk>/keputusan/", views.decide, name="decide"),
    path("koordinator/keputusan/", views.decisions, name="decisions"),
    path("koordinator/keputusan/massal/", views.bulk_decide, name="bulk_decide"),
    path("koordinator/kalibrasi/", views.calibration, name="calibration"),
    # The plan's agents (and whoever may see the plan)
    path("rencana/<int:pk>/hasil-penilaian/", views.feedback, name="feedback"),
]
