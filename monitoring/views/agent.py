"""The plan's "Pelaksanaan" tab, the progress report (written by the team, verified by
the plan's reviewer or a coordinator), its evidence, change requests, the closing report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rules.contrib.views import permission_required

from plans.enums import PlanState
from plans.services.common import PlanError

from .. import services
from ..enums import ReportState
from ..forms import ChangeRequestForm, ClosingForm, EvidenceForm, ReportForm, VerifyForm
from ..models import ClosingReport, ProgressReport
from ..periods import period_of
from ..selectors import plan_progress, report_page
from .common import act, evidence_response, plan_of, posted_id, report_of, report_url


@login_required
@permission_required("monitoring.view_progress", fn=plan_of, raise_exception=True)
@require_GET
def plan_tab(request, pk):
    plan = plan_of(request, pk)
    if plan.state not in PlanState.APPROVED_ONCE:
        raise Http404("Not approved")
    return _plan_page(request, plan)


def _plan_page(request, plan, *, progress=None, change_form=None):
    progress = progress or plan_progress(plan)
    if change_form is None and plan.state == PlanState.IMPLEMENTING:
        change_form = ChangeRequestForm(
            targets=progress.target_list, activities=progress.activity_list
        )
    return render(
        request,
        "monitoring/plan.html",
        {
            "plan": plan,
            "progress": progress,
            "chart": [
                {
                    "label": row.target.indicator,
                    "points": [
                        [end.isoformat(), float(planned), None if v is None else float(v)]
                        for end, planned, v in row.path
                    ],
                }
                for row in progress.targets
            ],
            "change_form": change_form,
        },
    )


def _report_context(request, report, form=None, verify_form=None):
    page = report_page(report)
    user = request.user
    can_write = (
        report.state in ReportState.EDITABLE
        and report.plan.state == PlanState.IMPLEMENTING
        and user.has_perm("monitoring.report_progress", report.plan)
    )
    can_verify = report.state == ReportState.SUBMITTED and user.has_perm(
        "monitoring.verify_progress", report.plan
    )
    if can_write and form is None:
        form = ReportForm(
            initial={"lock_version": report.lock_version, **_narrative(report)},
            values=page["values"],
            activities=page["activities"],
        )
    if can_verify and verify_form is None:
        verify_form = VerifyForm(values=page["values"])
    return {
        **page,
        "plan": report.plan,
        "form": form if can_write else None,
        "verify_form": verify_form if can_verify else None,
        "evidence_form": EvidenceForm() if can_write else None,
    }


def _narrative(report):
    return {n: getattr(report, n) for n in ("done_text", "obstacles", "next_steps", "answer")}


@login_required
@permission_required("monitoring.view_progress", fn=plan_of, raise_exception=True)
def report_detail(request, pk, period):
    """GET: the report (its form for the team, its verification for the verifier); a
    period the team has not begun shows a button that opens its draft (POST)."""
    plan = plan_of(request, pk)
    report = ProgressReport.objects.filter(plan=plan, period=period).first()
    may_report = request.user.has_perm("monitoring.report_progress", plan)
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied
        try:
            services.open_report(plan, period=period, by=request.user)
        except PlanError as exc:
            messages.error(request, str(exc.message))
            return redirect(reverse("monitoring:plan", args=[plan.pk]))
        return redirect(report_url(plan.pk, period))
    if report is None:
        found = period_of(plan.cycle, period)
        if (
            not may_report
            or found is None
            or plan.state != PlanState.IMPLEMENTING
            or found.start > timezone.localdate()
        ):
            raise Http404("No such report")
        return render(request, "monitoring/report_start.html", {"plan": plan, "period": found})
    report = report_of(request, pk, period)
    return render(request, "monitoring/report.html", _report_context(request, report))


@login_required
@permission_required("monitoring.report_progress", fn=plan_of, raise_exception=True)
@require_POST
def report_save(request, pk, period):
    """The autosave (htmx: the status line) and the form's "Simpan" button."""
    report = report_of(request, pk, period)
    page = report_page(report)
    form = ReportForm(request.POST, values=page["values"], activities=page["activities"])
    error = None
    if form.is_valid():
        try:
            report = services.save_report(report, by=request.user, **form.changes())
        except PlanError as exc:
            error = str(exc.message)
    else:
        error = _("Periksa isian yang ditandai.")
    if request.htmx:
        return render(
            request,
            "monitoring/partials/save_status.html",
            {"report": report, "error": error, "form": form},
        )
    if error:
        messages.error(request, error)
        context = _report_context(request, report, form=form)
        return render(request, "monitoring/report.html", context, status=200)
    messages.success(request, _("Laporan disimpan."))
    return redirect(report_url(pk, period))


