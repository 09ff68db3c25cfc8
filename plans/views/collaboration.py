"""Pages around the editor: mentoring threads, attachments, the team, version diffs and
the printable preview."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from agenplan.request_guard import accepts_upload

from .. import selectors
from ..attachments import max_attachment_bytes
from ..diff import plan_diff
from ..enums import PlanSection
from ..forms import AttachmentForm, CoAgentForm, ReplyForm, ThreadForm
from ..services import collaboration, content
from ..services.common import PlanError
from . import _plan
from .editor import _render_editor


def _id(value) -> int:
    """A row id from a form or query parameter; anything else is "not found"."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("No such row") from None
    if number < 1:
        raise Http404("No such row")
    return number


# --- Mentoring threads --------------------------------------------------------------------


def _threads_page(request, plan, *, form=None, reply_forms=None, status=200):
    section = request.GET.get("bagian", "")
    if section not in PlanSection.values:
        section = ""
    threads = selectors.plan_threads(plan, viewer=request.user, section=section)
    context = {
        "plan": plan,
        "threads": threads,
        "section": section,
        "section_labels": dict(PlanSection.choices),
        "form": form or ThreadForm(plan=plan, initial={"anchor": f"section:{section}"}),
        "reply_forms": reply_forms or {},
        "can_comment": request.user.has_perm("plans.comment_actionplan", plan),
    }
    response = render(request, "plans/threads.html", context, status=status)
    # Reading the page marks what was shown as read (after rendering its unread marks).
    collaboration.mark_threads_read(threads, user=request.user)
    return response


@login_required
@permission_required("plans.view_actionplan", fn=_plan, raise_exception=True)
@require_GET
def thread_list(request, pk):
    plan = _plan(request, pk)
    return _threads_page(request, plan)


def _anchor(plan, value: str):
    kind, _sep, ident = value.partition(":")
    if kind == "section":
        return {"section": ident}
    try:
        number = int(ident)
    except ValueError:
        return None
    if kind == "activity":
        row = plan.activities.filter(pk=number).first()
        return {"section": PlanSection.ACTIVITIES, "activity": row} if row else None
    if kind == "target":
        row = plan.targets.filter(pk=number).first()
        return {"section": PlanSection.TARGETS, "target": row} if row else None
    return None


@login_required
@permission_required("plans.comment_actionplan", fn=_plan, raise_exception=True)
@require_POST
def thread_start(request, pk):
    plan = _plan(request, pk)
    form = ThreadForm(request.POST, plan=plan)
    if form.is_valid():
        anchor = _anchor(plan, form.cleaned_data["anchor"])
        if anchor is None:
            form.add_error("anchor", _("Pilih bagian rencana yang dikomentari."))
        else:
            try:
                thread = collaboration.start_thread(
                    plan, body=form.cleaned_data["body"], by=request.user, **anchor
                )
            except PlanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Komentar terkirim."))
                url = reverse("plans:threads", args=[plan.pk])
                return redirect(f"{url}?bagian={thread.section}#utas-{thread.pk}")
    return _threads_page(request, plan, form=form, status=200)


@login_required
@permission_required("plans.comment_actionplan", fn=_plan, raise_exception=True)
@require_POST
def thread_reply(request, pk):
    plan = _plan(request, pk)
    thread = selectors.get_thread_for(request.user, plan, _id(request.POST.get("utas")))
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            collaboration.reply_to_thread(thread, body=form.cleaned_data["body"], by=request.user)
        except PlanError as exc:
            form.add_error("body", str(exc.message))
        else:
            url = reverse("plans:threads", args=[plan.pk])
            return redirect(f"{url}?bagian={thread.section}#utas-{thread.pk}")
    return _threads_page(request, plan, reply_forms={thread.pk: form})


@login_required
@permission_required("plans.comment_actionplan", fn=_plan, raise_exception=True)
@require_POST
def thread_resolve(request, pk):
    plan = _plan(request, pk)
    thread = selectors.get_thread_for(request.user, plan, _id(request.POST.get("utas")))
    try:
        collaboration.resolve_thread(thread, by=request.user)
    except PlanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Utas ditandai selesai."))
    url = reverse("plans:threads", args=[plan.pk])
    return redirect(f"{url}?bagian={thread.section}#utas-{thread.pk}")


