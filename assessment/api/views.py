"""Decisions and their consolidated feedback, under the assessment's rules: the same
selector as the plan's results page (`plan_feedback`), the plan looked up as the pages do
(404 for one the caller may not open)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from agenplan.api import Pagination, RuleRequired, detail_response
from agents.validators import normalize_nip
from plans.selectors import get_plan_for, plans_visible_to
from plans.services.common import PlanError

from ..models import Decision
from ..selectors import plan_feedback
from ..services import import_participants
from .serializers import (
    DecisionSerializer,
    FeedbackSerializer,
    ParticipantSyncSerializer,
    SyncResultSerializer,
)


class PlanFeedback(RuleRequired, generics.RetrieveAPIView):
    """The latest decision on the plan with its score and the reviews' feedback; empty
    before the decision for the plan's team and agency head."""

    api_area = "plans"
    required_rule = "plans.view_plan_list"
    serializer_class = FeedbackSerializer

    def retrieve(self, request, *args, **kwargs):
        plan = get_plan_for(request.user, kwargs["pk"])
        feedback = plan_feedback(plan, request.user)
        return detail_response(request, self.get_serializer(feedback).data)


@extend_schema(parameters=[OpenApiParameter("cycle", str, description="The cycle's code.")])
class DecisionList(RuleRequired, generics.ListAPIView):
    """Every decision of a cycle, with scores: for those who see every plan's scores
    (`assessment.view_all_scores`: the Biro Organisasi and leadership)."""

    api_area = "plans"
    required_rule = "assessment.view_all_scores"
    serializer_class = DecisionSerializer
    pagination_class = Pagination

    def get_queryset(self):
        qs = Decision.objects.filter(plan__in=plans_visible_to(self.request.user))
        if self.request.query_params.get("cycle"):
            qs = qs.filter(plan__cycle__code=self.request.query_params["cycle"])
        return qs.select_related("version")


class ParticipantSync(RuleRequired, generics.GenericAPIView):
    """Upsert change agents by NIP from another system (SIMPEG, SIASN): the participants
    import's own check and writing (`import_participants`), with its dry run, its
    confirmation of users of another agency (`confirm`: their NIPs), its refusal of
    accounts with other roles, and its audit entries. Without `skip_invalid`, one refused
    row writes nothing."""

    api_area = "participants"
    required_rule = "assessment.import_participants"
    serializer_class = ParticipantSyncSerializer

    @extend_schema(request=ParticipantSyncSerializer, responses=SyncResultSerializer)
    def post(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        rows = [
            (number, {column: str(value).strip() for column, value in row.items()})
            for number, row in enumerate(data["participants"], start=1)
        ]
        try:
            plan = import_participants(
                rows,
                by=request.user,
                dry_run=data["dry_run"],
                confirmed=frozenset(normalize_nip(nip) for nip in data["confirm"]),
                skip_invalid=data["skip_invalid"],
            )
        except PlanError as error:
            raise PermissionDenied(str(error.message)) from error
        written = not data["dry_run"] and bool(plan.rows) and (plan.ok or data["skip_invalid"])
        result = {"dry_run": data["dry_run"], "written": written, "plan": plan}
        return Response(SyncResultSerializer(result).data)
