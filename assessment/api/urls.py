from django.urls import path

from . import views

urlpatterns = [
    path("plans/<int:pk>/feedback/", views.PlanFeedback.as_view(), name="plan_feedback"),
    path("decisions/", views.DecisionList.as_view(), name="decisions"),
    path("participants/sync/", views.ParticipantSync.as_view(), name="participant_sync"),
]
