from django.urls import path

from .views import (
    calendar,
    coordinator,
    cycles,
    decisions,
    messages,
    participants,
    reviewer,
    self_assessment,
    tags,
)

app_name = "assessment"

urlpatterns = [
    # The reviewer
    path("penilaian/", reviewer.queue, name="queue"),
    path("penilaian/rencana/<int:pk>/", reviewer.review, name="review"),
    path("penilaian/konflik/", reviewer.conflicts, name="conflicts"),
    path("penilaian/konflik/hapus/", reviewer.conflict_withdraw, name="conflict_withdraw"),
    # The coordinator (Biro Organisasi)
    path("koordinator/", coordinator.board, name="board"),
    path("koordinator/siklus/", cycles.cycles, name="cycles"),
    path("koordinator/siklus/baru/", cycles.cycle_create, name="cycle_create"),
    path("koordinator/siklus/ubah/", cycles.cycle_edit, name="cycle_edit"),
    path("koordinator/siklus/salin/", cycles.cycle_clone, name="cycle_clone"),
    path("koordinator/instrumen/", cycles.rubric, name="rubric"),
    path("koordinator/peserta/", participants.participants, name="participants"),
    path(
        "koordinator/peserta/contoh.xlsx",
        participants.participants_example,
        name="participants_example",
    ),
    path(
        "koordinator/peserta/impor/<int:pk>/",
        participants.participant_import,
        name="participant_import",
    ),
    path(
        "koordinator/peserta/impor/<int:pk>/status/",
        participants.participant_import_status,
        name="participant_import_status",
    ),
    path(
        "koordinator/peserta/impor/<int:pk>/konfirmasi/",
        participants.participant_import_confirm,
        name="participant_import_confirm",
    ),
    path(
        "koordinator/peserta/impor/<int:pk>/ditolak.xlsx",
        participants.participant_import_refused,
        name="participant_import_refused",
    ),
    path("koordinator/penugasan/", coordinator.assignments, name="assignments"),
    path("koordinator/penugasan/otomatis/", coordinator.auto_assign, name="auto_assign"),
    path("koordinator/penugasan/status/", coordinator.assignment_run, name="assignment_run"),
    path("koordinator/rencana/<int:pk>/", coordinator.plan_reviews, name="plan"),
    path("koordinator/rencana/<int:pk>/tugaskan/", coordinator.assign, name="assign"),
    path(
        "koordinator/rencana/<int:pk>/reviewer/",
        coordinator.reviewer_choices,
        name="reviewer_choices",
    ),
    path("koordinator/rencana/<int:pk>/lepas/", coordinator.release, name="release"),
    path("koordinator/rencana/<int:pk>/buka/", coordinator.reopen, name="reopen"),
    path("koordinator/rencana/<int:pk>/keputusan/", decisions.decide, name="decide"),
    path("koordinator/keputusan/", decisions.decisions, name="decisions"),
    path("koordinator/keputusan/massal/", decisions.bulk_decide, name="bulk_decide"),
    path("koordinator/keputusan/status/", decisions.decision_run, name="decision_run"),
    path("koordinator/kalibrasi/", coordinator.calibration, name="calibration"),
    path("koordinator/label/", tags.tags, name="tags"),
    path("koordinator/label/hapus/", tags.tag_delete, name="tag_delete"),
    path("koordinator/label/pasang/", tags.tag_apply, name="tag_apply"),
    path("koordinator/pesan/", messages.message_list, name="messages"),
    path("koordinator/pesan/ubah/", messages.message_edit, name="message_edit"),
    # A person's deadlines, for a calendar program: the secret in the address is the key.
    path("kalender/<str:token>.ics", calendar.calendar_feed, name="calendar"),
    # The plan's agents (and whoever may see the plan)
    path("rencana/<int:pk>/hasil-penilaian/", decisions.feedback, name="feedback"),
    path(
        "rencana/<int:pk>/penilaian-mandiri/",
        self_assessment.self_assessment,
        name="self_assessment",
    ),
]
