"""The REST API, version 1 (/api/v1/): each app's `api` package brings its endpoints, in
the apps' order; the OpenAPI schema and its documentation page come last."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView

from agencies.api.urls import urlpatterns as agencies_api
from agents.api.urls import urlpatterns as agents_api
from assessment.api.urls import urlpatterns as assessment_api
from monitoring.api.urls import urlpatterns as monitoring_api
from plans.api.urls import urlpatterns as plans_api
from reports.api.urls import urlpatterns as reports_api


@require_GET
def docs(request):
    """Swagger UI on the schema, served from the site's own static files (no CDN)."""
    return render(request, "api/docs.html")


app_name = "api"

urlpatterns = [
    *agents_api,
    *agencies_api,
    *plans_api,
    *assessment_api,
    *monitoring_api,
    *reports_api,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
]
