"""The public gallery (/inovasi/: no sign-in), the team's consent page and the
coordinator's list of publishable plans with publish and unpublish."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from monitoring.models import Evidence
from monitoring.views.common import evidence_response
from plans.selectors import cycle_choices, get_cycle_by_code, get_plan_for
from plans.services.common import PlanError

from . import cache, selectors, services
from .selectors import Filters

PUBLISHABLE_PER_PAGE = 25
STATUSES = ("", "ready", "published", "no_consent")


def _plan(request, pk, **_route):
    """The plan of the URL if the user may see it (else 404), fetched once per request."""
    found = getattr(request, "_agenplan_plan", None)
    if found is None or found.pk != pk:
        found = request._agenplan_plan = get_plan_for(request.user, pk)
    return found


# --- Public --------------------------------------------------------------------------


@require_GET
def gallery_list(request):
    """Published innovations, searched and filtered by agency, RB area and year; the
    filters stay in the URL; any query string answers a page."""
    filters = Filters.from_query(request.GET)
    data = cache.cached(
        "list", lambda: selectors.gallery_page(filters), get_language(), filters.key()
    )
    number, pages = data["number"], data["num_pages"]
    page = {
        "number": number,
        "paginator": {"num_pages": pages},
        "has_other_pages": pages > 1,
        "has_previous": number > 1,
        "previous_page_number": number - 1,
        "has_next": number < pages,
        "next_page_number": number + 1,
    }
    return render(request, "gallery/list.html", {"gallery": data, "filters": filters, "page": page})


@require_GET
def gallery_detail(request, pk):
    data = cache.cached("detail", lambda: selectors.gallery_plan(pk), get_language(), pk)
    return render(request, "gallery/detail.html", {"item": data})


@require_GET
def evidence_download(request, pk, evidence):
    # Unpublishing takes effect at once: no shared cache keeps the file.
    found = selectors.get_public_evidence_file(pk, evidence)
    return evidence_response(found, cache_control="no-store")


# --- The plan's team -----------------------------------------------------------------


@login_required
@permission_required("gallery.give_consent", fn=_plan, raise_exception=True)
@require_http_methods(["GET", "POST"])
def consent(request, pk):
    """The team's consent to the gallery and the evidence it shows the public."""
    plan = _plan(request, pk)
    if request.method == "POST":
        ids = []
        for value in request.POST.getlist("evidence"):
            if not value.isascii() or not value.isdigit() or len(value) > 9:
                messages.error(request, _("Bukti dukung yang dipilih bukan milik rencana ini."))
                return redirect("gallery:consent", pk=plan.pk)
            ids.append(int(value))
        try:
            services.set_consent(plan, consent=request.POST.get("consent") == "1", by=request.user)
            services.set_public_evidence(plan, ids, by=request.user)
        except PlanError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Pilihan galeri disimpan."))
        return redirect("gallery:consent", pk=plan.pk)
    publication = getattr(plan, "publication", None)
    marked = set(publication.public_evidence.values_list("pk", flat=True)) if publication else set()
    evidence = list(
        Evidence.objects.filter(report__plan=plan)
        .select_related("report")
        .order_by("report__period", "added_at", "pk")
    )
    return render(
        request,
        "gallery/consent.html",
        {
            "plan": plan,
            "publication": publication,
            "evidence": evidence,
            "marked": marked,
            "shown": selectors.shown_plans().filter(pk=plan.pk).exists(),
        },
    )


# --- The coordinator -----------------------------------------------------------------


@login_required
@permission_required("gallery.publish", raise_exception=True)
@require_GET
def publishable(request):
    """Approved plans and their gallery status: consent, published; publish from here."""
    code = request.GET.get("cycle") or ""
    cycle = get_cycle_by_code(code) if code else None
    status = request.GET.get("status") or ""
    status = status if status in STATUSES else ""
    query = " ".join(request.GET.get("q", "").split())[:100]
    plans = selectors.publishable_plans(cycle=cycle, query=query, status=status)
    page = Paginator(plans, PUBLISHABLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "gallery/publishable.html",
        {
            "page": page,
            "cycles": cycle_choices(),
            "cycle": cycle,
            "status": status,
            "query": query,
        },
    )


def _back(request) -> str:
    # Back to the list as it was filtered (a path of this site only).
    back = request.POST.get("next", "")
    return (
        back if back.startswith(reverse("gallery:publishable")) else reverse("gallery:publishable")
    )


@login_required
@permission_required("gallery.publish", fn=_plan, raise_exception=True)
@require_POST
def publish(request, pk):
    plan = _plan(request, pk)
    try:
        services.publish(plan, by=request.user)
    except PlanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Rencana ditampilkan di galeri inovasi."))
    return redirect(_back(request))


@login_required
@permission_required("gallery.publish", fn=_plan, raise_exception=True)
@require_POST
def unpublish(request, pk):
    plan = _plan(request, pk)
    services.unpublish(plan, by=request.user)
    messages.success(request, _("Rencana ditarik dari galeri inovasi."))
    return redirect(_back(request))
