"""What an attachment may be: its kind is read from its content (magic bytes), not its name.

Allowed: PDF, PNG, JPEG, DOCX and XLSX, each up to AGENPLAN_ATTACHMENT_MAX_MB megabytes.
DOCX and XLSX are ZIP containers; they are recognised by the part every such document must have
(`word/document.xml`, `xl/workbook.xml`). A refused file gets a reason in Bahasa
Indonesia that names what was found.
"""

import os
import secrets
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def max_attachment_mb() -> int:
    """The largest attachment in megabytes (AGENPLAN_ATTACHMENT_MAX_MB): the one place the
    limit is read, by the check, the form's help text and the message."""
    return settings.AGENPLAN_ATTACHMENT_MAX_MB


def max_attachment_bytes() -> int:
    return max_attachment_mb() * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
PNG = FileKind("PNG", "image/png", (".png",))
JPEG = FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
DOCX = FileKind(
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = FileKind(
    "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
KINDS = (PDF, PNG, JPEG, DOCX, XLSX)
CONTENT_TYPES = {kind.content_type for kind in KINDS}


class AttachmentRefused(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def sniff(uploaded) -> FileKind | None:
    """The kind of the uploaded file from its first bytes (and, for ZIPs, its parts)."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            uploaded.seek(0)
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def check_upload(uploaded) -> FileKind:
    """The kind of an acceptable upload, or AttachmentRefused with the reason."""
    size = uploaded.size or 0
    if size == 0:
        raise AttachmentRefused(_("Berkas kosong; pilih berkas yang berisi."))
    if size > max_attachment_bytes():
        raise AttachmentRefused(
            _("Berkas terlalu besar (%(size)s MB); maksimal %(max)s MB.")
            % {"size": f"{size / 1024 / 1024:.1f}".replace(".", ","), "max": max_attachment_mb()}
        )
    kind = sniff(uploaded)
    if kind is None:
        raise AttachmentRefused(
            _(
                "Isi berkas bukan PDF, PNG, JPEG, DOCX atau XLSX. Simpan ulang dokumen "
                "dalam salah satu format itu."
            )
        )
    extension = os.path.splitext(uploaded.name or "")[1].lower()
    if extension not in kind.extensions:
        raise AttachmentRefused(
            _("Nama berkas berakhiran %(ext)s, tetapi isinya %(kind)s. Periksa berkasnya.")
            % {"ext": extension or "(tanpa akhiran)", "kind": kind.name}
        )
    return kind


def storage_name(kind: FileKind) -> str:
    """A random name for the stored copy: the user's file name is kept only as data."""
    return f"{secrets.token_hex(16)}{kind.extensions[0]}"