# --- Attachments --------------------------------------------------------------------------


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_POST
@accepts_upload(max_attachment_bytes)
def attachment_add(request, pk):
    plan = _plan(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            collaboration.add_attachment(
                plan,
                uploaded=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except PlanError as exc:
            form.add_error("file" if exc.field == "file" else None, str(exc.message))
        else:
            messages.success(request, _("Lampiran tersimpan."))
            return redirect(reverse("plans:edit", args=[plan.pk]) + "#section-attachments")
    if not plan.is_editable:
        messages.error(request, _("Lampiran hanya dapat diubah selama rencana masih draf."))
        return redirect("plans:detail", pk=plan.pk)
    # The refusal is shown at the upload box, and the page opens there with the focus on it.
    form.fields["file"].widget.attrs["autofocus"] = True
    return _render_editor(request, plan, attachment_form=form)


@login_required
@permission_required("plans.view_actionplan", fn=_plan, raise_exception=True)
@require_GET
def attachment_download(request, pk):
    """A stored file, to users who may see the plan only (the files are not public)."""
    plan = _plan(request, pk)
    attachment = selectors.get_attachment_for(plan, _id(request.GET.get("berkas")))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    collaboration.record_attachment_download(attachment, by=request.user)
    response = FileResponse(
        handle,
        as_attachment=attachment.content_type not in ("application/pdf", "image/png", "image/jpeg"),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_POST
def attachment_delete(request, pk):
    plan = _plan(request, pk)
    attachment = selectors.get_attachment_for(plan, _id(request.POST.get("berkas")))
    try:
        collaboration.delete_attachment(attachment, by=request.user)
    except PlanError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Lampiran dihapus."))
    return redirect(reverse("plans:edit", args=[plan.pk]) + "#section-attachments")


# --- The team -----------------------------------------------------------------------------


@login_required
@permission_required("plans.change_team_actionplan", fn=_plan, raise_exception=True)
@require_POST
def team_add(request, pk):
    plan = _plan(request, pk)
    form = CoAgentForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            collaboration.invite_co_agent(plan, agent=form.cleaned_data["agent"], by=request.user)
        except PlanError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("%(name)s sekarang anggota tim rencana ini.")
                % {"name": form.cleaned_data["agent"].user.name},
            )
    else:
        messages.error(request, _("Pilih agen perubahan dari daftar."))
    return redirect(reverse("plans:edit", args=[plan.pk]) + "#section-identity")


@login_required
@permission_required("plans.change_actionplan", fn=_plan, raise_exception=True)
@require_POST
def team_remove(request, pk):
    """A member of the plan's team removes a co-agent: the owner anyone
    (`plans.change_team_actionplan`), a co-agent themselves (`plans.leave_team_actionplan`);
    the service asks the rule that fits."""
    plan = _plan(request, pk)
    agent = selectors.get_co_agent_for(plan, _id(request.POST.get("agen")))
    try:
        collaboration.remove_co_agent(plan, agent=agent, by=request.user)
    except PlanError as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("plans:edit", args=[plan.pk]) + "#section-identity")
    messages.success(request, _("%(name)s keluar dari tim.") % {"name": agent.user.name})
    if agent.user_id == request.user.pk:
        return redirect("plans:my_plans")
    return redirect(reverse("plans:edit", args=[plan.pk]) + "#section-identity")


# --- Versions and their differences ---------------------------------------------------------


def _state(plan, value: str, versions):
    """("current" or a version number) → (label, snapshot)."""
    if value == "current":
        return _("Draf saat ini"), content.snapshot_plan(plan)
    try:
        number = int(value)
    except ValueError:
        raise Http404("No such version") from None
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404("No such version")
    return _("Versi %(n)d") % {"n": version.number}, version.snapshot


@login_required
@permission_required("plans.view_actionplan", fn=_plan, raise_exception=True)
@require_GET
def plan_compare(request, pk):
    """Any two versions of the plan (or a version and the current draft), section by
    section, words added and removed highlighted."""
    plan = selectors.plan_with_contents(_plan(request, pk))
    versions = sorted(plan.versions.all(), key=lambda v: v.number)
    options = [("current", _("Draf saat ini"))] if plan.is_editable else []
    options += [(str(v.number), _("Versi %(n)d") % {"n": v.number}) for v in versions]
    if not versions:
        return render(
            request,
            "plans/compare.html",
            {"plan": plan, "options": options, "sections": None},
        )
    default_new = "current" if plan.is_editable else str(versions[-1].number)
    default_old = (
        str(versions[-1].number)
        if plan.is_editable or len(versions) == 1
        else str(versions[-2].number)
    )
    old_value = request.GET.get("dari", default_old)
    new_value = request.GET.get("ke", default_new)
    old_label, old = _state(plan, old_value, versions)
    new_label, new = _state(plan, new_value, versions)
    sections = plan_diff(old, new)
    return render(
        request,
        "plans/compare.html",
        {
            "plan": plan,
            "options": options,
            "old_value": old_value,
            "new_value": new_value,
            "old_label": old_label,
            "new_label": new_label,
            "sections": sections,
            "changed_count": sum(1 for s in sections if s.changed),
        },
    )


# --- The printable preview ------------------------------------------------------------------


@login_required
@permission_required("plans.view_actionplan", fn=_plan, raise_exception=True)
@require_GET
def plan_preview(request, pk):
    """The plan as reviewers will see it, laid out for printing (A4)."""
    plan = selectors.plan_with_contents(_plan(request, pk))
    return render(
        request,
        "plans/preview.html",
        {"plan": plan, "months": selectors.schedule_months(plan)},
    )
