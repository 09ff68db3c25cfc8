"""The confirmation of a participants import may invite the accounts it creates (the
"undang" checkbox): one invitation e-mail each, after the commit; none without the tick."""

# The import tests' fixture is imported below; pytest injects it by name.
# ruff: noqa: F811

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agents.models import ActivityLog, Invitation
from tests.assessment.test_imports import csv_file, dinkes, nip  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("private_media")


def dry_run(client, *lines) -> str:
    upload = SimpleUploadedFile("peserta.csv", csv_file(*lines), content_type="text/csv")
    response = client.post(reverse("assessment:participants"), {"file": upload})
    assert 'name="undang"' in response.content.decode()
    return response.context["token"]


def test_ticking_undang_invites_the_new_accounts(
    client,
    coordinator,
    dinkes,
    django_capture_on_commit_callbacks,
):
    client.force_login(coordinator)
    token = dry_run(
        client,
        f"{nip(1)},Budi,budi@kaltimprov.go.id,,,DINKES,,,,,",
        f"{nip(2)},Sari,,,,DINKES,,,,,",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment:participants_confirm"),
            {"token": token, "undang": "1"},
            follow=True,
        )
    assert [str(m) for m in response.context["messages"]][-1] == (
        "Undangan dikirim ke 1 akun baru; 1 tanpa alamat e-mail."
    )
    assert [m.to for m in mail.outbox] == [["budi@kaltimprov.go.id"]]
    invitation = Invitation.objects.get()
    assert (invitation.user.nip, invitation.invited_by) == (nip(1), coordinator)
    assert ActivityLog.objects.filter(action="invitation.sent", actor=coordinator).count() == 1


def test_without_the_tick_nobody_is_invited(
    client,
    coordinator,
    dinkes,
    django_capture_on_commit_callbacks,
):
    client.force_login(coordinator)
    token = dry_run(client, f"{nip(1)},Budi,budi@kaltimprov.go.id,,,DINKES,,,,,")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:participants_confirm"), {"token": token})
    assert (Invitation.objects.count(), mail.outbox) == (0, [])
