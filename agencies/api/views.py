"""The agencies (perangkat daerah): reference data for every signed-in caller."""

from django.shortcuts import get_object_or_404
from rest_framework import generics

from agenplan.api import Pagination, RuleRequired, detail_response

from ..models import Agency
from .serializers import AgencySerializer


class AgencyPermissionMixin(RuleRequired):
    api_area = "reference"
    required_rule = "agencies.view_agency_list"


class AgencyList(AgencyPermissionMixin, generics.ListAPIView):
    """Every agency, active or not (`is_active`), in cursor pages."""

    serializer_class = AgencySerializer
    pagination_class = Pagination

    def get_queryset(self):
        return Agency.objects.all()


class AgencyDetail(AgencyPermissionMixin, generics.RetrieveAPIView):
    serializer_class = AgencySerializer

    def retrieve(self, request, *args, **kwargs):
        agency = get_object_or_404(Agency, pk=kwargs["pk"])
        return detail_response(request, self.get_serializer(agency).data)
