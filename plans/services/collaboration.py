"""Working on a plan together: co-agents, mentoring threads, attachments."""

import datetime as dt

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents.models import Agent, User
from agents.notifications import send_many
from agents.services import record_activity

from ..attachments import AttachmentRefused, check_upload, storage_name
from ..enums import PlanSection, PlanState
from ..message_templates import message
from ..models import ActionPlan, Activity, Attachment, Comment, CommentThread, Target
from ..models import ThreadReadMarker as ReadMarker
from .common import PlanError, _require

# --- Team ------------------------------------------------------------------------------


def invite_co_agent(plan: ActionPlan, *, agent: Agent, by: User) -> ActionPlan:
    """The plan's owner adds an agent of the same agency to the team; they edit too."""
    _require(
        by,
        "plans.change_team_actionplan",
        plan,
        _("Hanya penyusun utama yang dapat mengundang anggota tim."),
    )
    if plan.state not in PlanState.EDITABLE:
        raise PlanError(_("Anggota tim hanya dapat diubah selama rencana masih draf."))
    if not agent.is_active or agent.agency_id != plan.agency_id:
        raise PlanError(
            _("Anggota tim harus agen perubahan aktif dari perangkat daerah yang sama."),
            field="agent",
        )
    if agent.pk == plan.owner_id or plan.co_agents.filter(pk=agent.pk).exists():
        raise PlanError(_("Agen ini sudah menjadi anggota tim."), field="agent")
    with transaction.atomic():
        plan.co_agents.add(agent)
        record_activity(
            actor=by, action="plan.team_add", obj=plan, note=str(agent), data={"agent": agent.pk}
        )
    return plan


def remove_co_agent(plan: ActionPlan, *, agent: Agent, by: User) -> ActionPlan:
    """The owner removes a co-agent, or a co-agent leaves the team."""
    leaving = agent.user_id == by.pk
    _require(
        by,
        "plans.leave_team_actionplan" if leaving else "plans.change_team_actionplan",
        plan,
        _("Hanya penyusun utama yang dapat mengeluarkan anggota tim."),
    )
    if not plan.co_agents.filter(pk=agent.pk).exists():
        raise PlanError(_("Agen ini bukan anggota tim."), field="agent")
    with transaction.atomic():
        plan.co_agents.remove(agent)
        record_activity(
            actor=by,
            action="plan.team_remove",
            obj=plan,
            note=str(agent),
            data={"agent": agent.pk},
        )
    return plan


# --- Mentoring threads ------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise PlanError(_("Tulis komentar terlebih dahulu."), field="body")
    return body


def start_thread(
    plan: ActionPlan,
    *,
    section: str,
    body: str,
    by: User,
    activity: Activity | None = None,
    target: Target | None = None,
    now: dt.datetime | None = None,
) -> CommentThread:
    """Open a mentoring thread on a section (or one activity or target) of the plan."""
    now = now or timezone.now()
    _require(by, "plans.comment_actionplan", plan, _("Anda tidak berhak berkomentar di sini."))
    if section not in PlanSection.values:
        raise PlanError(_("Pilih bagian rencana yang dikomentari."), field="section")
    if activity is not None and target is not None:
        raise PlanError(_("Pilih satu kegiatan atau satu target, tidak keduanya."), field="anchor")
    if activity is not None:
        if activity.plan_id != plan.pk:
            raise PlanError(_("Kegiatan itu bukan bagian rencana ini."), field="anchor")
        section = PlanSection.ACTIVITIES
    if target is not None:
        if target.plan_id != plan.pk:
            raise PlanError(_("Target itu bukan bagian rencana ini."), field="anchor")
        section = PlanSection.TARGETS
    body = _clean_body(body)
    with transaction.atomic():
        thread = CommentThread.objects.create(
            plan=plan,
            section=section,
            activity=activity,
            target=target,
            started_by=by,
            last_comment_at=now,
        )
        Comment.objects.create(thread=thread, author=by, body=body)
        ReadMarker.objects.update_or_create(thread=thread, user=by, defaults={"read_at": now})
        record_activity(actor=by, action="thread.start", obj=plan, data={"thread": thread.pk})
    return thread


def reply_to_thread(
    thread: CommentThread, *, body: str, by: User, now: dt.datetime | None = None
) -> Comment:
    now = now or timezone.now()
    _require(
        by, "plans.comment_actionplan", thread.plan, _("Anda tidak berhak berkomentar di sini.")
    )
    body = _clean_body(body)
    with transaction.atomic():
        comment = Comment.objects.create(thread=thread, author=by, body=body)
        fields = ["last_comment_at"]
        thread.last_comment_at = now
        if thread.resolved_at is not None:
            # A reply reopens a resolved thread: the conversation is not over.
            thread.resolved_at = None
            thread.resolved_by = None
            fields += ["resolved_at", "resolved_by"]
        thread.save(update_fields=fields)
        ReadMarker.objects.update_or_create(thread=thread, user=by, defaults={"read_at": now})
        record_activity(
            actor=by,
            action="thread.reply",
            obj=thread.plan,
            data={"thread": thread.pk, "comment": comment.pk},
            at=now,
        )
        _notify_participants(thread, comment)
    return comment