@login_required
@permission_required("monitoring.report_progress", fn=plan_of, raise_exception=True)
@require_POST
def report_submit(request, pk, period):
    report = report_of(request, pk, period)
    return act(
        request,
        lambda: services.submit_report(report, by=request.user),
        _("Laporan diajukan untuk diverifikasi."),
        report_url(pk, period),
    )


@login_required
@permission_required("monitoring.report_progress", fn=plan_of, raise_exception=True)
@require_POST
def evidence_add(request, pk, period):
    report = report_of(request, pk, period)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(report_url(pk, period) + "#bukti")
    return act(
        request,
        lambda: services.add_evidence(
            report,
            by=request.user,
            uploaded=form.cleaned_data["file"],
            link=form.cleaned_data["link"],
            name=form.cleaned_data["name"],
        ),
        _("Bukti dukung ditambahkan."),
        report_url(pk, period) + "#bukti",
    )


@login_required
@permission_required("monitoring.view_progress", fn=plan_of, raise_exception=True)
@require_GET
def evidence_download(request, pk, period):
    report = report_of(request, pk, period)
    evidence = report.evidence.filter(pk=posted_id(request.GET.get("bukti"))).first()
    if evidence is None or not evidence.file:
        raise Http404("No such evidence")
    return evidence_response(evidence)


@login_required
@permission_required("monitoring.verify_progress", fn=plan_of, raise_exception=True)
@require_POST
def report_verify(request, pk, period):
    """Accept, or return with a comment per target: the plan's reviewer or a coordinator."""
    report = report_of(request, pk, period)
    page = report_page(report)
    form = VerifyForm(request.POST, values=page["values"])
    if not form.is_valid():
        context = _report_context(request, report, verify_form=form)
        return render(request, "monitoring/report.html", context)
    note = form.cleaned_data["note"]
    if form.cleaned_data["outcome"] == "accept":
        action = lambda: services.accept_report(report, by=request.user, note=note)  # noqa: E731
        done = _("Laporan diterima; realisasinya kini dihitung.")
    else:
        comments = form.comments()
        action = lambda: services.return_report(  # noqa: E731
            report, by=request.user, comments=comments, note=note
        )
        done = _("Laporan dikembalikan kepada agen.")
    return act(request, action, done, report_url(pk, period))


@login_required
@permission_required("monitoring.request_change", fn=plan_of, raise_exception=True)
@require_POST
def change_request(request, pk):
    """The team's change request: the new values of targets and activities, what and why.
    A refusal shows the tab again with the message on its field."""
    plan = plan_of(request, pk)
    progress = plan_progress(plan)
    form = ChangeRequestForm(
        request.POST, targets=progress.target_list, activities=progress.activity_list
    )
    if form.is_valid():
        try:
            services.request_change(plan, by=request.user, **form.requested())
        except PlanError as exc:
            form.refuse(exc)
        else:
            messages.success(request, _("Permintaan perubahan dikirim kepada koordinator."))
            return redirect(reverse("monitoring:plan", args=[pk]) + "#perubahan")
    messages.error(request, _("Periksa permintaan perubahan yang ditandai."))
    return _plan_page(request, plan, progress=progress, change_form=form)


@login_required
@permission_required("monitoring.view_progress", fn=plan_of, raise_exception=True)
def closing(request, pk):
    """The closing report: written by the team in implementation, read by whoever sees
    the plan."""
    plan = plan_of(request, pk)
    current = ClosingReport.objects.filter(plan=plan).first()
    may_write = plan.state == PlanState.IMPLEMENTING and request.user.has_perm(
        "monitoring.report_progress", plan
    )
    if current is None and not may_write:
        raise Http404("No closing report")
    form = None
    if may_write:
        initial = {}
        if current is not None:
            initial = {f: getattr(current, f) for f in ClosingForm.base_fields if f != "decree"}
        form = ClosingForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_closing_report(
                    plan, by=request.user, data=data, decree=data.pop("decree")
                )
            except PlanError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Laporan akhir disimpan."))
                return redirect(reverse("monitoring:plan", args=[pk]))
    elif request.method == "POST":
        raise Http404("Not writable")
    return render(
        request, "monitoring/closing.html", {"plan": plan, "closing": current, "form": form}
    )
