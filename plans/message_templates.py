"""The messages the application sends (a notification in the bell and its e-mail), their
default wording, and the wording a coordinator gave a cycle (`MessageTemplate`).

A wording is a subject and a body with placeholders in braces, `{judul_rencana}`; each
kind of message lists the placeholders it fills (`KINDS`), and a wording naming any other
is refused on its field (`unknown_placeholders`). A message is rendered in its
recipient's language: the cycle's wording in that language if the coordinator wrote one,
else the default, translated. Placeholders are replaced by plain text; the pages that
show a message escape it as they escape everything (the bell, the preview), and e-mails
are plain text.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from agenplan.site import absolute_url
from agents.models import User
from agents.notifications import Message

from .models import Cycle, MessageTemplate

PLACEHOLDER = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    label: object  # what it stands for, shown beside the editor
    sample: object  # its value in the preview


PLACEHOLDERS = {
    p.name: p
    for p in (
        Placeholder("nama", _("nama penerima"), "Siti Rahmawati, S.E."),
        Placeholder(
            "judul_rencana", _("judul rencana tindak"), _("Pembayaran pajak kendaraan tanpa antre")
        ),
        Placeholder("siklus", _("nama siklus"), "Assessment Agen Perubahan 2027"),
        Placeholder("batas_waktu", _("tenggat (tanggal)"), dt.date(2027, 1, 7)),
        Placeholder("keputusan", _("keputusan"), _("Perlu revisi")),
        Placeholder("nilai", _("nilai rencana"), "78,25"),
        Placeholder("versi", _("nomor versi yang diajukan"), "2"),
        Placeholder("jumlah", _("jumlah penugasan"), "3"),
        Placeholder("catatan", _("catatan koordinator"), _("Mohon periksa kembali kriteria 2.")),
        Placeholder("tautan", _("alamat halaman terkait"), "/rencana/1/"),
    )
}


@dataclass(frozen=True)
class MessageKind:
    key: str
    label: object
    placeholders: tuple[str, ...]
    subject: object  # the default wording (translatable)
    body: object


def _kind(key, label, placeholders, subject, body) -> MessageKind:
    return MessageKind(key, label, ("nama", "siklus", "tautan", *placeholders), subject, body)


KINDS = {
    k.key: k
    for k in (
        _kind(
            "assignment",
            _("Penugasan reviewer"),
            ("judul_rencana", "batas_waktu"),
            _("Penugasan baru: {judul_rencana}"),
            _("Anda ditugaskan menilai rencana tindak “{judul_rencana}”. Tenggat: {batas_waktu}."),
        ),
        _kind(
            "assignment_many",
            _("Penugasan otomatis (beberapa rencana)"),
            ("jumlah", "batas_waktu"),
            _("{jumlah} penugasan baru"),
            _(
                "Anda mendapat {jumlah} penugasan baru pada {siklus}. Tenggat penilaian: "
                "{batas_waktu}. Daftarnya ada di antrean penilaian Anda."
            ),
        ),
        _kind(
            "revision",
            _("Revisi siap dinilai"),
            ("judul_rencana", "versi"),
            _("Revisi siap dinilai: {judul_rencana}"),
            _("Agen mengajukan versi {versi}; lihat perubahannya pada halaman penilaian."),
        ),
        _kind(
            "review_reopened",
            _("Penilaian dibuka kembali"),
            ("judul_rencana", "catatan"),
            _("Penilaian dibuka kembali: {judul_rencana}"),
            _("Koordinator membuka kembali penilaian Anda. {catatan}"),
        ),
        _kind(
            "reviews_complete",
            _("Semua penilaian masuk (untuk koordinator)"),
            ("judul_rencana", "nilai"),
            _("Semua penilaian masuk: {judul_rencana}"),
            _("Rencana “{judul_rencana}” siap diputuskan. Nilai: {nilai}."),
        ),
        _kind(
            "due_soon",
            _("Pengingat tenggat penilaian, dua hari sebelumnya"),
            ("judul_rencana", "batas_waktu"),
            _("Tenggat penilaian dua hari lagi: {judul_rencana}"),
            _("Penilaian rencana “{judul_rencana}” jatuh tempo {batas_waktu}."),
        ),
        _kind(
            "due_tomorrow",
            _("Pengingat tenggat penilaian, sehari sebelumnya"),
            ("judul_rencana", "batas_waktu"),
            _("Tenggat penilaian besok: {judul_rencana}"),
            _("Penilaian rencana “{judul_rencana}” jatuh tempo {batas_waktu}."),
        ),
        _kind(
            "overdue",
            _("Penilaian terlambat"),
            ("judul_rencana", "batas_waktu"),
            _("Penilaian terlambat: {judul_rencana}"),
            _("Penilaian rencana “{judul_rencana}” jatuh tempo {batas_waktu} dan belum dikirim."),
        ),
        _kind(
            "decision",
            _("Keputusan atas rencana (untuk agen)"),
            ("judul_rencana", "keputusan"),
            _("Keputusan atas rencana “{judul_rencana}”: {keputusan}"),
            _("Buka AgenPlan untuk membaca nilai dan masukan penilaian."),
        ),
        _kind(
            "thread_reply",
            _("Balasan pada utas pendampingan"),
            ("judul_rencana",),
            _("Balasan baru pada utas pendampingan: {judul_rencana}"),
            _("Ada balasan baru pada utas pendampingan rencana “{judul_rencana}”."),
        ),
    )
}


def unknown_placeholders(kind: MessageKind, text: str) -> list[str]:
    """The placeholders of `text` that `kind` does not fill (`{}` and `{1}` included)."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in kind.placeholders})


