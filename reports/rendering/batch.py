"""The batch of a cycle's review packets as one ZIP: which plans, in which chunks, and
the bytes of a chunk and of the final archive. Storage and the job's row are handled by
`reports.services`; this module only computes and renders.

Each chunk is a small ZIP of its packets plus an index (JSON) of what it holds; the final
archive copies every chunk's packets in order and adds `daftar-isi.csv`, the table of
contents with each packet's verification code.
"""

import csv
import io
import json
import math
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.text import slugify

from agenplan.spreadsheets import csv_row
from plans.models import ActionPlan, Cycle, PlanVersion

from ..verification import packet_code
from .plan_document import load_plan
from .review_packet import render_packet

INDEX_NAME = "_index.json"
CONTENTS_NAME = "daftar-isi.csv"
CONTENTS_HEADER = ["no", "id_rencana", "judul", "perangkat_daerah", "kode_verifikasi", "berkas"]
# Never more than this many chunks: a national cycle gets bigger chunks, not more rows.
MAX_CHUNKS = 200


def packet_plan_ids(cycle: Cycle) -> list[int]:
    """The plans of the cycle that have a submitted version, in the archive's order."""
    return list(
        ActionPlan.objects.filter(cycle=cycle)
        .filter(Exists(PlanVersion.objects.filter(plan=OuterRef("pk"))))
        .order_by("agency__name", "title", "pk")
        .values_list("pk", flat=True)
    )


def chunk_size(count: int) -> int:
    """Packets per chunk: AGENPLAN_PACKETS_PER_CHUNK (10), more when there would be more
    than MAX_CHUNKS chunks."""
    base = max(1, settings.AGENPLAN_PACKETS_PER_CHUNK)
    return max(base, math.ceil(count / MAX_CHUNKS))


def split(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _entry_name(plan: ActionPlan) -> str:
    agency = slugify(plan.agency.short_name)[:40].strip("-") or "opd"
    title = slugify(plan.title)[:60].strip("-") or "rencana"
    return f"{agency}/paket-{plan.pk}-{title}.pdf"


def render_chunk(plan_ids: Iterable[int], *, job_id: int, job_code: str, on_packet=None) -> bytes:
    """A ZIP of the packets of these plans (stored, not deflated: PDFs are compressed),
    each printed with its own verification code (reports.verification.packet_code)."""
    buffer = io.BytesIO()
    index = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for plan_id in plan_ids:
            plan = load_plan(plan_id)
            code = packet_code(job_id=job_id, job_code=job_code, plan_id=plan.pk)
            content, context = render_packet(plan, code=code)
            name = _entry_name(plan)
            archive.writestr(name, content)
            index.append(
                {
                    "plan_id": plan.pk,
                    "file": name,
                    "title": context["body"].title,
                    "agency": context["agency_name"],
                    "code": code,
                }
            )
            if on_packet:
                on_packet(plan.pk)
        archive.writestr(INDEX_NAME, json.dumps(index, ensure_ascii=False))
    return buffer.getvalue()


def assemble(chunks: Iterable[io.BufferedIOBase], target) -> int:
    """Copy every chunk's packets into `target` (a binary file) as one ZIP with a table of
    contents; return the number of packets."""
    rows = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for chunk in chunks:
            with zipfile.ZipFile(chunk) as part:
                for info in part.infolist():
                    if info.filename == INDEX_NAME:
                        rows.extend(json.loads(part.read(info)))
                        continue
                    archive.writestr(info, part.read(info))
        contents = io.StringIO()
        writer = csv.writer(contents)
        writer.writerow(
            ["no", "id_rencana", "judul", "perangkat_daerah", "kode_verifikasi", "berkas"]
        )
        for number, row in enumerate(rows, start=1):
            writer.writerow(
                csv_row(
                    [number, row["plan_id"], row["title"], row["agency"], row["code"], row["file"]]
                )
            )
        # A BOM so that spreadsheet programs read the UTF-8 names correctly.
        archive.writestr(CONTENTS_NAME, "\ufeff" + contents.getvalue())
    return len(rows)
