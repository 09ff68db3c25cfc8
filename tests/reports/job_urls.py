"""The project's URLs plus the report-job URLs, for tests until agenplan/urls.py includes
`reports.job_urls` (then `@pytest.mark.urls` can go)."""

from django.urls import include, path

from agenplan.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *[p for p in project_urlpatterns if getattr(p, "app_name", None) != "report_jobs"],
    path("", include("reports.job_urls")),
]
