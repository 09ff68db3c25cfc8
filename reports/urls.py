from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("pimpinan/", views.dashboard, name="dashboard"),
    path("pimpinan/opd/<int:pk>/", views.agency_detail, name="agency"),
]
