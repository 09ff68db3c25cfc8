"""What the implementation pages share: the plan and report of the URL, the 404s."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse

from plans.selectors import get_plan_for
from plans.services.common import PlanError

from ..models import ProgressReport


def plan_of(request, pk, **_route):
    """The plan of the URL if the user may see it (else 404), fetched once per request."""
    cached = getattr(request, "_agenplan_plan", None)
    if cached is None or cached.pk != pk:
        cached = request._agenplan_plan = get_plan_for(request.user, pk)
    return cached


def report_of(request, pk, period) -> ProgressReport:
    report = (
        ProgressReport.objects.filter(plan=plan_of(request, pk), period=period)
        .select_related("plan", "plan__cycle", "verified_by")
        .first()
    )
    if report is None:
        raise Http404("No such report")
    return report


def evidence_response(evidence, *, cache_control: str = "private, no-store") -> FileResponse:
    """An evidence file, shown inline when a browser displays it safely (PDF, PNG, JPEG),
    else downloaded; sandboxed and never sniffed. 404 when the file is gone."""
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    inline = evidence.content_type in ("application/pdf", "image/png", "image/jpeg")
    response = FileResponse(
        handle, as_attachment=not inline, filename=evidence.name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def posted_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such row") from None


def act(request, action, success, to: str):
    """Run a service; a refusal becomes a flash message. Back to `to`."""
    try:
        action()
    except PlanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return redirect(to)


def report_url(plan_pk: int, period: int) -> str:
    return reverse("monitoring:report", args=[plan_pk, period])
