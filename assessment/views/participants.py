"""The coordinator's import of participants: upload, the dry run checked in the background
and shown row by row, the confirmation that writes it in the background, the result, the
refused rows as a spreadsheet, and the example file."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from agenplan.request_guard import accepts_upload
from agenplan.site import site_url
from agents.invitations import invitation_requested
from agents.validators import normalize_nip

from ..enums import ImportStatus
from ..forms import ParticipantsUploadForm
from ..import_files import MAX_ROWS, ImportFileError, check_header, max_file_bytes
from ..import_sheets import XLSX_TYPE, column_help, example_workbook, refused_workbook
from ..models import ParticipantImport
from ..services import import_jobs

ROWS_PER_PAGE = 500
ROWS_REMOVED = _lazy(
    "Rincian per baris impor ini sudah dihapus (disimpan %(days)s hari); jumlahnya tetap tercatat."
)
IMPORT_PERMISSION = "assessment.import_participants"


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
@accepts_upload(max_file_bytes)
def participants(request):
    """Upload a file: its header is checked at once, its rows in the background."""
    form = ParticipantsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            check_header(upload.name, content)
        except ImportFileError as error:
            form.add_error("file", str(error.message))
        else:
            job = import_jobs.request_import(upload.name, content, by=request.user)
            return redirect("assessment:participant_import", pk=job.pk)
    recent = (
        ParticipantImport.objects.select_related("requested_by")
        .defer("outcome", "refused_rows")
        .order_by("-requested_at", "-id")[:10]
    )
    return render(
        request,
        "assessment/participants.html",
        {"form": form, "columns": column_help(), "recent": recent},
    )


def _job(pk: int, *, full: bool = True) -> ParticipantImport:
    jobs = ParticipantImport.objects.select_related("requested_by", "confirmed_by")
    return get_object_or_404(jobs if full else jobs.defer("outcome", "refused_rows"), pk=pk)


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_GET
def participant_import(request, pk: int):
    """The import's page: its progress while checked or written, then the rows (the dry
    run, with the confirmation) or the result."""
    job = _job(pk, full=False)
    page, rows_removed = None, False
    if job.status in (ImportStatus.CHECKED, ImportStatus.DONE):
        outcome = ParticipantImport.objects.values_list("outcome", flat=True).get(pk=pk)
        rows_removed = bool(job.rows_total) and not outcome
        only_refused = request.GET.get("tampil") == "ditolak"
        if only_refused:
            outcome = [row for row in outcome if row["errors"]]
        page = Paginator(outcome, ROWS_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "assessment/participant_import.html",
        {
            "job": job,
            "page": page,
            "rows_removed": rows_removed,
            "retention_days": settings.AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS,
            "only_refused": request.GET.get("tampil") == "ditolak",
        },
    )


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_GET
def participant_import_status(request, pk: int):
    """The progress fragment the page polls (htmx) while the import is active; once it
    has ended, the page is loaded again (HX-Refresh)."""
    job = _job(pk, full=False)
    response = render(request, "assessment/partials/participant_import_status.html", {"job": job})
    if not job.is_active:
        response["HX-Refresh"] = "true"
    return response


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_POST
def participant_import_confirm(request, pk: int):
    """Write the checked file in the background; a second confirmation says why not."""
    job = _job(pk, full=False)
    confirmed = [normalize_nip(nip) for nip in request.POST.getlist("confirm")[:MAX_ROWS]]
    try:
        import_jobs.confirm_import(
            job,
            by=request.user,
            confirmed_nips=confirmed,
            skip_invalid=request.POST.get("skip_invalid") == "1",
            send_invitations=invitation_requested(request.POST),
            base_url=site_url(request),
        )
    except import_jobs.ImportRefused as refused:
        messages.warning(request, str(refused.message))
    return redirect("assessment:participant_import", pk=job.pk)


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_GET
def participant_import_refused(request, pk: int):
    """The refused rows as the file had them, with a reason column (XLSX)."""
    job = _job(pk)
    if job.refused and not job.refused_rows:
        messages.info(
            request, ROWS_REMOVED % {"days": settings.AGENPLAN_IMPORT_DETAILS_RETENTION_DAYS}
        )
        return redirect("assessment:participant_import", pk=job.pk)
    if not job.refused_rows:
        messages.info(request, _("Tidak ada baris yang ditolak."))
        return redirect("assessment:participant_import", pk=job.pk)
    response = HttpResponse(refused_workbook(job.refused_rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ditolak-impor-{job.pk}.xlsx"'
    return response


@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
@require_GET
def participants_example(request):
    """The example participants file, ready to be filled in."""
    response = HttpResponse(example_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="contoh-peserta.xlsx"'
    return response
