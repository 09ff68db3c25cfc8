"""URLs of the reports; agenplan/urls.py includes both lists at "":

- `urlpatterns` (namespace `reports`): the leadership's dashboard and agency pages;
- `job_urlpatterns` (namespace `report_jobs`): the report jobs, and the public
  verification of a printed code. `verify/<code>` is printed on paper (QR code and
  footer of every PDF): it must never move.
"""

from django.urls import path

from . import agent_views, views

app_name = "reports"

urlpatterns = [
    path("pimpinan/", views.dashboard, name="dashboard"),
    path("pimpinan/opd/<int:pk>/", views.agency_detail, name="agency"),
    path("pimpinan/target-tertinggal/", views.late_targets, name="late_targets"),
    # The alignment map (under the plans' addresses, where it has always been).
    path("rencana/peta-keselarasan/", views.alignment_map, name="alignment_map"),
    # An agent's portfolio: their plans across cycles.
    path("agen/<int:pk>/portofolio/", agent_views.portfolio, name="portfolio"),
]

job_urlpatterns = (
    [
        path("laporan/", views.my_jobs, name="list"),
        path("laporan/minta/", views.request_report, name="request"),
        path("laporan/<int:pk>/", views.job_detail, name="detail"),
        path("laporan/<int:pk>/status/", views.job_status, name="status"),
        path("laporan/<int:pk>/ulangi/", views.retry_job, name="retry"),
        path("laporan/<int:pk>/unduh/", views.download, name="download"),
        path("verify/<str:code>", views.verify, name="verify"),
    ],
    "report_jobs",
)
