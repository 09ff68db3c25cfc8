"""The audit completes: admin changes, document downloads and draft scores are written to
the audit log; the audit page (coordinators and admins) filters, paginates and exports."""

import datetime as dt
import io

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Agency
from agents.admin_audit import is_audited
from agents.enums import Role
from agents.models import ActivityLog
from agents.services import record_activity
from assessment.services import assign_reviewers, save_review
from plans.models import ActionPlan
from plans.services.collaboration import add_attachment
from plans.services.workflow import submit_plan
from reports.enums import JobStatus, ReportKind
from reports.models import ReportJob
from tests.factories import WITA, AgentFactory, PlanFactory, UserFactory, user_with_role

PDF = b"%PDF-1.4\n%audit\n"


def _actions() -> list[str]:
    return list(ActivityLog.objects.order_by("id").values_list("action", flat=True))


# --- The admin bridge ----------------------------------------------------------------------


def test_every_model_admin_on_the_site_is_audited():
    assert admin.site._registry
    assert [name for name, ma in admin.site._registry.items() if not is_audited(ma)] == []


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_adding_changing_and_deleting_in_the_admin_is_audited(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:agencies_agency_add"),
        {
            "code": "BARU",
            "name": "Badan Baru",
            "abbreviation": "BB",
            "kind": "badan",
            "is_active": "on",
        },
    )
    assert response.status_code == 302

    agency = Agency.objects.get(code="BARU")
    response = client.post(
        reverse("admin:agencies_agency_change", args=[agency.pk]),
        {
            "code": "BARU",
            "name": "Badan Baru Sekali",
            "abbreviation": "BB",
            "kind": "badan",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    entries = list(ActivityLog.objects.filter(action__startswith="admin.").order_by("id"))
    assert [(e.action, e.actor, e.object_id) for e in entries] == [
        ("admin.add", superuser, agency.pk),
        ("admin.change", superuser, agency.pk),
    ]
    assert entries[1].content_type == ContentType.objects.get_for_model(Agency)
    assert entries[1].object_repr == "Badan Baru Sekali"
    assert entries[1].data["model"] == "agencies.Agency"
    assert entries[1].data["change_message"] == [{"changed": {"fields": ["Nama resmi"]}}]

    target = UserFactory()
    response = client.post(
        reverse("admin:agents_user_changelist"),
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert response.status_code == 302
    [deleted] = ActivityLog.objects.filter(action="admin.delete")
    assert (deleted.actor, deleted.object_repr, deleted.data["pk"]) == (
        superuser,
        str(target),
        str(target.pk),
    )


def test_a_password_set_in_the_admin_is_audited(client, superuser):
    target = UserFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "Kata-sandi-baru-2026", "password2": "Kata-sandi-baru-2026"},
    )
    assert response.status_code == 302
    [entry] = ActivityLog.objects.filter(action="admin.change")
    assert (entry.actor, entry.object_id) == (superuser, target.pk)


# --- Downloads and draft scores ------------------------------------------------------------


def test_an_attachment_download_is_audited(client, agent, draft_plan, private_media):
    attachment = add_attachment(
        draft_plan, uploaded=SimpleUploadedFile("sk.pdf", PDF), by=agent.user
    )
    client.force_login(agent.user)
    url = reverse("plans:attachment", args=[draft_plan.pk]) + f"?berkas={attachment.pk}"
    response = client.get(url)
    assert b"".join(response.streaming_content) == PDF
    [entry] = ActivityLog.objects.filter(action="attachment.downloaded")
    assert (entry.actor, entry.object_id, entry.data) == (
        agent.user,
        attachment.pk,
        {"plan_id": draft_plan.pk, "name": "sk.pdf"},
    )
    # Refused: nothing downloaded, nothing audited.
    client.force_login(AgentFactory().user)
    assert client.get(url).status_code == 404
    assert ActivityLog.objects.filter(action="attachment.downloaded").count() == 1


def test_a_report_download_is_audited(client, agent, draft_plan, private_media):
    job = ReportJob.objects.create(
        requested_by=agent.user,
        kind=ReportKind.PLAN_DOCUMENT,
        params={"plan_id": draft_plan.pk},
        status=JobStatus.DONE,
        title=draft_plan.title,
        finished_at=timezone.now(),
    )
    job.file.save("rencana.pdf", ContentFile(PDF), save=True)
    client.force_login(agent.user)
    response = client.get(reverse("report_jobs:download", args=[job.pk]))
    assert b"".join(response.streaming_content) == PDF
    [entry] = ActivityLog.objects.filter(action="report.downloaded")
    assert (entry.actor, entry.object_id, entry.data) == (
        agent.user,
        job.pk,
        {"kind": "plan_document", "title": draft_plan.title, "params": {"plan_id": draft_plan.pk}},
    )


def test_saving_a_review_draft_audits_the_level_changes(cycle, coordinator, complete_plan, agent):

    submit_plan(complete_plan, by=agent.user)
    reviewer = user_with_role(Role.REVIEWER)
    [assignment] = assign_reviewers(complete_plan, reviewers=[reviewer], by=coordinator)
    review = save_review(assignment, levels={"K1": (3, "cukup")}, by=reviewer)
    save_review(assignment, levels={"K1": (4, "cukup"), "K2": (2, "")}, by=reviewer)
    save_review(assignment, levels={"K1": (4, "cukup"), "K2": (2, "")}, by=reviewer)  # no change
    entries = list(ActivityLog.objects.filter(action="review.draft_saved").order_by("id"))
    assert [(e.actor, e.object_id) for e in entries] == [(reviewer, review.pk)] * 2
    assert entries[0].data["levels"] == {"K1": [None, 3]}
    assert entries[0].data["comments_changed"] == ["K1"]
    assert entries[1].data["levels"] == {"K1": [3, 4], "K2": [None, 2]}
    assert entries[1].data["comments_changed"] == []
    assert "cukup" not in str(entries[1].data)


# --- The audit page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.COORDINATOR, 200),
        (Role.ADMIN, 200),
        (Role.AGENT, 403),
        (Role.REVIEWER, 403),
        (Role.AGENCY_HEAD, 403),
        (Role.LEADERSHIP, 403),
    ],
)
def test_the_audit_page_is_for_coordinators_and_admins(client, db, role, expected):
    client.force_login(user_with_role(role))
    assert client.get(reverse("audit")).status_code == expected
    assert client.get(reverse("audit_export")).status_code == expected


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("audit"))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))


