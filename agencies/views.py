"""The agency search behind every searchable agency filter (agencies.forms)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from .models import Agency

SEARCH_LIMIT = 20


@login_required
@permission_required("plans.view_plan_list", raise_exception=True)
@require_GET
def search(request):
    """The <option>s of the agencies matching `?cari=` (name, abbreviation or code), at
    most SEARCH_LIMIT, the first one chosen; `?aktif=1` only active agencies; `?kosong=`
    the label of the empty choice."""
    query = request.GET.get("cari", "").strip()[:100]
    agencies = Agency.objects.order_by("name").only("pk", "name", "abbreviation")
    if request.GET.get("aktif"):
        agencies = agencies.filter(is_active=True)
    if query:
        agencies = agencies.filter(
            Q(name__icontains=query) | Q(abbreviation__icontains=query) | Q(code__iexact=query)
        )
    found = list(agencies[: SEARCH_LIMIT + 1])
    more = ""
    if len(found) > SEARCH_LIMIT:
        found = found[:SEARCH_LIMIT]
        more = _("… ketik lebih banyak untuk mempersempit")
    return render(
        request,
        "agencies/search_options.html",
        {
            "agencies": found,
            "query": query,
            "empty": request.GET.get("kosong", "")[:60] or _("Semua"),
            "more": more,
        },
    )
