"""Similar innovations across agencies: the list beside the editor and on the
coordinator's plan page (an htmx fragment), the coordinator's search by free text, and
the coordinator's links between plans (kolaborasi, replikasi). The province's alignment
map, the fragment the board and the dashboard load."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from ..enums import LinkKind
from ..models import PlanLink
from ..selectors import get_plan_for
from ..selectors.similar import plan_links, similar_plans, similar_to_plan
from ..services.common import PlanError
from ..services.links import link_plans, unlink_plans

TEXT_MAX = 2000


def _text(request, name) -> str | None:
    """A typed text to compare, as words: a NUL character is no word (and PostgreSQL
    refuses one in a query), so it is dropped."""
    value = request.GET.get(name)
    return None if value is None else value.replace("\x00", "")[:TEXT_MAX]


@login_required
@require_GET
def similar(request, pk):
    """The plans most similar to this one's problem and innovation: as saved, or as the
    editor sends its fields while the agent types (`title`, `strategic_issue`,
    `innovation`)."""
    plan = get_plan_for(request.user, pk)
    if not request.user.has_perm("plans.view_similar", plan):
        raise PermissionDenied
    texts = {
        key: value
        for key, value in (
            ("title", _text(request, "title")),
            ("problem", _text(request, "strategic_issue")),
            ("innovation", _text(request, "innovation")),
        )
        if value is not None
    }
    return render(
        request,
        "plans/partials/similar_list.html",
        {
            "plan": plan,
            "similar": similar_to_plan(plan, **texts),
            "linked": {item.plan.pk for item in plan_links(plan)},
            "may_link": request.user.has_perm("plans.link_plans", plan),
            "kinds": LinkKind.choices,
        },
    )


@login_required
@permission_required("plans.search_similar", raise_exception=True)
@require_GET
def similar_search(request):
    """The coordinator's search for similar innovations by free text (the board's box)."""
    query = _text(request, "q") or ""
    return render(
        request,
        "plans/partials/similar_list.html",
        {"similar": similar_plans(innovation=query, problem="", title=query) if query else []},
    )


@login_required
@require_POST
def link(request, pk):
    plan = get_plan_for(request.user, pk)
    if not request.user.has_perm("plans.link_plans", plan):
        raise PermissionDenied
    try:
        other = get_plan_for(request.user, int(request.POST.get("other", "")))
    except ValueError as error:
        raise Http404("No such plan") from error
    try:
        link_plans(
            plan,
            other,
            kind=request.POST.get("kind", ""),
            note=request.POST.get("note", ""),
            by=request.user,
        )
    except PlanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Rencana ditautkan."))
    return redirect("plans:detail", plan.pk)


@login_required
@require_POST
def unlink(request, pk):
    plan = get_plan_for(request.user, pk)
    if not request.user.has_perm("plans.link_plans", plan):
        raise PermissionDenied
    link_id = request.POST.get("link", "")
    entry = (
        PlanLink.objects.filter(Q(plan=plan) | Q(other=plan), pk=int(link_id))
        .select_related("plan", "other")
        .first()
        if link_id.isdigit()
        else None
    )
    if entry is None:
        raise Http404("No such link")
    unlink_plans(entry, by=request.user)
    messages.success(request, _("Tautan rencana dihapus."))
    return redirect("plans:detail", plan.pk)
