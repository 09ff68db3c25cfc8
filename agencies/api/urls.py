from django.urls import path

from . import views

urlpatterns = [
    path("agencies/", views.AgencyList.as_view(), name="agencies"),
    path("agencies/<int:pk>/", views.AgencyDetail.as_view(), name="agency"),
]
