"""URLs of report jobs; included at "" by agenplan/urls.py.

`verify/<code>` is printed on paper (QR code and footer of every PDF): it must never move.
"""

from django.urls import path

from . import job_views

app_name = "report_jobs"

urlpatterns = [
    path("laporan/", job_views.my_jobs, name="list"),
    path("laporan/minta/", job_views.request_report, name="request"),
    path("laporan/<int:pk>/", job_views.job_detail, name="detail"),
    path("laporan/<int:pk>/status/", job_views.job_status, name="status"),
    path("laporan/<int:pk>/ulangi/", job_views.retry_job, name="retry"),
    path("laporan/<int:pk>/unduh/", job_views.download, name="download"),
    path("verify/<str:code>", job_views.verify, name="verify"),
]
