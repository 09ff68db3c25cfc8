"""Pages of the reports.

The leadership's provincial dashboard and its agency pages (read-only): every figure
comes from `selectors.cycle_overview` (cached per cycle); the agency table is a page of
its per-agency rows, swapped in by htmx when sorted, filtered or searched.

Report jobs: "Laporan saya", one job (polled with htmx until it is done), requesting,
retrying and downloading a report, and the public verification of a printed code
(`/verify/<code>`). Jobs are the requester's own: every lookup goes through
`selectors.jobs.get_job_for`, which answers 404 for "missing" and "someone else's" alike;
a download also checks that the user may still see what the report shows (the plan, or
the cycle-wide figures).
"""

import mimetypes
import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from agenplan import cycle_cache
from agenplan.ratelimit import rate_limited
from plans.selectors import current_cycle, cycle_choices, get_cycle_by_code, get_plan_for
from plans.services.common import PlanError

from . import selectors, services
from .forms import AgencyTableForm, CycleReportForm
from .models import AGENT_KINDS, CYCLE_KINDS, PLAN_KINDS
from .selectors import jobs as job_reads
from .selectors.alignment import shaded_alignment_map
from .selectors.portfolio import get_portfolio_agent
from .selectors.realisation import LIGHTS, cycle_realisation, drilled_targets

JOBS_PER_PAGE = 20


# --- The leadership's dashboard ------------------------------------------------------------


def _cycle(request):
    """The cycle of `?cycle=<code>` (404 if unknown) or the current one; and the current."""
    current = current_cycle()
    code = request.GET.get("cycle", "")
    return (get_cycle_by_code(code) if code else current), current


@login_required
@permission_required("plans.view_dashboard", raise_exception=True)
@require_GET
def dashboard(request):
    """The "Dashboard provinsi" of a cycle; an agency head's is restricted to their agency."""
    scope = selectors.dashboard_scope(request.user, request.GET.get("opd"))
    cycle, current = _cycle(request)
    # Score figures (means, the distribution, top plans, low-score and disagreement lists)
    # for those who see every plan's scores; an agency head's dashboard has none.
    show_scores = request.user.has_perm("assessment.view_all_scores")
    context = {
        "cycles": cycle_choices(),
        "current_cycle": current,
        "scope": scope,
        "headed": selectors.headed_agencies(request.user) if scope is not None else [],
        "show_scores": show_scores,
    }
    if cycle is None:
        return render(request, "reports/dashboard.html", context)
    # Lazy: on a warm cache the template serves its cached fragments and never needs them.
    overview = SimpleLazyObject(lambda: selectors.cycle_overview(cycle, agency=scope))
    form = AgencyTableForm(request.GET)
    params = form.params()
    if not show_scores:
        # Listing or ordering agencies by their mean score would tell it.
        if params["show"] in ("lagging", "low_score"):
            params["show"] = "no_submission"
        if params["sort"].removeprefix("-") == "score":
            params["sort"] = ""
    today = timezone.localdate()
    context |= {
        "cycle": cycle,
        "overview": overview,
        "lagging": SimpleLazyObject(lambda: overview.lagging(today)),
        "realisation": SimpleLazyObject(
            lambda: cycle_realisation(cycle, agency=scope, today=today)
        ),
        "table": SimpleLazyObject(
            lambda: selectors.agency_table(
                cycle, agency=scope, **params, page=request.GET.get("page")
            )
        ),
        "form": form,
        "fragment_version": cycle_cache.fragment_version(cycle.pk),
        "cache_seconds": cycle_cache.timeout(),
        "lagging_days": selectors.LAGGING_DAYS,
        "low_mean_score": selectors.LOW_MEAN_SCORE,
        "can_request_pdf": scope is None and request.user.has_perm("reports.request_cycle_report"),
    }
    if request.htmx and request.htmx.target == "agency-table":
        return render(request, "reports/partials/agency_table.html", context)
    return render(request, "reports/dashboard.html", context)


LATE_PER_PAGE = 50


@login_required
@permission_required("plans.view_dashboard", raise_exception=True)
@require_GET
def late_targets(request):
    """The drill-down from the dashboard's realisation: the targets behind schedule (or of
    one traffic-light colour, `?lampu=`), lowest first, with their plans; for one agency
    with `?opd=` (an agency head: only theirs, as on the dashboard). Paged."""
    chosen = request.GET.get("opd", "")
    scope = selectors.dashboard_scope(request.user, chosen)
    if scope is None and chosen:  # the whole province's viewer, drilling into one agency
        if not chosen.isdigit():
            raise Http404("No such agency")
        scope = selectors.get_agency_for(request.user, int(chosen))
    cycle, current = _cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    light = request.GET.get("lampu")
    light = light if light in LIGHTS else None
    today = timezone.localdate()
    page = Paginator(
        drilled_targets(cycle, agency=scope, light=light, today=today), LATE_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/late_targets.html",
        {
            "cycle": cycle,
            "cycles": cycle_choices(),
            "current_cycle": current,
            "scope": scope,
            "light": light,
            "page": page,
            "elapsed": cycle_realisation(cycle, agency=scope, today=today).elapsed,
        },
    )


