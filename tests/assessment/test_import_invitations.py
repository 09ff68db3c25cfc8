"""The confirmation of a participants import may invite the accounts it creates (the
"undang" checkbox, ticked by default): one invitation e-mail each, after the accounts are
written; none without the tick, none for an account the import only updated."""

# The import tests' fixture is imported below; pytest injects it by name.
# ruff: noqa: F811

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agents.models import ActivityLog, Invitation
from assessment.models import ParticipantImport
from tests.assessment.test_imports import csv_file, dinkes, nip  # noqa: F401 - fixture
from tests.factories import AgentFactory

pytestmark = pytest.mark.usefixtures("private_media")


def dry_run(client, captured, *lines) -> ParticipantImport:
    upload = SimpleUploadedFile("peserta.csv", csv_file(*lines), content_type="text/csv")
    with captured(execute=True):
        response = client.post(reverse("assessment:participants"), {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert 'name="undang"' in page
    assert re.search(r'id="id_undang"\s+checked', page)  # ticked by default
    return ParticipantImport.objects.latest("requested_at")


def confirm(client, captured, job, **data):
    with captured(execute=True):
        client.post(reverse("assessment:participant_import_confirm", args=[job.pk]), data)
    job.refresh_from_db()
    return client.get(reverse("assessment:participant_import", args=[job.pk])).content.decode()


def test_ticking_undang_invites_the_new_accounts(
    client, coordinator, dinkes, django_capture_on_commit_callbacks
):
    updated = AgentFactory(user__agency=dinkes, user__nip=nip(3), user__email="ada@x.go.id")
    updated.user.set_unusable_password()
    updated.user.save()
    client.force_login(coordinator)
    job = dry_run(
        client,
        django_capture_on_commit_callbacks,
        f"{nip(1)},Budi,budi@kaltimprov.go.id,,,DINKES,,,,,",
        f"{nip(2)},Sari,,,,DINKES,,,,,",
        f"{nip(3)},Nama Baru,ada@x.go.id,,,DINKES,,,,,",
    )
    page = confirm(client, django_capture_on_commit_callbacks, job, undang="1")
    assert (job.status, job.created, job.updated, job.invited, job.not_invited) == (
        "done",
        2,
        1,
        1,
        1,
    )
    assert "Undangan dikirim ke 1 akun baru; 1 tanpa alamat e-mail." in page
    assert [m.to for m in mail.outbox] == [["budi@kaltimprov.go.id"]]
    invitation = Invitation.objects.get()
    assert (invitation.user.nip, invitation.invited_by) == (nip(1), coordinator)
    assert ActivityLog.objects.filter(action="invitation.sent", actor=coordinator).count() == 1


def test_without_the_tick_nobody_is_invited(
    client, coordinator, dinkes, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    job = dry_run(
        client, django_capture_on_commit_callbacks, f"{nip(1)},Budi,budi@x.go.id,,,DINKES,,,,,"
    )
    page = confirm(client, django_capture_on_commit_callbacks, job)
    assert job.status == "done"
    assert (Invitation.objects.count(), mail.outbox) == (0, [])
    assert "Undangan dikirim" not in page
