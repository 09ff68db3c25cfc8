from django.urls import path

from . import views

urlpatterns = [
    path("cycles/<int:pk>/dashboard/", views.Dashboard.as_view(), name="dashboard"),
    path("report-jobs/", views.ReportJobList.as_view(), name="report_jobs"),
    path("report-jobs/<int:pk>/", views.ReportJobDetail.as_view(), name="report_job"),
    path("report-jobs/<int:pk>/file/", views.ReportJobFile.as_view(), name="report_job_file"),
]