@pytest.fixture
def log(db, cycle):
    """Entries by two people about a cycle and a plan, on two days."""
    budi = UserFactory(name="Budi Santoso", username="budi")
    siti = UserFactory(name="Siti Aminah", username="siti")
    plan_owner = AgentFactory()

    plan = PlanFactory(cycle=cycle, owner=plan_owner, title='=HYPERLINK("x","y")')
    day = dt.datetime(2026, 3, 10, 9, 0, tzinfo=WITA)
    record_activity(actor=budi, action="cycle.updated", obj=cycle, at=day)
    record_activity(actor=siti, action="plan.submitted", obj=plan, at=day + dt.timedelta(days=1))
    record_activity(actor=budi, action="plan.withdrawn", obj=plan, at=day + dt.timedelta(days=2))
    return {"budi": budi, "siti": siti, "plan": plan, "cycle": cycle}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["plan.withdrawn", "plan.submitted", "cycle.updated"]),
        ({"who": "budi"}, ["plan.withdrawn", "cycle.updated"]),
        ({"who": "Siti"}, ["plan.submitted"]),
        ({"action": "plan."}, ["plan.withdrawn", "plan.submitted"]),
        ({"date_from": "2026-03-11"}, ["plan.withdrawn", "plan.submitted"]),
        ({"date_from": "2026-03-11", "date_to": "2026-03-11"}, ["plan.submitted"]),
        ({"model": "plans.cycle"}, ["cycle.updated"]),
        ({"q": "HYPERLINK"}, ["plan.withdrawn", "plan.submitted"]),
    ],
)
def test_the_audit_page_filters_by_who_what_when_and_object(
    client, coordinator, log, query, expected
):
    ActivityLog.objects.exclude(
        action__in=["cycle.updated", "plan.submitted", "plan.withdrawn"]
    ).delete()
    client.force_login(coordinator)
    response = client.get(reverse("audit"), query)
    assert [e.action for e in response.context["page"].object_list] == expected


def test_the_audit_page_filters_by_object_id(client, coordinator, log):
    client.force_login(coordinator)
    response = client.get(
        reverse("audit"), {"model": "plans.actionplan", "object_id": log["plan"].pk}
    )
    actions = [e.action for e in response.context["page"].object_list]
    assert actions == ["plan.withdrawn", "plan.submitted"]


def test_bad_filters_are_explained_on_their_fields(client, coordinator, db):
    client.force_login(coordinator)
    response = client.get(
        reverse("audit"), {"date_from": "2026-03-12", "date_to": "2026-03-10", "object_id": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "object_id": ["Masukkan keseluruhan angka bilangan."],
        "date_to": ["Tanggal akhir tidak boleh sebelum tanggal awal."],
    }


@pytest.mark.parametrize("entries", [3, 60])
def test_the_audit_page_reads_in_a_fixed_number_of_queries(
    client, coordinator, cycle, django_assert_num_queries, entries
):
    actors = [UserFactory() for _ in range(3)]
    for n in range(entries):
        record_activity(actor=actors[n % 3], action="cycle.updated", obj=cycle)
    client.force_login(coordinator)
    # Session, user (with roles and agent profile); the count and the page of entries
    # (with actors and content types); the frame's current cycle and the user's agency.
    with django_assert_num_queries(5):
        response = client.get(reverse("audit"))
    assert len(response.context["page"].object_list) == min(entries, 50)


def test_the_export_is_the_filtered_list_formula_safe_and_audited(client, coordinator, log):
    client.force_login(coordinator)
    response = client.get(reverse("audit_export"), {"action": "plan."})
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Waktu (WITA)", "Pelaku", "Nama pengguna", "Tindakan")
    assert [(r[1], r[3], r[6]) for r in rows[1:]] == [
        ("Budi Santoso", "plan.withdrawn", '=HYPERLINK("x","y")'),
        ("Siti Aminah", "plan.submitted", '=HYPERLINK("x","y")'),
    ]
    assert rows[1][0] == dt.datetime(2026, 3, 12, 9, 0, tzinfo=WITA).replace(tzinfo=None)
    cell = sheet.cell(row=2, column=7)
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    [export] = ActivityLog.objects.filter(action="audit.exported")
    assert (export.actor, export.data) == (coordinator, {"action": "plan."})


def test_the_plan_title_is_untouched_in_the_database(log):
    assert ActionPlan.objects.get(pk=log["plan"].pk).title == '=HYPERLINK("x","y")'
