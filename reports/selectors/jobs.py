"""Reads of the report jobs: "Laporan saya", one job of its requester, a download, and
the public verification of a printed code. Jobs are their requester's own:
every lookup 404s for a missing job and for someone else's alike."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from agents.models import Agent, User
from plans.models import ActionPlan, Cycle

from ..enums import JobStatus, ReportKind
from ..models import AGENT_KINDS, CYCLE_KINDS, PLAN_KINDS, ReportJob
from ..rules import may_see_subject
from ..verification import packet_tag_matches, parse_packet_code


def jobs_of(user: User) -> QuerySet:
    """The user's own jobs, newest first ("Laporan saya")."""
    return ReportJob.objects.filter(requested_by=user).order_by("-created_at", "-id")


def get_job_for(user: User, pk: int) -> ReportJob:
    """One of the user's own jobs; 404 for both missing and someone else's."""
    job = jobs_of(user).filter(pk=pk).first() if user.is_authenticated else None
    if job is None:
        raise Http404("No such report")
    return job


def get_download_for(user: User, pk: int) -> ReportJob:
    """A finished job of the user whose subject they may still see; 404 otherwise."""
    job = get_job_for(user, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("Report not ready")
    if not may_see_subject(user, job.kind, job.params):
        raise Http404("No such report")
    return job


@dataclass(frozen=True)
class JobRow:
    """A job, what it is about, and what the request form needs to ask for it again (the
    plan's or the agent's id, or the cycle's code; empty when the subject no longer
    exists)."""

    job: ReportJob
    subject: str
    plan_id: int | None = None
    cycle_code: str = ""
    agent_id: int | None = None

    @property
    def can_request_again(self) -> bool:
        return self.plan_id is not None or bool(self.cycle_code) or self.agent_id is not None


def job_rows(jobs: list[ReportJob]) -> list[JobRow]:
    """Each job with what it is about (the plan's title, the cycle's name, the agent's
    name): at most three queries for a whole page of jobs. A finished job names what it
    printed."""
    plan_ids = {j.params.get("plan_id") for j in jobs if j.kind in PLAN_KINDS}
    cycle_ids = {j.params.get("cycle_id") for j in jobs if j.kind in CYCLE_KINDS}
    agent_ids = {j.params.get("agent_id") for j in jobs if j.kind in AGENT_KINDS}
    agents = dict(
        Agent.objects.filter(pk__in=agent_ids).values_list("pk", "user__name") if agent_ids else []
    )
    plans = dict(
        ActionPlan.objects.filter(pk__in=plan_ids).values_list("pk", "title") if plan_ids else []
    )
    cycles = {
        pk: (name, code)
        for pk, name, code in (
            Cycle.objects.filter(pk__in=cycle_ids).values_list("pk", "name", "code")
            if cycle_ids
            else []
        )
    }
    rows = []
    for job in jobs:
        if job.kind in PLAN_KINDS:
            plan_id = job.params.get("plan_id")
            subject = plans.get(plan_id, "")
            row = JobRow(
                job=job,
                subject=subject or job.title or "—",
                plan_id=plan_id if plan_id in plans else None,
            )
        elif job.kind in AGENT_KINDS:
            agent_id = job.params.get("agent_id")
            row = JobRow(
                job=job,
                subject=agents.get(agent_id) or job.title or "—",
                agent_id=agent_id if agent_id in agents else None,
            )
        else:
            name, code = cycles.get(job.params.get("cycle_id"), ("", ""))
            row = JobRow(job=job, subject=name or job.title or "—", cycle_code=code)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class VerifiedDocument:
    """What the public verification page may say about a document: never its content."""

    code: str
    kind: str
    title: str
    agency_name: str
    issued_at: dt.datetime
    requested_by: str
    part_of: str = ""


def verify_code(code: str) -> VerifiedDocument | None:
    """The document a printed code names: a finished job's own document, or one packet of
    a finished batch (`<job id>-<plan id>-<tag>`, reports.verification). A batch's packet
    is confirmed only with its own tag, so one packet's code never leads to the others."""
    code = code.strip().upper()
    packet = parse_packet_code(code)
    if packet is not None:
        return _verify_packet(code, *packet)
    if not code.isalnum():
        return None
    job = (
        ReportJob.objects.filter(verification_code=code, status=JobStatus.DONE)
        .exclude(kind=ReportKind.CYCLE_PACKETS)  # the archive itself carries no printed code
        .select_related("requested_by")
        .first()
    )
    if job is None:
        return None
    return VerifiedDocument(
        code=code,
        kind=str(job.get_kind_display()),
        title=job.title,
        agency_name=job.agency_name,
        issued_at=job.finished_at,
        requested_by=str(job.requested_by),
    )


def _verify_packet(code: str, job_id: int, plan_id: int, tag: str) -> VerifiedDocument | None:
    job = (
        ReportJob.objects.filter(
            pk=job_id,
            kind=ReportKind.CYCLE_PACKETS,
            status=JobStatus.DONE,
            verification_code__isnull=False,
        )
        .select_related("requested_by")
        .first()
    )
    if job is None or not packet_tag_matches(job.verification_code, plan_id, tag):
        return None
    if not any(plan_id in chunk for chunk in job.batch.get("chunks", [])):
        return None
    plan = ActionPlan.objects.filter(pk=plan_id).select_related("agency").first()
    if plan is None:
        return None
    return VerifiedDocument(
        code=code,
        kind=str(ReportKind.REVIEW_PACKET.label),
        title=plan.title,
        agency_name=plan.agency.name,
        issued_at=job.finished_at,
        requested_by=str(job.requested_by),
        part_of=job.title,
    )
