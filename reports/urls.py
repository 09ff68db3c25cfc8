"""URLs of the reports; agenplan/urls.py includes both lists at "":

- `urlpatterns` (namespace `reports`): the leadership's dashboard and agency pages;
- `job_urlpatterns` (namespace `report_jobs`): the report jobs, and the public
  verification of a printed code. `verify/<code>` is printed on paper (QR code and
  footer of every PDF): it must never move.
"""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("pimpinan/", views.dashboard, name="dashboard"),
    path("pimpinan/opd/<int:pk>/", views.agency_detail, name="agency"),
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
