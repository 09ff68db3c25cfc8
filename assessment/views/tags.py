"""The coordinator's triage tags: the cycle's tags (create, delete) and adding or removing
one on the plans chosen on the decision board."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from plans.models import ActionPlan
from plans.selectors import cycle_choices

from ..models import PlanTag
from ..models.tags import TAG_NAME_MAX_LENGTH
from ..services import PlanError
from ..services.tags import PERMISSION, create_tag, delete_tag, tag_plans
from .common import chosen_cycle, form_error, with_cycle


class TagForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nama label"), max_length=TAG_NAME_MAX_LENGTH)


def _tag_of(cycle, raw) -> PlanTag:
    tag = PlanTag.objects.filter(cycle=cycle, pk=raw).first() if str(raw).isdigit() else None
    if tag is None:
        raise Http404("No such tag")
    return tag


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def tags(request):
    """The cycle's tags with how many plans carry each; a new tag by name."""
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            create_tag(cycle, name=form.cleaned_data["name"], by=request.user)
        except PlanError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Label dibuat."))
            return redirect(with_cycle("assessment:tags", cycle))
    listed = PlanTag.objects.filter(cycle=cycle).annotate(n=Count("taggings"))
    return render(
        request,
        "assessment/tags.html",
        {"cycle": cycle, "cycles": cycle_choices(), "form": form, "tags": listed},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def tag_delete(request):
    cycle = chosen_cycle(request)
    tag = _tag_of(cycle, request.POST.get("tag", ""))
    delete_tag(tag, by=request.user)
    messages.success(request, _("Label “%(name)s” dihapus.") % {"name": tag.name})
    return redirect(with_cycle("assessment:tags", cycle))


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def tag_apply(request):
    """Add (`action=add`) or remove the chosen tag on the plans ticked on the decision
    board; back to the board with what changed."""
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404("No cycle")
    back = with_cycle("assessment:decisions", cycle)
    raw_tag = request.POST.get("tag", "")
    if not raw_tag:
        messages.error(request, _("Pilih label lebih dulu."))
        return redirect(back)
    tag = _tag_of(cycle, raw_tag)
    ids = [int(raw) for raw in request.POST.getlist("tagged")[:1000] if raw.isdigit()]
    plans = ActionPlan.objects.filter(cycle=cycle, pk__in=ids)
    if not ids:
        messages.error(request, _("Pilih rencana yang diberi label."))
        return redirect(back)
    add = request.POST.get("action") != "remove"
    changed = tag_plans(tag, list(plans), add=add, by=request.user)
    text = (
        _("Label “%(name)s” dipasang pada %(n)s rencana.")
        if add
        else _("Label “%(name)s” dilepas dari %(n)s rencana.")
    )
    messages.success(request, text % {"name": tag.name, "n": changed})
    return redirect(back)
