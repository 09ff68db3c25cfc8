"""The audit page's list as a spreadsheet (XLSX), formula-safe (agenplan.spreadsheets).

Written in the request, in openpyxl's write-only mode (rows streamed into the file, not
held as cells), and capped at AUDIT_EXPORT_MAX_ROWS newest entries: an audit extract is
a few thousand rows, unlike the cycle reports, which are report jobs.
"""

import json
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from agenplan.spreadsheets import write_only_row

AUDIT_EXPORT_MAX_ROWS = 10_000


def audit_workbook(entries) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Jejak audit"))
    widths = (18, 28, 20, 26, 20, 10, 40, 14, 14, 30, 60)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        ws.column_dimensions[column].width = width
    write_only_row(
        ws,
        [
            _("Waktu (WITA)"),
            _("Pelaku"),
            _("Nama pengguna"),
            _("Tindakan"),
            _("Jenis objek"),
            _("ID objek"),
            _("Objek"),
            _("Dari"),
            _("Ke"),
            _("Catatan"),
            _("Data"),
        ],
    )
    for entry in entries[:AUDIT_EXPORT_MAX_ROWS].iterator(chunk_size=1000):
        write_only_row(
            ws,
            [
                timezone.localtime(entry.created_at).replace(tzinfo=None),
                entry.actor.name if entry.actor else "",
                entry.actor.username if entry.actor else "",
                entry.action,
                entry.content_type.model,
                entry.object_id,
                entry.object_repr,
                entry.from_state,
                entry.to_state,
                entry.note,
                json.dumps(entry.data, ensure_ascii=False, sort_keys=True) if entry.data else "",
            ],
        )
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
