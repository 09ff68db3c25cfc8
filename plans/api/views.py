"""Cycles and plans for other systems: the plans a caller may open (`plans_visible_to`,
the rule `plans.view_actionplan` as a query), 404 for any other, scores under the
assessment's rules."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.fields import DateTimeField

from agenplan.api import Pagination, RuleRequired, detail_response

from .. import sections
from ..enums import PlanState
from ..models import Cycle
from ..selectors import get_plan_for, plan_with_contents, plans_visible_to
from .serializers import CycleSerializer, PlanDetailSerializer, PlanSerializer


class CycleList(RuleRequired, generics.ListAPIView):
    """Every cycle, with its dates, phase and settings."""

    api_area = "reference"
    required_rule = "plans.view_cycle"
    serializer_class = CycleSerializer
    pagination_class = Pagination

    def get_queryset(self):
        return Cycle.objects.all()


class CycleDetail(RuleRequired, generics.RetrieveAPIView):
    api_area = "reference"
    required_rule = "plans.view_cycle"
    serializer_class = CycleSerializer

    def retrieve(self, request, *args, **kwargs):
        cycle = get_object_or_404(Cycle, pk=kwargs["pk"])
        return detail_response(request, self.get_serializer(cycle).data)


PLAN_FILTERS = [
    OpenApiParameter("cycle", str, description="The cycle's code."),
    OpenApiParameter("agency", int, description="The agency's id."),
    OpenApiParameter("state", str, enum=PlanState.values),
    OpenApiParameter(
        "updated_since", OpenApiTypes.DATETIME, description="Changed at or after (ISO 8601)."
    ),
    OpenApiParameter("page_size", int, description="Plans per page (at most 200)."),
]


@extend_schema(parameters=PLAN_FILTERS)
class PlanList(RuleRequired, generics.ListAPIView):
    """The plans whose content the caller may open, newest first, in cursor pages."""

    api_area = "plans"
    required_rule = "plans.view_plan_list"
    serializer_class = PlanSerializer
    pagination_class = Pagination

    def get_queryset(self):
        params = self.request.query_params
        qs = plans_visible_to(self.request.user).select_related("cycle", "owner__user")
        if params.get("cycle"):
            qs = qs.filter(cycle__code=params["cycle"])
        if params.get("agency"):
            if not params["agency"].isdigit():
                raise ValidationError({"agency": [_("Isi dengan id perangkat daerah (angka).")]})
            qs = qs.filter(agency_id=params["agency"])
        if params.get("state"):
            if params["state"] not in PlanState.values:
                raise ValidationError({"state": [_("Status rencana tidak dikenal.")]})
            qs = qs.filter(state=params["state"])
        if params.get("updated_since"):
            field = self._datetime("updated_since")
            qs = qs.filter(updated_at__gte=field)
        return qs

    def _datetime(self, name):
        try:
            return DateTimeField().to_internal_value(self.request.query_params[name])
        except ValidationError as error:
            raise ValidationError({name: error.detail}) from error

    def get_serializer_context(self):
        return super().get_serializer_context() | {
            "show_score": self.request.user.has_perm("assessment.view_all_scores")
        }


class PlanDetail(RuleRequired, generics.RetrieveAPIView):
    """One plan with its content, team, versions; its score only under
    `assessment.view_scores` (never before the decision for its team)."""

    api_area = "plans"
    required_rule = "plans.view_plan_list"
    serializer_class = PlanDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        plan = plan_with_contents(get_plan_for(request.user, kwargs["pk"]))
        plan.api_content = sections.freeze_content(plan)
        return detail_response(request, self.get_serializer(plan).data)
