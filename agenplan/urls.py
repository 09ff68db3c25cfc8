from django.contrib import admin
from django.urls import include, path

from reports.urls import job_urlpatterns

from . import views

# A database outage anywhere in a request answers the 503 page (agenplan.middleware).
handler500 = "agenplan.middleware.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico before reading a page's <link rel="icon">.
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("agenplan.api_urls")),
    path("", include("agents.urls")),
    path("", include("agencies.urls")),
    path("", include("plans.urls")),
    path("", include("assessment.urls")),
    path("", include("monitoring.urls")),
    path("", include("reports.urls")),
    path("", include("gallery.urls")),
    path("", include(job_urlpatterns)),
]