def _notify_participants(thread: CommentThread, comment: Comment) -> None:
    """Who started the thread or wrote in it hears of the reply (in the app and by e-mail
    after the commit), the replier excepted. The notice does not name the replier: a
    reviewer's comments must not reveal who reviews the plan."""
    plan = thread.plan
    authors = set(thread.comments.values_list("author_id", flat=True))
    ids = ({thread.started_by_id} | authors) - {comment.author_id, None}
    participants = User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
    send_many(
        [
            message(
                "thread_reply",
                user,
                cycle=plan.cycle,
                url=reverse("plans:threads", args=[plan.pk]),
                dedupe_key=f"thread_reply:{comment.pk}",
                judul_rencana=plan.title,
            )
            for user in participants
        ]
    )


def resolve_thread(
    thread: CommentThread, *, by: User, now: dt.datetime | None = None
) -> CommentThread:
    now = now or timezone.now()
    _require(by, "plans.comment_actionplan", thread.plan, _("Anda tidak berhak menutup utas ini."))
    if thread.resolved_at is not None:
        raise PlanError(_("Utas ini sudah selesai."), code="invalid_transition")
    with transaction.atomic():
        thread.resolved_at = now
        thread.resolved_by = by
        thread.save(update_fields=["resolved_at", "resolved_by"])
        record_activity(actor=by, action="thread.resolve", obj=thread.plan, at=now)
    return thread


def mark_threads_read(threads, *, user: User, now: dt.datetime | None = None) -> None:
    """The user has seen these threads now: their comments are no longer unread."""
    now = now or timezone.now()
    ids = [t.pk for t in threads]
    if not ids or not user.is_authenticated:
        return
    with transaction.atomic():
        ReadMarker.objects.filter(thread_id__in=ids, user=user).update(read_at=now)
        have = set(
            ReadMarker.objects.filter(thread_id__in=ids, user=user).values_list(
                "thread_id", flat=True
            )
        )
        ReadMarker.objects.bulk_create(
            [ReadMarker(thread_id=i, user=user, read_at=now) for i in ids if i not in have],
            ignore_conflicts=True,
        )


# --- Attachments -------------------------------------------------------------------------


def add_attachment(plan: ActionPlan, *, uploaded, by: User, description: str = "") -> Attachment:
    """Store a supporting document after checking its content; refuse it with a reason."""
    _require(by, "plans.change_actionplan", plan, _("Anda tidak berhak mengubah rencana ini."))
    if plan.state not in PlanState.EDITABLE:
        raise PlanError(_("Lampiran hanya dapat diubah selama rencana masih draf."))
    try:
        kind = check_upload(uploaded)
    except AttachmentRefused as exc:
        raise PlanError(exc.message, field="file") from exc
    name = default_storage.save(f"attachments/{plan.pk}/{storage_name(kind)}", uploaded)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                plan=plan,
                file=name,
                original_name=(uploaded.name or "lampiran")[:255],
                content_type=kind.content_type,
                size=uploaded.size,
                description=(description or "").strip()[:255],
                uploaded_by=by,
            )
            record_activity(
                actor=by,
                action="attachment.add",
                obj=plan,
                note=attachment.original_name,
                data={"attachment": attachment.pk},
            )
    except Exception:
        default_storage.delete(name)
        raise
    return attachment


def record_attachment_download(attachment: Attachment, *, by: User) -> None:
    """Audit one download of an attachment (who, which file, of which plan). The view
    has checked that `by` may see the plan."""
    record_activity(
        actor=by,
        action="attachment.downloaded",
        obj=attachment,
        data={"plan_id": attachment.plan_id, "name": attachment.original_name},
    )


def delete_attachment(attachment: Attachment, *, by: User) -> None:
    plan = attachment.plan
    _require(by, "plans.change_actionplan", plan, _("Anda tidak berhak mengubah rencana ini."))
    if plan.state not in PlanState.EDITABLE:
        raise PlanError(_("Lampiran hanya dapat diubah selama rencana masih draf."))
    name = attachment.file.name
    with transaction.atomic():
        record_activity(
            actor=by, action="attachment.delete", obj=plan, note=attachment.original_name
        )
        attachment.delete()
        transaction.on_commit(lambda: default_storage.delete(name))
