from django.urls import path

from . import views

urlpatterns = [
    path("cycles/", views.CycleList.as_view(), name="cycles"),
    path("cycles/<int:pk>/", views.CycleDetail.as_view(), name="cycle"),
    path("plans/", views.PlanList.as_view(), name="plans"),
    path("plans/<int:pk>/", views.PlanDetail.as_view(), name="plan"),
]
