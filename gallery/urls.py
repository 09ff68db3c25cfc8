from django.urls import path

from . import views

app_name = "gallery"

urlpatterns = [
    # Public: no sign-in.
    path("inovasi/", views.gallery_list, name="list"),
    path("inovasi/<int:pk>/", views.gallery_detail, name="detail"),
    path("inovasi/<int:pk>/bukti/<int:evidence>/", views.evidence_download, name="evidence"),
    # The plan's team.
    path("rencana/<int:pk>/galeri/", views.consent, name="consent"),
    # The Biro Organisasi.
    path("koordinator/galeri/", views.publishable, name="publishable"),
    path("koordinator/galeri/<int:pk>/terbitkan/", views.publish, name="publish"),
    path("koordinator/galeri/<int:pk>/tarik/", views.unpublish, name="unpublish"),
]
