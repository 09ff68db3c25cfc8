"""Working on a plan together: mentoring threads, attachments, the team, versions and
their differences, the printable preview."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agents.enums import Role
from agents.models import ActivityLog
from assessment.models import Decision
from assessment.services import assign_reviewers
from plans.diff import plan_diff, word_diff
from plans.enums import PlanState
from plans.forms import AttachmentForm
from plans.models import ActionPlan, Attachment, Comment, CommentThread, PlanVersion
from plans.services.collaboration import (
    add_attachment,
    invite_co_agent,
    remove_co_agent,
    reply_to_thread,
    resolve_thread,
    start_thread,
)
from plans.services.common import PlanError
from plans.services.content import snapshot_plan
from plans.services.workflow import submit_plan
from tests.factories import ActivityFactory, AgencyFactory, AgentFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


# --- Attachments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("surat.pdf", PDF, "application/pdf"),
        ("foto.png", PNG, "image/png"),
        ("foto.JPG", JPEG, "image/jpeg"),
        (
            "kak.docx",
            office("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "data.xlsx",
            office("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_attachment_of_each_allowed_kind_is_stored_privately(
    agent, draft_plan, private_media, name, content, content_type
):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    attachment = add_attachment(draft_plan, uploaded=upload, by=agent.user, description="SK")
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(content),
    )
    stored = private_media / attachment.file.name
    assert stored.read_bytes() == content
    # The stored name is random, not the user's.
    assert name not in attachment.file.name


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "virus.pdf",
            b"MZ\x90\x00 not a pdf",
            "Isi berkas bukan PDF, PNG, JPEG, DOCX atau XLSX. Simpan ulang dokumen dalam salah "
            "satu format itu.",
        ),
        ("foto.pdf", PNG, "Nama berkas berakhiran .pdf, tetapi isinya PNG. Periksa berkasnya."),
        (
            "arsip.docx",
            office("lain/apa.xml"),
            "Isi berkas bukan PDF, PNG, JPEG, DOCX atau XLSX. Simpan ulang dokumen dalam salah "
            "satu format itu.",
        ),
        ("kosong.pdf", b"", "Berkas kosong; pilih berkas yang berisi."),
    ],
)
def test_attachment_refused_by_its_content_with_a_reason(agent, draft_plan, name, content, reason):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(PlanError) as exc_info:
        add_attachment(draft_plan, uploaded=upload, by=agent.user)
    assert (str(exc_info.value), exc_info.value.field) == (reason, "file")
    assert Attachment.objects.count() == 0


def test_attachment_over_10_mb_is_refused(agent, draft_plan):
    upload = SimpleUploadedFile("besar.pdf", PDF + b"0" * 10 * 1024 * 1024)
    with pytest.raises(PlanError) as exc_info:
        add_attachment(draft_plan, uploaded=upload, by=agent.user)
    assert str(exc_info.value) == "Berkas terlalu besar (10,0 MB); maksimal 10 MB."


def test_the_attachment_limit_follows_the_setting(settings, agent, draft_plan):
    settings.AGENPLAN_ATTACHMENT_MAX_MB = 2
    over = SimpleUploadedFile("besar.pdf", PDF + b"0" * (2 * 1024 * 1024 - len(PDF) + 1))
    with pytest.raises(PlanError) as exc_info:
        add_attachment(draft_plan, uploaded=over, by=agent.user)
    assert (exc_info.value.field, str(exc_info.value)) == (
        "file",
        "Berkas terlalu besar (2,0 MB); maksimal 2 MB.",
    )
    at_limit = SimpleUploadedFile("pas.pdf", PDF + b"0" * (2 * 1024 * 1024 - len(PDF)))
    add_attachment(draft_plan, uploaded=at_limit, by=agent.user)
    assert list(Attachment.objects.values_list("original_name", "size")) == [
        ("pas.pdf", 2 * 1024 * 1024)
    ]
    settings.AGENPLAN_ATTACHMENT_MAX_MB = 25
    assert AttachmentForm().fields["file"].help_text == (
        "PDF, PNG, JPEG, DOCX atau XLSX; maksimal 25 MB."
    )


def test_an_upload_declared_over_the_setting_is_refused_before_it_is_read(
    settings, client, agent, draft_plan
):
    settings.AGENPLAN_ATTACHMENT_MAX_MB = 3
    client.force_login(agent.user)
    url = reverse("plans:attachment_add", args=[draft_plan.pk])

    def declared(megabytes: float):
        return client.generic(
            "POST",
            url,
            b"",
            content_type="multipart/form-data; boundary=batas",
            CONTENT_LENGTH=str(int(megabytes * 1024 * 1024)),
        )

    refused = declared(3.5)
    assert refused.status_code == 413
    assert "melebihi batas 3 MB" in refused.content.decode()
    assert declared(3).status_code != 413
    assert Attachment.objects.count() == 0


def test_upload_page_shows_the_refusal_on_the_file_field(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.post(
        reverse("plans:attachment_add", args=[draft_plan.pk]),
        {"file": SimpleUploadedFile("foto.pdf", PNG), "description": ""},
    )
    assert response.status_code == 200
    assert response.context["attachment_form"].errors == {
        "file": ["Nama berkas berakhiran .pdf, tetapi isinya PNG. Periksa berkasnya."]
    }


def test_attachment_is_served_only_to_who_may_see_the_plan(client, agent, draft_plan):
    attachment = add_attachment(
        draft_plan, uploaded=SimpleUploadedFile("surat.pdf", PDF), by=agent.user
    )
    url = reverse("plans:attachment", args=[draft_plan.pk]) + f"?berkas={attachment.pk}"
    client.force_login(agent.user)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == (
        "application/pdf",
        "nosniff",
    )
    client.force_login(AgentFactory(user__agency=AgencyFactory()).user)
    assert client.get(url).status_code == 404
    # An attachment of another plan is not reachable through this plan.
    client.force_login(agent.user)
    other = reverse("plans:attachment", args=[draft_plan.pk]) + f"?berkas={attachment.pk + 99}"
    assert client.get(other).status_code == 404


def test_deleting_an_attachment_removes_the_row(client, agent, draft_plan):
    attachment = add_attachment(
        draft_plan, uploaded=SimpleUploadedFile("surat.pdf", PDF), by=agent.user
    )
    client.force_login(agent.user)
    response = client.post(
        reverse("plans:attachment_delete", args=[draft_plan.pk]), {"berkas": attachment.pk}
    )
    assert response.status_code == 302
    assert Attachment.objects.count() == 0


# --- The team --------------------------------------------------------------------------------


def test_owner_invites_an_agent_of_the_same_agency_who_then_edits(client, agent, draft_plan):
    colleague = AgentFactory(user__agency=agent.agency)
    client.force_login(agent.user)
    response = client.post(reverse("plans:team_add", args=[draft_plan.pk]), {"agent": colleague.pk})
    assert response.status_code == 302
    assert list(draft_plan.co_agents.all()) == [colleague]
    client.force_login(colleague.user)
    assert client.get(reverse("plans:edit", args=[draft_plan.pk])).status_code == 200


def test_agent_of_another_agency_cannot_be_invited(agent, draft_plan):
    stranger = AgentFactory(user__agency=AgencyFactory())
    with pytest.raises(PlanError) as exc_info:
        invite_co_agent(draft_plan, agent=stranger, by=agent.user)
    assert str(exc_info.value) == (
        "Anggota tim harus agen perubahan aktif dari perangkat daerah yang sama."
    )


def test_only_the_owner_invites_and_a_member_may_leave(agent, draft_plan):
    member = AgentFactory(user__agency=agent.agency)
    invite_co_agent(draft_plan, agent=member, by=agent.user)
    with pytest.raises(PlanError) as exc:
        invite_co_agent(draft_plan, agent=AgentFactory(user__agency=agent.agency), by=member.user)
    assert (exc.value.code, str(exc.value)) == (
        "permission_denied",
        "Hanya penyusun utama yang dapat mengundang anggota tim.",
    )
    remove_co_agent(draft_plan, agent=member, by=member.user)
    assert draft_plan.co_agents.count() == 0


def test_the_team_rules_give_the_owner_the_team_and_a_co_agent_only_their_own_place(
    agent, draft_plan
):
    first, second = (AgentFactory(user__agency=agent.agency) for _ in range(2))
    invite_co_agent(draft_plan, agent=first, by=agent.user)
    invite_co_agent(draft_plan, agent=second, by=agent.user)
    colleague = AgentFactory(user__agency=agent.agency)
    assert [
        (
            user.has_perm("plans.change_team_actionplan", draft_plan),
            user.has_perm("plans.leave_team_actionplan", draft_plan),
        )
        for user in (agent.user, first.user, colleague.user, user_with_role(Role.COORDINATOR))
    ] == [(True, False), (False, True), (False, False), (False, False)]
    # A co-agent may not remove another one, and an outsider no one.
    for by in (first.user, colleague.user):
        with pytest.raises(PlanError) as exc:
            remove_co_agent(draft_plan, agent=second, by=by)
        assert (exc.value.code, str(exc.value)) == (
            "permission_denied",
            "Hanya penyusun utama yang dapat mengeluarkan anggota tim.",
        )
    # An owner whose appointment ended no longer chooses the team.
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    with pytest.raises(PlanError) as exc:
        remove_co_agent(draft_plan, agent=second, by=agent.user)
    assert exc.value.code == "permission_denied"
    agent.is_active = True
    agent.save(update_fields=["is_active"])
    remove_co_agent(draft_plan, agent=second, by=agent.user)
    assert list(draft_plan.co_agents.all()) == [first]


def test_a_co_agent_cannot_invite_through_the_page_and_is_offered_only_to_leave(
    client, agent, draft_plan
):
    first, second = (AgentFactory(user__agency=agent.agency) for _ in range(2))
    invite_co_agent(draft_plan, agent=first, by=agent.user)
    invite_co_agent(draft_plan, agent=second, by=agent.user)
    client.force_login(first.user)
    newcomer = AgentFactory(user__agency=agent.agency)
    response = client.post(reverse("plans:team_add", args=[draft_plan.pk]), {"agent": newcomer.pk})
    assert response.status_code == 403
    page = client.get(reverse("plans:edit", args=[draft_plan.pk]))
    assert page.context["can_change_team"] is False
    html = page.content.decode()
    add = 'action="{}"'.format(reverse("plans:team_add", args=[draft_plan.pk]))
    assert add not in html
    assert html.count(reverse("plans:team_remove", args=[draft_plan.pk])) == 1
    assert "Keluar dari tim" in html
    client.force_login(agent.user)
    page = client.get(reverse("plans:edit", args=[draft_plan.pk]))
    assert page.context["can_change_team"] is True
    html = page.content.decode()
    assert add in html
    assert html.count(reverse("plans:team_remove", args=[draft_plan.pk])) == 2


# --- Mentoring threads ----------------------------------------------------------------------------


def test_reviewer_and_agent_talk_in_a_thread_anchored_to_an_activity(
    client, agent, complete_plan, coordinator
):
    reviewer = user_with_role(Role.REVIEWER)

    submit_plan(complete_plan, by=agent.user)
    assign_reviewers(complete_plan, reviewers=[reviewer], by=coordinator)
    activity = complete_plan.activities.first()
    client.force_login(reviewer)
    response = client.post(
        reverse("plans:thread_start", args=[complete_plan.pk]),
        {"anchor": f"activity:{activity.pk}", "body": "Jadwalnya terlalu padat."},
    )
    thread = CommentThread.objects.get()
    assert response.status_code == 302
    assert (thread.section, thread.activity, thread.started_by) == (
        "activities",
        activity,
        reviewer,
    )
    # The agent sees one unread comment on the home page, then reads the thread.
    client.force_login(agent.user)
    home = client.get(reverse("plans:my_plans"))
    assert [row.unread for row in home.context["current_rows"]] == [1]
    page = client.get(reverse("plans:threads", args=[complete_plan.pk]))
    [shown] = page.context["threads"]
    # The cycle hides reviewers' names from agents.
    assert [c.author_label for c in shown.comments.all()] == ["Reviewer"]
    home = client.get(reverse("plans:my_plans"))
    assert [row.unread for row in home.context["current_rows"]] == [0]
    client.post(
        reverse("plans:thread_reply", args=[complete_plan.pk]),
        {"utas": thread.pk, "body": "Sudah kami longgarkan."},
    )
    client.post(reverse("plans:thread_resolve", args=[complete_plan.pk]), {"utas": thread.pk})
    thread.refresh_from_db()
    assert [c.body for c in thread.comments.all()] == [
        "Jadwalnya terlalu padat.",
        "Sudah kami longgarkan.",
    ]
    assert thread.resolved_by == agent.user


def test_a_reply_reopens_a_resolved_thread(agent, draft_plan):
    thread = start_thread(draft_plan, section="problem", body="Data?", by=agent.user)
    resolve_thread(thread, by=agent.user)
    with pytest.raises(PlanError) as exc:
        resolve_thread(thread, by=agent.user)
    assert (exc.value.code, str(exc.value)) == ("invalid_transition", "Utas ini sudah selesai.")
    reply_to_thread(thread, body="Masih ada pertanyaan", by=agent.user)
    thread.refresh_from_db()
    assert (thread.resolved_at, thread.resolved_by) == (None, None)


def test_empty_comment_is_refused_on_the_field(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.post(
        reverse("plans:thread_start", args=[draft_plan.pk]),
        {"anchor": "section:problem", "body": "   "},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"body": ["Bidang ini tidak boleh kosong."]}
    assert Comment.objects.count() == 0


def test_agency_head_may_read_threads_but_not_write(client, agent, draft_plan):
    head = user_with_role(Role.AGENCY_HEAD, agency=agent.agency)
    start_thread(draft_plan, section="problem", body="Data?", by=agent.user)
    client.force_login(head)
    assert client.get(reverse("plans:threads", args=[draft_plan.pk])).status_code == 200
    response = client.post(
        reverse("plans:thread_start", args=[draft_plan.pk]),
        {"anchor": "section:problem", "body": "Saya ikut."},
    )
    assert response.status_code == 403


def test_editor_counts_threads_and_unread_comments_per_section(
    client, agent, draft_plan, coordinator
):
    thread = start_thread(draft_plan, section="targets", body="Satuan?", by=coordinator)
    reply_to_thread(thread, body="Dan tenggat?", by=coordinator)
    start_thread(draft_plan, section="targets", body="Catatan saya", by=agent.user)
    client.force_login(agent.user)
    counts = client.get(reverse("plans:edit", args=[draft_plan.pk])).context["thread_counts"]
    assert {k: (v.total, v.open, v.unread) for k, v in counts.items()} == {"targets": (2, 2, 2)}


# --- Versions and their differences ---------------------------------------------------------------


def test_word_diff_marks_added_and_removed_words():
    tokens, added, removed = word_diff("layanan izin manual lambat", "layanan izin daring cepat")
    assert (added, removed) == (2, 2)
    assert [(t.kind, t.text) for t in tokens] == [
        ("same", "layanan izin "),
        ("removed", "manual lambat"),
        ("added", "daring cepat"),
    ]


def test_plan_diff_is_section_by_section(agent, complete_plan):
    old = snapshot_plan(complete_plan)
    complete_plan.root_cause = "Prosedur manual"
    ActivityFactory(plan=complete_plan, title="Uji coba aplikasi")
    new = snapshot_plan(complete_plan)
    changed = {s.section: (s.added, s.removed) for s in plan_diff(old, new) if s.changed}
    # "Isi root_cause yang lengkap." → "Prosedur manual"; one new line of 25 words (each
    # field of the activity with its label).
    assert changed == {"problem": (2, 4), "activities": (25, 0)}


def test_compare_page_diffs_a_version_with_the_current_draft(client, agent, complete_plan):
    submit_plan(complete_plan, by=agent.user)
    ActionPlan.objects.filter(pk=complete_plan.pk).update(
        state=PlanState.REVISION_REQUESTED, novelty="Pertama kali di Kaltim"
    )
    client.force_login(agent.user)
    response = client.get(reverse("plans:compare", args=[complete_plan.pk]))
    assert (response.context["old_value"], response.context["new_value"]) == ("1", "current")
    changed = [s.section for s in response.context["sections"] if s.changed]
    assert changed == ["change"]
    html = response.content.decode()
    assert '<ins class="ap-added">' in html and '<del class="ap-removed">' in html


def test_compare_any_two_versions(client, agent, complete_plan):
    PlanVersion.objects.create(
        plan=complete_plan, number=1, snapshot={"title": "Judul lama"}, created_by=agent.user
    )
    PlanVersion.objects.create(
        plan=complete_plan, number=2, snapshot={"title": "Judul baru"}, created_by=agent.user
    )
    client.force_login(agent.user)
    url = reverse("plans:compare", args=[complete_plan.pk])
    response = client.get(url, {"dari": "1", "ke": "2"})
    [identity] = [s for s in response.context["sections"] if s.changed]
    assert (identity.section, identity.added, identity.removed) == ("identity", 1, 1)
    assert client.get(url, {"dari": "9", "ke": "2"}).status_code == 404


def test_preview_shows_the_plan_ready_to_print(client, agent, complete_plan):
    client.force_login(agent.user)
    response = client.get(reverse("plans:preview", args=[complete_plan.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert complete_plan.title in html
    assert html.count('class="ap-gantt-on"') == 3
    assert "data-print" in html


def test_revision_feedback_is_shown_beside_the_editor(client, agent, complete_plan, coordinator):
    version = PlanVersion.objects.create(
        plan=complete_plan, number=1, snapshot=snapshot_plan(complete_plan), created_by=agent.user
    )
    Decision.objects.create(
        plan=complete_plan,
        version=version,
        outcome="revise",
        feedback="Pertajam indikator target kedua.",
        decided_by=coordinator,
        decided_at=timezone.now(),
    )
    ActionPlan.objects.filter(pk=complete_plan.pk).update(state=PlanState.REVISION_REQUESTED)
    client.force_login(agent.user)
    response = client.get(reverse("plans:edit", args=[complete_plan.pk]))
    assert response.context["decision"].feedback == "Pertajam indikator target kedua."
    assert "Pertajam indikator target kedua." in response.content.decode()


def test_a_reply_is_audited_and_notifies_the_thread_participants_but_not_the_replier(
    agent, draft_plan, django_capture_on_commit_callbacks, mailoutbox
):
    coordinator = user_with_role(Role.COORDINATOR)
    colleague = AgentFactory(agency=draft_plan.agency).user
    outsider = user_with_role(Role.COORDINATOR)
    thread = start_thread(draft_plan, section="problem", body="Data?", by=coordinator)
    reply_to_thread(thread, body="Sudah kami lengkapi.", by=agent.user)
    with django_capture_on_commit_callbacks(execute=True):
        comment = reply_to_thread(thread, body="Terima kasih.", by=coordinator)
    entry = ActivityLog.objects.filter(action="thread.reply").order_by("pk").last()
    assert (entry.actor, entry.object_id, entry.data) == (
        coordinator,
        draft_plan.pk,
        {"thread": thread.pk, "comment": comment.pk},
    )
    assert ActivityLog.objects.filter(action="thread.reply").count() == 2
    notice = agent.user.notifications.get(dedupe_key=f"thread_reply:{comment.pk}")
    assert (notice.kind, notice.title, notice.url) == (
        "thread_reply",
        f"Balasan baru pada utas pendampingan: {draft_plan.title}",
        reverse("plans:threads", args=[draft_plan.pk]),
    )
    # The replier hears nothing of their own reply; who never wrote in the thread neither.
    assert coordinator.notifications.filter(dedupe_key=f"thread_reply:{comment.pk}").count() == 0
    assert colleague.notifications.count() == 0
    assert outsider.notifications.count() == 0
    assert [m.to for m in mailoutbox] == [[agent.user.email]]


def test_the_first_reply_notifies_who_started_the_thread(agent, draft_plan):
    coordinator = user_with_role(Role.COORDINATOR)
    thread = start_thread(draft_plan, section="risks", body="Risiko?", by=coordinator)
    comment = reply_to_thread(thread, body="Sudah kami tambahkan.", by=agent.user)
    assert list(coordinator.notifications.values_list("dedupe_key", flat=True)) == [
        f"thread_reply:{comment.pk}"
    ]
    assert agent.user.notifications.count() == 0


def test_a_refused_reply_writes_no_audit_entry_and_no_notice(agent, draft_plan):
    coordinator = user_with_role(Role.COORDINATOR)
    thread = start_thread(draft_plan, section="risks", body="Risiko?", by=coordinator)
    stranger = AgentFactory().user
    with pytest.raises(PlanError) as exc:
        reply_to_thread(thread, body="Saya ikut.", by=stranger)
    assert exc.value.code == "permission_denied"
    assert ActivityLog.objects.filter(action="thread.reply").count() == 0
    assert coordinator.notifications.count() == 0
