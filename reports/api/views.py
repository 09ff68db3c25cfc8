"""The dashboard's figures and the caller's report jobs, through the same selectors and
rules as the pages: `cycle_overview` (so the figures equal the Sekda's page), the
dashboard's scope (an agency head sees their agency), `jobs_of`/`get_download_for`."""

import mimetypes
import posixpath

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from agenplan.api import Pagination, RuleRequired, detail_response, raise_plan_error
from plans.models import Cycle
from plans.selectors import get_cycle_by_code, get_plan_for
from plans.services.common import PlanError

from .. import selectors, services
from ..models import AGENT_KINDS, PLAN_KINDS
from ..selectors import jobs as job_reads
from ..selectors.portfolio import get_portfolio_agent
from .serializers import DashboardSerializer, ReportJobSerializer, ReportRequestSerializer


@extend_schema(
    parameters=[
        OpenApiParameter("agency", int, description="One agency (an agency head: theirs)."),
    ]
)
class Dashboard(RuleRequired, generics.RetrieveAPIView):
    """The dashboard's figures of a cycle: the province for the Biro Organisasi and
    leadership, their own agency for an agency head (404 for another); score figures only
    for those who see every plan's scores."""

    api_area = "dashboard"
    required_rule = "plans.view_dashboard"
    serializer_class = DashboardSerializer

    def retrieve(self, request, *args, **kwargs):
        cycle = get_object_or_404(Cycle, pk=kwargs["pk"])
        wanted = request.query_params.get("agency")
        if wanted and request.user.has_perm("reports.view_province"):
            scope = selectors.get_agency_for(request.user, wanted) if wanted.isdigit() else None
            if scope is None:
                raise Http404("No such agency")
        else:
            scope = selectors.dashboard_scope(request.user, wanted)
        overview = selectors.cycle_overview(cycle, agency=scope)
        context = self.get_serializer_context() | {
            "show_scores": request.user.has_perm("assessment.view_all_scores"),
            "agencies": [row.figures for row in selectors.agency_rows(cycle, agency=scope)],
        }
        return detail_response(request, DashboardSerializer(overview, context=context).data)


class ReportJobList(RuleRequired, generics.ListAPIView):
    """GET: the caller's own report jobs ("Laporan saya"), newest first. POST: ask for a
    report as the page does (`request_plan_report`, `request_cycle_report`): the same
    rules, an identical finished or running job reused (200), a new one queued (201);
    follow its `status` at /report-jobs/{id}/ and fetch its file once `done`."""

    api_area = "reports"
    serializer_class = ReportJobSerializer
    pagination_class = Pagination

    def get_queryset(self):
        return job_reads.jobs_of(self.request.user)

    @extend_schema(
        request=ReportRequestSerializer,
        responses={200: ReportJobSerializer, 201: ReportJobSerializer},
    )
    def post(self, request):
        given = ReportRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        kind, data = given.validated_data["kind"], given.validated_data
        subject = "plan" if kind in PLAN_KINDS else "agent" if kind in AGENT_KINDS else "cycle"
        if subject not in data:
            raise ValidationError({subject: [_("Wajib diisi untuk laporan ini.")]})
        before = timezone.now()
        try:
            if kind in PLAN_KINDS:
                plan = get_plan_for(request.user, data["plan"])
                job = services.request_plan_report(kind=kind, plan=plan, by=request.user)
            elif kind in AGENT_KINDS:
                agent = get_portfolio_agent(request.user, data["agent"])
                job = services.request_portfolio(agent=agent, by=request.user)
            else:
                cycle = get_cycle_by_code(data["cycle"])
                job = services.request_cycle_report(kind=kind, cycle=cycle, by=request.user)
        except PlanError as error:
            raise_plan_error(error)
        code = status.HTTP_201_CREATED if job.created_at >= before else status.HTTP_200_OK
        return Response(ReportJobSerializer(job).data, status=code)


class ReportJobDetail(RuleRequired, generics.RetrieveAPIView):
    api_area = "reports"
    serializer_class = ReportJobSerializer

    def retrieve(self, request, *args, **kwargs):
        job = job_reads.get_job_for(request.user, kwargs["pk"])
        return detail_response(request, self.get_serializer(job).data)


class ReportJobFile(RuleRequired, generics.GenericAPIView):
    """The file of a finished job, to its requester while they may still see its subject;
    audited as the page's download is."""

    api_area = "reports"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        job = job_reads.get_download_for(request.user, pk)
        name = posixpath.basename(job.file.name)
        try:
            handle = job.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("File is gone") from exc
        services.record_report_download(job, by=request.user)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type=content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response
