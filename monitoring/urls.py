from django.urls import path

from .views import agent, board

app_name = "monitoring"

report = "rencana/<int:pk>/pelaksanaan/<int:period>/"

urlpatterns = [
    path("rencana/<int:pk>/pelaksanaan/", agent.plan_tab, name="plan"),
    path(report, agent.report_detail, name="report"),
    path(f"{report}simpan/", agent.report_save, name="save"),
    path(f"{report}ajukan/", agent.report_submit, name="submit"),
    path(f"{report}bukti/", agent.evidence_add, name="evidence_add"),
    path(f"{report}bukti/unduh/", agent.evidence_download, name="evidence"),
    path(f"{report}verifikasi/", agent.report_verify, name="verify"),
    path("rencana/<int:pk>/perubahan/", agent.change_request, name="change_request"),
    path("rencana/<int:pk>/perubahan/keputusan/", board.change_decide, name="change_decide"),
    path("rencana/<int:pk>/laporan-akhir/", agent.closing, name="closing"),
    path("rencana/<int:pk>/selesaikan/", board.complete, name="complete"),
    path("koordinator/pemantauan/", board.board, name="board"),
    path("koordinator/pemantauan/ingatkan/", board.remind, name="remind"),
]