def _text(value) -> str:
    """A placeholder's value as text in the active language: a date the long way ("7 Januari
    2027", "7 January 2027"), a score with its decimals ("78,25", "78.25")."""
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT", use_l10n=True)
    if isinstance(value, Decimal):
        return formats.number_format(value, 2, use_l10n=True)
    return str(value)


def fill(text: str, values: dict) -> str:
    """`text` with each `{name}` it holds replaced by its value; nothing else is read."""

    def replace(match):
        name = match.group(1)
        return _text(values[name]) if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, text)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def _edited_wordings(cycle: Cycle) -> dict[tuple[str, str], tuple[str, str]]:
    """The cycle's edited wordings, read once per cycle object (one query: a service that
    notifies many people of one cycle reads them once)."""
    cached = getattr(cycle, "_agenplan_wordings", None)
    if cached is None:
        cached = cycle._agenplan_wordings = {
            (kind, language): (subject, body)
            for kind, language, subject, body in MessageTemplate.objects.filter(
                cycle=cycle
            ).values_list("kind", "language", "subject", "body")
        }
    return cached


def wording(cycle: Cycle | None, kind: str, language: str) -> tuple[str, str, bool]:
    """(subject, body, edited) of the kind's wording for the cycle in `language`."""
    edited = _edited_wordings(cycle).get((kind, language)) if cycle is not None else None
    if edited is not None:
        return edited[0], edited[1], True
    with translation.override(language):
        return str(KINDS[kind].subject), str(KINDS[kind].body), False


def recipient_language(recipient: User) -> str:
    return recipient.language or settings.LANGUAGE_CODE


def render(kind: str, *, cycle: Cycle | None, recipient: User, url: str = "", **values) -> Rendered:
    """The message of `kind` for `recipient`, in their language, with the cycle's wording
    (or the default). `values` fill the kind's placeholders; the recipient's name, the
    cycle's name and the link are filled here."""
    language = recipient_language(recipient)
    subject, body, _edited = wording(cycle, kind, language)
    return render_text(
        subject,
        body,
        language=language,
        nama=recipient.name,
        siklus=cycle.name if cycle is not None else "",
        tautan=absolute_url(url) if url else "",
        **values,
    )


def render_text(subject: str, body: str, *, language: str, **values) -> Rendered:
    with translation.override(language):
        values = {name: _text(value) for name, value in values.items()}
        return Rendered(fill(subject, values)[:255], fill(body, values))


def sample_values(cycle: Cycle, plan=None) -> dict:
    """The placeholders' values in the preview: from one of the cycle's plans when it has
    one, else made-up."""
    values = {name: p.sample for name, p in PLACEHOLDERS.items()}
    values["siklus"] = cycle.name
    if plan is not None:
        values["judul_rencana"] = plan.title
        values["nama"] = plan.owner.user.name
        values["tautan"] = absolute_url(reverse("plans:detail", args=[plan.pk]))
    return values


def message(
    key: str,
    recipient: User,
    *,
    cycle: Cycle | None,
    url: str,
    dedupe_key: str,
    kind: str = "",
    **values,
) -> Message:
    """A notification (`agents.notifications.Message`) worded by `render`; `kind` is the
    notification's kind (its e-mail setting), by default the same as the wording's key."""
    rendered = render(key, cycle=cycle, recipient=recipient, url=url, **values)
    return Message(
        recipient,
        kind=kind or key,
        title=rendered.subject,
        body=rendered.body,
        url=url,
        dedupe_key=dedupe_key,
    )
