"""A plan's progress and its team's progress reports, through the same selectors, rules
and services as the "Pelaksanaan" pages: `plan_progress` (verified realisation only),
`open_report`, `save_report`, `add_evidence` (links; files stay on the page),
`submit_report`. A plan the caller may not open answers 404; writing is for the plan's
own team (`monitoring.report_progress`), 403 for its other readers."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from agenplan.api import RuleRequired, detail_response, raise_plan_error
from plans.enums import PlanState, TargetDirection
from plans.selectors import get_plan_for
from plans.services.common import PlanError

from .. import services
from ..models import ProgressReport
from ..selectors import plan_progress, report_page
from .serializers import (
    EvidenceLinkSerializer,
    EvidenceSerializer,
    PlanProgressSerializer,
    ProgressReportSerializer,
    ReportWriteSerializer,
)


def _implemented_plan(request, pk):
    """The plan, approved at least once (the tab's own condition), or 404."""
    plan = get_plan_for(request.user, pk)
    if plan.state not in PlanState.APPROVED_ONCE:
        raise Http404("Not approved")
    return plan


def _report(plan, period) -> ProgressReport:
    report = ProgressReport.objects.filter(plan=plan, period=period).first()
    if report is None:
        raise Http404("No such report")
    report.plan = plan
    return report


def _report_data(report) -> dict:
    report.rows = report_page(report)
    return ProgressReportSerializer(report).data


def _require_team(request, plan):
    if not request.user.has_perm("monitoring.report_progress", plan):
        raise PermissionDenied(_("Hanya tim rencana ini yang dapat melaporkan."))


class PlanProgress(RuleRequired, generics.GenericAPIView):
    """The plan's progress: per target its verified value and realisation (accepted
    reports only), the plan's roll-up and traffic light, and its reporting periods with
    their reports' states (`overdue` for a period past its due date without one handed in)."""

    api_area = "plans"
    required_rule = "plans.view_plan_list"
    serializer_class = PlanProgressSerializer

    def get(self, request, pk):
        plan = _implemented_plan(request, pk)
        return detail_response(request, PlanProgressSerializer(plan_progress(plan)).data)


class ProgressReportDetail(RuleRequired, generics.GenericAPIView):
    """GET: the report of a period. PUT: its team opens the period's draft (when it has
    none) and writes in it, as the page's autosave: the narrative, per target its value
    (a qualitative target: 1 achieved, 0 not) and date, per activity its status and actual
    months; what is left out is kept."""

    api_area = "plans"
    required_rule = "plans.view_plan_list"
    serializer_class = ProgressReportSerializer

    @extend_schema(operation_id="plans_progress_report_retrieve")
    def get(self, request, pk, period):
        report = _report(_implemented_plan(request, pk), period)
        return detail_response(request, _report_data(report))

    @extend_schema(
        operation_id="plans_progress_report_update",
        request=ReportWriteSerializer,
        responses={200: ProgressReportSerializer, 201: ProgressReportSerializer},
    )
    def put(self, request, pk, period):
        plan = _implemented_plan(request, pk)
        _require_team(request, plan)
        given = ReportWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        existing = ProgressReport.objects.filter(plan=plan, period=period).first()
        if existing is not None and "lock_version" not in data:
            raise ValidationError(
                {"lock_version": [_("Sertakan lock_version dari laporan yang terakhir dibaca.")]}
            )
        try:
            report = existing or services.open_report(plan, period=period, by=request.user)
            report.plan = plan
            rows = report_page(report)
            report = services.save_report(
                report,
                by=request.user,
                lock_version=data.get("lock_version", report.lock_version),
                narrative={
                    name: data[name]
                    for name in ("done_text", "obstacles", "next_steps", "answer")
                    if name in data
                },
                values=_values(data.get("values", []), rows["values"]),
                activities={
                    row["activity"]: (
                        row["status"],
                        _month(row["actual_start"]),
                        _month(row["actual_end"]),
                    )
                    for row in data.get("activities", [])
                },
            )
        except PlanError as error:
            raise_plan_error(error)
        report.plan = plan
        code = status.HTTP_200_OK if existing else status.HTTP_201_CREATED
        return Response(_report_data(report), status=code)


def _month(day):
    return day.replace(day=1) if day else day


def _values(given: list[dict], rows) -> dict:
    """Per target id (value, date), a qualitative target's value 1 or 0 as on the page."""
    targets = {row.target_id: row.target for row in rows}
    values = {}
    for row in given:
        target = targets.get(row["target"])
        qualitative = target is not None and target.direction == TargetDirection.QUALITATIVE
        if qualitative and row["value"] not in (None, 0, 1):
            raise ValidationError(
                {"values": [_("Target kualitatif diisi 1 (tercapai) atau 0 (belum tercapai).")]}
            )
        values[row["target"]] = (row["value"], row["achieved_on"])
    return values


class ProgressReportSubmit(RuleRequired, generics.GenericAPIView):
    """Hand the report in for verification (every target needs a value and the report
    what was done); its reviewers are told, as from the page."""

    api_area = "plans"
    required_rule = "plans.view_plan_list"
    serializer_class = ProgressReportSerializer

    @extend_schema(request=None, responses=ProgressReportSerializer)
    def post(self, request, pk, period):
        plan = _implemented_plan(request, pk)
        _require_team(request, plan)
        report = _report(plan, period)
        try:
            report = services.submit_report(report, by=request.user)
        except PlanError as error:
            raise_plan_error(error)
        report.plan = plan
        return Response(_report_data(report))


class ProgressEvidence(RuleRequired, generics.GenericAPIView):
    """Add a link as evidence of a report (an evidence file is uploaded on the page)."""

    api_area = "plans"
    required_rule = "plans.view_plan_list"
    serializer_class = EvidenceLinkSerializer

    @extend_schema(request=EvidenceLinkSerializer, responses={201: EvidenceSerializer})
    def post(self, request, pk, period):
        plan = _implemented_plan(request, pk)
        _require_team(request, plan)
        report = _report(plan, period)
        given = EvidenceLinkSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            evidence = services.add_evidence(report, by=request.user, **given.validated_data)
        except PlanError as error:
            raise_plan_error(error)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
