"""The coordinator's wording of the cycle's messages (`plans.message_templates`): the list
of kinds in both languages, and one wording's editor with its placeholders and a preview
made from one of the cycle's plans."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from plans import message_templates
from plans.models import ActionPlan
from plans.models.messages import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from plans.selectors import cycle_choices
from plans.services.common import PlanError
from plans.services.messages import (
    EDIT,
    check_wording,
    reset_message_template,
    save_message_template,
)

from .common import chosen_cycle, form_error


class WordingForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Judul"), max_length=SUBJECT_MAX_LENGTH)
    body = forms.CharField(
        label=gettext_lazy("Isi"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


@login_required
@permission_required(EDIT, raise_exception=True)
@require_GET
def message_list(request):
    """Every kind of message of the cycle, in each language: its subject now, and whether
    the cycle has its own wording."""
    cycle = chosen_cycle(request)
    rows = []
    if cycle is not None:
        for kind in message_templates.KINDS.values():
            cells = []
            for language, label in settings.LANGUAGES:
                subject, _body, edited = message_templates.wording(cycle, kind.key, language)
                query = urlencode({"cycle": cycle.code, "kind": kind.key, "language": language})
                cells.append(
                    {
                        "language": label,
                        "subject": subject,
                        "edited": edited,
                        "url": f"{reverse('assessment:message_edit')}?{query}",
                    }
                )
            rows.append({"kind": kind, "cells": cells})
    return render(
        request,
        "assessment/messages.html",
        {"cycle": cycle, "cycles": cycle_choices(), "rows": rows},
    )


def _preview(cycle, kind, language, subject, body):
    plan = (
        ActionPlan.objects.filter(cycle=cycle).select_related("owner__user").order_by("pk").first()
    )
    values = message_templates.sample_values(cycle, plan)
    return message_templates.render_text(subject, body, language=language, **values)


@login_required
@permission_required(EDIT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def message_edit(request):
    """One wording (`?kind=…&language=…`): "Pratinjau" shows it filled in without saving,
    "Simpan" saves it (checked: no placeholder the kind does not fill), "Kembalikan"
    returns to the default wording."""
    cycle = chosen_cycle(request)
    params = request.POST if request.method == "POST" else request.GET
    kind = message_templates.KINDS.get(params.get("kind", ""))
    language = params.get("language", "")
    if cycle is None or kind is None or language not in dict(settings.LANGUAGES):
        raise Http404("No such message")
    subject, body, edited = message_templates.wording(cycle, kind.key, language)
    form = WordingForm(request.POST or None, initial={"subject": subject, "body": body})
    back = f"{reverse('assessment:messages')}?{urlencode({'cycle': cycle.code})}"
    if request.method == "POST" and "reset" in request.POST:
        reset_message_template(cycle, kind=kind.key, language=language, by=request.user)
        messages.success(request, _("Teks pesan dikembalikan ke teks bawaan."))
        return redirect(back)
    if request.method == "POST" and form.is_valid():
        subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
        try:
            if "save" in request.POST:
                save_message_template(
                    cycle,
                    kind=kind.key,
                    language=language,
                    subject=subject,
                    body=body,
                    by=request.user,
                )
                messages.success(request, _("Teks pesan tersimpan."))
                return redirect(back)
            check_wording(kind.key, subject=subject.strip(), body=body.strip())
        except PlanError as error:
            form_error(form, error)
    # A refused wording has no preview (its field says why); anything else is shown filled.
    refused = form.is_bound and not form.is_valid()
    status = 400 if refused else 200
    preview = None if refused else _preview(cycle, kind, language, subject, body)
    return render(
        request,
        "assessment/message_edit.html",
        {
            "cycle": cycle,
            "kind": kind,
            "language": language,
            "language_label": dict(settings.LANGUAGES)[language],
            "edited": edited,
            "form": form,
            "preview": preview,
            "placeholders": [message_templates.PLACEHOLDERS[n] for n in kind.placeholders],
            "back": back,
        },
        status=status,
    )
