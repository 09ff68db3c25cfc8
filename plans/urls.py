from django.urls import path

from . import views
from .views import collaboration, conflict, editor, similar

app_name = "plans"

urlpatterns = [
    path("rencana/", views.my_plans, name="my_plans"),
    path("rencana/mulai/", views.start_plan, name="start"),
    path("rencana/daftar/", views.plan_list, name="list"),
    path("rencana/<int:pk>/", views.plan_detail, name="detail"),
    path("rencana/<int:pk>/ajukan/", views.submit_plan, name="submit"),
    path("rencana/<int:pk>/tarik/", views.withdraw_plan, name="withdraw"),
    path("rencana/<int:pk>/ketahui/", views.endorse_plan, name="endorse"),
    path("rencana/<int:pk>/pulihkan-teks/", views.restore_text, name="restore_text"),
    # The editor
    path("rencana/<int:pk>/ubah/", editor.plan_edit, name="edit"),
    path("rencana/<int:pk>/simpan/", editor.autosave_section, name="autosave"),
    path("rencana/<int:pk>/baris/", editor.add_row, name="add_row"),
    path("rencana/<int:pk>/konflik/", conflict.resolve_conflict, name="resolve"),
    # Around the editor
    path("rencana/<int:pk>/pendampingan/", collaboration.thread_list, name="threads"),
    path("rencana/<int:pk>/pendampingan/baru/", collaboration.thread_start, name="thread_start"),
    path("rencana/<int:pk>/pendampingan/balas/", collaboration.thread_reply, name="thread_reply"),
    path(
        "rencana/<int:pk>/pendampingan/selesai/",
        collaboration.thread_resolve,
        name="thread_resolve",
    ),
    path("rencana/<int:pk>/lampiran/", collaboration.attachment_add, name="attachment_add"),
    path("rencana/<int:pk>/lampiran/unduh/", collaboration.attachment_download, name="attachment"),
    path(
        "rencana/<int:pk>/lampiran/hapus/",
        collaboration.attachment_delete,
        name="attachment_delete",
    ),
    path("rencana/<int:pk>/tim/", collaboration.team_add, name="team_add"),
    path("rencana/<int:pk>/tim/keluar/", collaboration.team_remove, name="team_remove"),
    path("rencana/<int:pk>/bandingkan/", collaboration.plan_compare, name="compare"),
    # Similar innovations across agencies, and the coordinator's links between plans
    path("rencana/<int:pk>/serupa/", similar.similar, name="similar"),
    path("rencana/serupa/", similar.similar_search, name="similar_search"),
    path("rencana/<int:pk>/tautan/", similar.link, name="link"),
    path("rencana/<int:pk>/tautan/hapus/", similar.unlink, name="unlink"),
    path("rencana/<int:pk>/pratinjau/", collaboration.plan_preview, name="preview"),
    path("opd/", views.agency_plans, name="agency_plans"),
]
