from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("rencana/", views.my_plans, name="my_plans"),
    path("rencana/mulai/", views.start_plan, name="start"),
    path("rencana/daftar/", views.plan_list, name="list"),
    path("rencana/<int:pk>/", views.plan_detail, name="detail"),
    path("rencana/<int:pk>/ajukan/", views.submit_plan, name="submit"),
    path("rencana/<int:pk>/tarik/", views.withdraw_plan, name="withdraw"),
    path("rencana/<int:pk>/ketahui/", views.endorse_plan, name="endorse"),
    path("opd/", views.agency_plans, name="agency_plans"),
]
