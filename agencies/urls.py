from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("perangkat-daerah/cari/", views.search, name="search"),
]
