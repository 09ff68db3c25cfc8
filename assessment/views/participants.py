"""The coordinator's import of participants: upload, dry run shown row by row, then the
confirmation that writes the checked file in one transaction."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from agenplan.request_guard import accepts_upload
from agents.invitations import invitation_requested, invite_users
from agents.models import User
from agents.validators import normalize_nip

from .. import services
from ..forms import ParticipantsUploadForm
from ..import_files import MAX_ROWS, ImportFileError, max_file_bytes, read_rows
from ..services.staging import discard_staged, read_staged, stage_upload


@login_required
@permission_required("assessment.import_participants", raise_exception=True)
@require_http_methods(["GET", "POST"])
@accepts_upload(max_file_bytes)
def participants(request):
    """Upload a file; the dry run shows every row's outcome before anything is written."""
    form = ParticipantsUploadForm(request.POST or None, request.FILES or None)
    plan = token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            rows = read_rows(upload.name, content)
        except ImportFileError as error:
            form.add_error("file", str(error.message))
        else:
            plan = services.import_participants(rows, by=request.user, dry_run=True)
            if plan.ok:
                token = stage_upload(upload.name, content)
    return render(
        request, "assessment/participants.html", {"form": form, "plan": plan, "token": token}
    )


@login_required
@permission_required("assessment.import_participants", raise_exception=True)
@require_POST
def participants_confirm(request):
    """Write the checked file in one transaction (checked again inside it)."""
    token = request.POST.get("token", "")
    content = read_staged(token)
    if content is None:
        messages.error(request, _("Berkas uji coba tidak ditemukan; unggah ulang."))
        return redirect("assessment:participants")
    rows = read_rows(token, content)
    # The rows of other agencies' users that the coordinator ticked in the dry run.
    confirmed = frozenset(normalize_nip(nip) for nip in request.POST.getlist("confirm")[:MAX_ROWS])
    plan = services.import_participants(rows, by=request.user, confirmed=confirmed)
    if not plan.ok:
        messages.error(request, _("Data berubah sejak uji coba; periksa kembali."))
        return render(
            request,
            "assessment/participants.html",
            {"form": ParticipantsUploadForm(), "plan": plan, "token": None},
        )
    discard_staged(token)
    messages.success(
        request,
        _(
            "Impor selesai: %(created)s dibuat, %(updated)s diperbarui, %(unchanged)s tetap, "
            "%(skipped)s tidak diubah (akun dilindungi atau tidak dikonfirmasi)."
        )
        % {
            "created": plan.created,
            "updated": plan.updated,
            "unchanged": plan.unchanged,
            "skipped": plan.protected + plan.awaiting_confirmation,
        },
    )
    if plan.created and invitation_requested(request.POST):
        _invite_created(request, plan)
    return redirect("assessment:participants")


def _invite_created(request, plan) -> None:
    """The "undang" checkbox of the confirmation: invite the accounts the import created."""
    created = [row.values["nip"] for row in plan.rows if row.action == "create"]
    result = invite_users(User.objects.filter(nip__in=created), request.user)
    messages.info(
        request,
        _("Undangan dikirim ke %(invited)s akun baru; %(skipped)s tanpa alamat e-mail.")
        % {"invited": len(result.invited) + len(result.resent), "skipped": len(result.skipped)},
    )
