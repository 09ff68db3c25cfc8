from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("penilaian/", views.queue, name="queue"),
    path("koordinator/", views.board, name="board"),
]
