"""The participants import as a background job: the upload queues the check, the page
polls the progress, the confirmation queues the writing once (a second tab is told it is
already imported), the refused rows come back as a spreadsheet, the outbox loses nothing
when the broker is down, and only the coordinator reaches any of it."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agents.enums import Role
from agents.models import ActivityLog, Agent, User
from assessment.enums import ImportStatus
from assessment.models import ParticipantImport
from assessment.services import import_jobs
from assessment.tasks import republish_participant_imports
from plans.services.common import PlanError
from tests.assessment.test_imports import nip
from tests.factories import AgencyFactory, AgentFactory, UserFactory, user_with_role
from tests.test_outbox import broker  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def dinkes(db):
    return AgencyFactory(code="DINKES", name="Dinas Kesehatan", aliases=["Dinkes"])


def _csv(*lines) -> SimpleUploadedFile:
    body = "\n".join(["NIP,Nama Lengkap,OPD", *lines]) + "\n"
    return SimpleUploadedFile("peserta.csv", body.encode(), content_type="text/csv")


MIXED = (f"{nip(1)},Budi,Dinkes", f"{nip(2)},Rina,dinas kesehatan", f"{nip(3)},Salah,Dinkez")


def _upload(client, captured, upload) -> ParticipantImport:
    with captured(execute=True):
        response = client.post(reverse("assessment:participants"), {"file": upload})
    job = ParticipantImport.objects.latest("requested_at")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:participant_import", args=[job.pk])
    return job


def _confirm(client, captured, job, **data):
    with captured(execute=True):
        return client.post(
            reverse("assessment:participant_import_confirm", args=[job.pk]), data, follow=True
        )


def test_upload_check_confirm_and_the_refused_rows_back_as_a_spreadsheet(
    client, coordinator, dinkes, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    job = _upload(client, django_capture_on_commit_callbacks, _csv(*MIXED))
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_read, job.rows_judged) == ("checked", 3, 3, 3)
    assert (job.created, job.refused) == (2, 1)
    assert not User.objects.filter(nip=nip(1)).exists()  # a dry run writes nothing

    url = reverse("assessment:participant_import", args=[job.pk])
    page = client.get(url)
    html = page.content.decode()
    assert "Impor baris yang valid" in html
    assert "Perangkat daerah “Dinkez” tidak dikenal. Mungkin maksud Anda: Dinas Kesehatan" in html
    assert [row["line"] for row in page.context["page"]] == [2, 3, 4]
    only = client.get(url, {"tampil": "ditolak"})
    assert [row["line"] for row in only.context["page"]] == [4]

    response = _confirm(client, django_capture_on_commit_callbacks, job, skip_invalid="1")
    assert response.status_code == 200
    job.refresh_from_db()
    assert (job.status, job.created, job.refused, job.rows_written) == ("done", 2, 1, 2)
    assert job.confirmed_by == coordinator
    assert set(Agent.objects.values_list("user__nip", "agency__code")) == {
        (nip(1), "DINKES"),
        (nip(2), "DINKES"),
    }
    assert "Impor selesai" in client.get(url).content.decode()

    download = client.get(reverse("assessment:participant_import_refused", args=[job.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == (nip(3), "Salah")
    assert rows[1][-2] == 4
    assert rows[1][-1].startswith("Perangkat daerah “Dinkez” tidak dikenal.")


def test_without_skipping_the_refused_rows_nothing_is_written(
    client, coordinator, dinkes, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    job = _upload(client, django_capture_on_commit_callbacks, _csv(*MIXED))
    _confirm(client, django_capture_on_commit_callbacks, job)
    job.refresh_from_db()
    assert job.status == "done"
    assert job.error.startswith("Tidak ada yang disimpan")
    assert not User.objects.filter(nip__in=[nip(1), nip(2)]).exists()


def test_confirming_the_same_dry_run_twice_says_already_imported(
    client, coordinator, dinkes, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    job = _upload(client, django_capture_on_commit_callbacks, _csv(f"{nip(1)},Budi,DINKES"))
    first = _confirm(client, django_capture_on_commit_callbacks, job)
    second = _confirm(client, django_capture_on_commit_callbacks, job)  # the other tab
    assert (first.status_code, second.status_code) == (200, 200)
    assert "sudah diimpor" in second.content.decode()
    assert User.objects.filter(nip=nip(1)).count() == 1
    assert ActivityLog.objects.filter(action="participants.import").count() == 1


def test_confirming_before_the_check_has_ended_writes_nothing(client, coordinator, dinkes):
    client.force_login(coordinator)
    job = ParticipantImport.objects.create(requested_by=coordinator, filename="p.csv", token="x")
    response = client.post(
        reverse("assessment:participant_import_confirm", args=[job.pk]), follow=True
    )
    assert "belum selesai diperiksa" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED


def test_the_status_fragment_shows_rows_read_judged_written_and_reloads_when_done(
    client, coordinator
):
    client.force_login(coordinator)
    job = ParticipantImport.objects.create(
        requested_by=coordinator,
        filename="p.csv",
        token="x",
        status=ImportStatus.IMPORTING,
        rows_total=20_000,
        rows_read=20_000,
        rows_judged=20_000,
        rows_written=6_000,
    )
    url = reverse("assessment:participant_import_status", args=[job.pk])
    response = client.get(url)
    html = response.content.decode()
    assert "20000 baris dibaca, 20000 diperiksa, 6000 ditulis" in html.replace(".", "")
    assert 'hx-trigger="every 2s"' in html
    assert 'aria-valuenow="65"' in html
    assert "HX-Refresh" not in response
    ParticipantImport.objects.filter(pk=job.pk).update(status=ImportStatus.DONE)
    assert client.get(url)["HX-Refresh"] == "true"


def test_a_bad_header_is_the_fields_error_and_queues_nothing(client, coordinator):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("p.csv", b"nama\nBudi\n", content_type="text/csv")
    response = client.post(reverse("assessment:participants"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["Kolom wajib tidak ada: nip, kode_opd / nama_opd / singkatan_opd."]
    }
    assert not ParticipantImport.objects.exists()


def test_a_file_the_worker_cannot_read_fails_the_import_with_the_reason(
    client, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    body = b"nip,nama,kode_opd\n1," + b"x" * 200_000 + b",A\n"
    upload = SimpleUploadedFile("p.csv", body, content_type="text/csv")
    job = _upload(client, django_capture_on_commit_callbacks, upload)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.error.startswith("Berkas CSV tidak dapat dibaca pada baris 2")
    page = client.get(reverse("assessment:participant_import", args=[job.pk])).content.decode()
    assert "Berkas CSV tidak dapat dibaca pada baris 2" in page


def test_a_broker_outage_loses_no_import(
    client,
    coordinator,
    dinkes,
    broker,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
):
    client.force_login(coordinator)
    broker.down()
    job = _upload(client, django_capture_on_commit_callbacks, _csv(f"{nip(1)},Budi,DINKES"))
    job.refresh_from_db()
    assert (job.status, job.published_at) == (ImportStatus.QUEUED, None)
    broker.up()
    later = timezone.now() + dt.timedelta(minutes=1)
    assert import_jobs.republish_waiting_imports(now=later) == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.published_at is not None) == (ImportStatus.CHECKED, True)

    broker.down()
    _confirm(client, django_capture_on_commit_callbacks, job)
    job.refresh_from_db()
    assert (job.status, job.published_at) == (ImportStatus.CONFIRMED, None)
    assert not User.objects.filter(nip=nip(1)).exists()
    broker.up()
    ParticipantImport.objects.filter(pk=job.pk).update(requested_at=later - dt.timedelta(hours=1))
    republish_participant_imports.apply()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert User.objects.filter(nip=nip(1)).count() == 1
    # A message delivered again finds the import done and changes nothing.
    assert import_jobs.perform_import(job.pk).status == ImportStatus.DONE
    assert ActivityLog.objects.filter(action="participants.import").count() == 1


def test_the_example_file_downloads_as_xlsx(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("assessment:participants_example"))
    assert response["Content-Disposition"] == 'attachment; filename="contoh-peserta.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.active[1]][:3] == ["nip", "nama", "email"]
    page = client.get(reverse("assessment:participants")).content.decode()
    assert reverse("assessment:participants_example") in page
    assert "<code>singkatan_opd</code>" in page


NOT_COORDINATORS = {
    "agent": lambda agency: AgentFactory(user__agency=agency).user,
    "reviewer": lambda agency: user_with_role(Role.REVIEWER),
    "agency_head": lambda agency: user_with_role(Role.AGENCY_HEAD, agency=agency),
    "leadership": lambda agency: user_with_role(Role.LEADERSHIP),
    "admin_role": lambda agency: user_with_role(Role.ADMIN),
    "superuser": lambda agency: UserFactory(is_superuser=True, is_staff=True),
}


@pytest.mark.parametrize("chair", list(NOT_COORDINATORS))
def test_only_the_coordinator_imports(client, coordinator, dinkes, chair):
    job = ParticipantImport.objects.create(
        requested_by=coordinator,
        filename="p.csv",
        token="x",
        status=ImportStatus.CHECKED,
        refused=1,
        refused_rows=[[2, {"nip": "1"}, ["salah"]]],
    )
    client.force_login(NOT_COORDINATORS[chair](dinkes))
    gets = [
        reverse("assessment:participants"),
        reverse("assessment:participants_example"),
        reverse("assessment:participant_import", args=[job.pk]),
        reverse("assessment:participant_import_status", args=[job.pk]),
        reverse("assessment:participant_import_refused", args=[job.pk]),
    ]
    assert [client.get(url).status_code for url in gets] == [403] * len(gets)
    upload = _csv(f"{nip(1)},Budi,DINKES")
    assert client.post(reverse("assessment:participants"), {"file": upload}).status_code == 403
    confirm = reverse("assessment:participant_import_confirm", args=[job.pk])
    assert client.post(confirm, {"skip_invalid": "1"}).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert ParticipantImport.objects.count() == 1
    client.logout()
    assert client.get(gets[2]).status_code == 302  # to the sign-in page


def test_the_service_refuses_anyone_but_a_coordinator(dinkes, coordinator):
    job = ParticipantImport.objects.create(
        requested_by=coordinator, filename="p.csv", token="x", status=ImportStatus.CHECKED
    )
    reviewer = user_with_role(Role.REVIEWER)
    with pytest.raises(PlanError):
        import_jobs.confirm_import(job, by=reviewer)
    with pytest.raises(PlanError):
        import_jobs.request_import("p.csv", b"nip,nama,opd\n", by=reviewer)