@login_required
@permission_required("plans.view_dashboard", raise_exception=True)
@require_GET
def agency_detail(request, pk):
    """One agency in a cycle: its figures, plans, agents, targets and scores per criterion."""
    agency = selectors.get_agency_for(request.user, pk)
    cycle, current = _cycle(request)
    context = {
        "agency": agency,
        "cycles": cycle_choices(),
        "current_cycle": current,
        "show_scores": request.user.has_perm("assessment.view_all_scores"),
    }
    if cycle is not None:
        context |= {
            "cycle": cycle,
            "page": selectors.agency_page(cycle, agency),
            "today": timezone.localdate(),
        }
    return render(request, "reports/agency.html", context)


@login_required
@permission_required("plans.view_alignment_map", raise_exception=True)
@require_GET
def alignment_map(request):
    """The alignment map of `?cycle=<code>` (404 when unknown; the current cycle without
    one): heat maps with drill-down links to the plan list, their data as tables, the
    empty cells named, and each cell's verified realisation where monitoring has data.
    The board and the dashboard load it by htmx (the fragment); opened by its address it
    is a page of its own with a cycle picker."""
    cycle, _current = _cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    context = {
        "alignment": shaded_alignment_map(cycle),
        "list_url": reverse("plans:list"),
        "cycle": cycle,
    }
    if request.htmx:
        return render(request, "reports/partials/alignment_map.html", context)
    return render(request, "reports/alignment_map.html", context | {"cycles": cycle_choices()})


# --- Report jobs ------------------------------------------------------------------------


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_GET
def my_jobs(request):
    """ "Laporan saya": the user's jobs, newest first, with what each is about."""
    page = Paginator(job_reads.jobs_of(request.user), JOBS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    jobs = list(page.object_list)
    may_request_cycle = request.user.has_perm("reports.request_cycle_report")
    return render(
        request,
        "reports/jobs/list.html",
        {
            "page": page,
            "rows": job_reads.job_rows(jobs),
            "cycle_form": CycleReportForm() if may_request_cycle else None,
        },
    )


@login_required
@require_POST
def request_report(request):
    """Create a job (or reuse an identical finished one) and go to its page."""
    kind = request.POST.get("kind", "")
    try:
        if kind in PLAN_KINDS:
            plan_id = request.POST.get("plan", "")
            if not plan_id.isdigit():
                raise Http404("No such plan")
            plan = get_plan_for(request.user, int(plan_id))
            job = services.request_plan_report(kind=kind, plan=plan, by=request.user)
        elif kind in CYCLE_KINDS:
            cycle = get_cycle_by_code(request.POST.get("cycle", ""))
            job = services.request_cycle_report(kind=kind, cycle=cycle, by=request.user)
        elif kind in AGENT_KINDS:
            agent_id = request.POST.get("agent", "")
            if not agent_id.isdigit():
                raise Http404("No such agent")
            agent = get_portfolio_agent(request.user, int(agent_id))
            job = services.request_portfolio(agent=agent, by=request.user)
        else:
            raise Http404("No such report kind")
    except PlanError as exc:
        messages.error(request, str(exc.message))
        return redirect(_safe_next(request, reverse("report_jobs:list")))
    return redirect(reverse("report_jobs:detail", args=[job.pk]))


@login_required
@require_GET
def job_detail(request, pk):
    job = job_reads.get_job_for(request.user, pk)
    return render(
        request,
        "reports/jobs/detail.html",
        {"job": job, "row": job_reads.job_rows([job])[0], "can_retry": services.can_retry(job)},
    )


@never_cache
@login_required
@require_GET
def job_status(request, pk):
    """The htmx partial polled every 2 s while the job is queued or running."""
    job = job_reads.get_job_for(request.user, pk)
    return render(
        request,
        "reports/jobs/partials/status.html",
        {"job": job, "can_retry": services.can_retry(job)},
    )


@login_required
@require_POST
def retry_job(request, pk):
    job = job_reads.get_job_for(request.user, pk)
    try:
        services.retry_job(job, by=request.user)
    except PlanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Laporan dimasukkan kembali ke antrean."))
    return redirect(reverse("report_jobs:detail", args=[job.pk]))


@login_required
@require_GET
def download(request, pk):
    """The file of a finished job, to its requester if they may still see its subject."""
    job = job_reads.get_download_for(request.user, pk)
    name = posixpath.basename(job.file.name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File is gone") from exc
    services.record_report_download(job, by=request.user)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@rate_limited("verify", methods=("GET",))
def verify(request, code):
    """Public: what a printed verification code names (kind, title, agency, date, who
    asked), never the document's content; 404 when the code names no finished document."""
    document = job_reads.verify_code(code)
    if document is None:
        raise Http404("Unknown verification code")
    return render(request, "reports/jobs/verify.html", {"document": document})
