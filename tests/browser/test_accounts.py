"""Going live with real people: the coordinator imports three new agents and invites them;
one opens the invitation e-mail's link, sets a password, signs in and starts a plan;
another has lost the invitation and uses "Lupa kata sandi". The e-mails are read from
Django's locmem outbox (the live server runs in this process, Celery eagerly)."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from agents.enums import Role
from agents.models import Invitation, User
from agents.validators import generate_nip
from plans.models import ActionPlan
from tests.factories import AgencyFactory, CycleFactory, add_rubric, user_with_role

from .conftest import axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "rahasia-123"  # tests.factories.UserFactory
NEW_PASSWORDS = {"agen.satu": "Mahakam-Pagi-2026", "agen.dua": "Kutai-Senja-2026"}
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def province(transactional_db, settings, live_server):
    settings.AGENPLAN_SITE_URL = live_server.url
    cycle = CycleFactory(name="Assessment Agen Perubahan 2026", code="assessment-2026")
    add_rubric(cycle)
    agency = AgencyFactory(code="DINKES", name="Dinas Kesehatan", abbreviation="Dinkes")
    user_with_role(Role.COORDINATOR, username="koordinator", name="Koordinator Biro")
    people = [
        (
            generate_nip(
                birth_date=dt.date(1985, 1, 10 + n),
                appointment_month=dt.date(2010, 3, 1),
                gender="L" if n % 2 else "P",
                sequence=n + 1,
            ),
            name,
            f"{name.split()[0].lower()}@dinkes.example.go.id",
        )
        for n, name in enumerate(
            ["Ratna Sari, S.Kep.", "Budi Santoso, S.E.", "Lestari Wulandari, S.K.M."]
        )
    ]
    return {"cycle": cycle, "agency": agency, "people": people}


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def link_in(message) -> str:
    return next(url for url in LINK.findall(message.body) if "/akun/" in url)


def test_imported_agents_are_invited_set_passwords_and_start_a_plan(
    province, new_context, tmp_path
):
    people = province["people"]
    coordinator = new_context().new_page()
    login(coordinator, "koordinator", PASSWORD)

    # Import: the dry run, then the import.
    csv = tmp_path / "peserta.csv"
    rows = "".join(f'{nip},"{name}",{email},DINKES\n' for nip, name, email in people)
    csv.write_text("nip,nama,email,kode_opd\n" + rows, encoding="utf-8")
    coordinator.goto("/koordinator/peserta/")
    coordinator.get_by_label("Berkas peserta (.csv atau .xlsx)").set_input_files(str(csv))
    coordinator.get_by_role("button", name="Uji coba").click()
    expect(coordinator.locator("#dry-run-summary")).to_contain_text("3 agen dibuat")
    expect(
        coordinator.get_by_label(re.compile("Kirim undangan e-mail ke akun baru"))
    ).to_be_checked()
    coordinator.get_by_role("button", name="Impor sekarang").click()
    expect(coordinator.get_by_text(re.compile(r"Impor selesai"))).to_be_visible()
    imported = list(User.objects.filter(nip__in=[nip for nip, _n, _e in people]))
    assert len(imported) == 3
    assert not any(user.has_usable_password() for user in imported)

    # The import's confirmation invited them (its "undang" checkbox is ticked).
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e for _n, _m, e in people)
    assert Invitation.objects.filter(emailed_at__isnull=False).count() == 3

    # "Undangan akun": the three wait for their password; the third is invited again.
    coordinator.get_by_role("link", name="Undangan akun").click()
    coordinator.get_by_label("Status").select_option(label="Undangan berlaku, belum diterima")
    coordinator.get_by_role("button", name="Saring").click()
    expect(coordinator.locator("#invitations-count")).to_have_text(
        "3 akun belum memiliki kata sandi."
    )
    screenshot(coordinator, "accounts-invitations")
    assert axe_violations(coordinator) == []
    coordinator.get_by_label(f"Pilih {people[2][1]}").check()
    coordinator.get_by_role("button", name="Kirim undangan ke yang dipilih").click()
    expect(
        coordinator.get_by_text("1 undangan dikirim (1 di antaranya kiriman ulang).")
    ).to_be_visible()
    assert len(mails_to(people[2][2])) == 2

    # The first agent opens the invitation's link and sets a password.
    nip, name, email = people[0]
    (invitation,) = mails_to(email)
    assert invitation.subject == "[AgenPlan] Undangan: atur kata sandi Anda"
    agent = new_context().new_page()
    agent.goto(link_in(invitation))
    expect(agent).to_have_url(re.compile(r"/akun/undangan/atur-kata-sandi/$"))
    expect(agent.get_by_role("heading", name="Selamat datang di AgenPlan")).to_be_visible()
    screenshot(agent, "accounts-invitation-accept")
    assert axe_violations(agent) == []
    agent.locator("input[name=new_password1]").fill(NEW_PASSWORDS["agen.satu"])
    agent.locator("input[name=new_password2]").fill(NEW_PASSWORDS["agen.satu"])
    agent.get_by_role("button", name="Simpan kata sandi").click()
    expect(agent.get_by_text(f"Silakan masuk dengan nama pengguna {nip}.")).to_be_visible()
    # Signs in (the username is the NIP) and starts a plan.
    login(agent, nip, NEW_PASSWORDS["agen.satu"])
    expect(agent.get_by_role("heading", name="Rencana saya")).to_be_visible()
    agent.get_by_label("Judul rencana tindak").fill("Antrean puskesmas daring")
    agent.get_by_role("button", name="Mulai rencana tindak").click()
    expect(agent).to_have_url(re.compile(r"/rencana/\d+/ubah/$"))
    assert ActionPlan.objects.get(owner__user__nip=nip).title == "Antrean puskesmas daring"
    # The link is single-use.
    again = new_context().new_page()
    again.goto(link_in(invitation))
    expect(again.get_by_text(re.compile("Tautan undangan ini sudah dipakai"))).to_be_visible()

    # The second agent lost the invitation: "Lupa kata sandi" from the sign-in page.
    nip, name, email = people[1]
    forgetful = new_context().new_page()
    forgetful.goto("/masuk/")
    forgetful.get_by_role("link", name="Lupa kata sandi?").click()
    expect(forgetful).to_have_url(re.compile(r"/akun/lupa-kata-sandi/$"))
    forgetful.get_by_label("Alamat e-mail").fill(email.upper())
    forgetful.get_by_role("button", name="Kirim tautan").click()
    expect(forgetful.get_by_role("heading", name="Periksa e-mail Anda")).to_be_visible()
    screenshot(forgetful, "accounts-password-reset-sent")
    assert axe_violations(forgetful) == []
    reset = next(m for m in mails_to(email) if m.subject == "[AgenPlan] Atur ulang kata sandi")
    forgetful.goto(link_in(reset))
    expect(forgetful.get_by_role("heading", name="Atur kata sandi baru")).to_be_visible()
    forgetful.locator("input[name=new_password1]").fill(NEW_PASSWORDS["agen.dua"])
    forgetful.locator("input[name=new_password2]").fill(NEW_PASSWORDS["agen.dua"])
    forgetful.get_by_role("button", name="Simpan kata sandi").click()
    expect(forgetful.get_by_text("Kata sandi baru Anda sudah tersimpan.")).to_be_visible()
    login(forgetful, nip, NEW_PASSWORDS["agen.dua"])
    expect(forgetful.get_by_role("heading", name="Rencana saya")).to_be_visible()

    # Back on the coordinator's page only the third is still waiting.
    coordinator.goto("/koordinator/undangan/")
    expect(coordinator.locator("#invitations-count")).to_have_text(
        "1 akun belum memiliki kata sandi."
    )
    expect(coordinator.get_by_role("row").filter(has_text=people[2][1])).to_contain_text("Terkirim")
