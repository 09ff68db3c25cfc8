from django.urls import path

from . import views

report = "plans/<int:pk>/progress/<int:period>/"

urlpatterns = [
    path("plans/<int:pk>/progress/", views.PlanProgress.as_view(), name="plan_progress"),
    path(report, views.ProgressReportDetail.as_view(), name="progress_report"),
    path(f"{report}submit/", views.ProgressReportSubmit.as_view(), name="progress_submit"),
    path(f"{report}evidence/", views.ProgressEvidence.as_view(), name="progress_evidence"),
]
