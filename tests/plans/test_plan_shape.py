"""The plan's shape lives in one registry (plans.sections): a section added there, with
its columns on the model, shows in the editor, the checklist, the frozen versions, both
comparisons of versions, the conflict screen, the plan pages, the plan document and the
spreadsheet export, with no other change.

The section added here ("Pendanaan": a money field and a choice field) is what
docs/adding-a-plan-field.md walks through. Its two columns are added to the plans table
for the test (as its migration would) and removed afterwards.
"""

import datetime as dt
import io
import random
import re
from decimal import Decimal

import pytest
from django.db import connection, models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from demo.seeding.content import plan_content
from plans import sections
from plans.checklist import plan_checklist
from plans.diff import plan_diff
from plans.field_kinds import CHOICE, DATE, MONEY, TEXT
from plans.models import ActionPlan
from plans.sections import PlanField, Section
from plans.services.content import snapshot_plan
from plans.services.workflow import submit_plan
from reports.rendering.plan_document import plan_document_context, roman
from reports.rendering.xlsx import plans_workbook
from tests.factories import complete_plan_content

FUNDING_SOURCES = [("apbd", "APBD"), ("apbn", "APBN"), ("other", "Lainnya")]


@pytest.fixture
def funding(transactional_db, monkeypatch):
    """A "Pendanaan" section after the targets: the total budget (money) and the source
    of funds (a choice), both required before submission."""
    columns = {
        "total_budget": models.DecimalField(
            "total anggaran (Rp)", max_digits=15, decimal_places=0, null=True, blank=True
        ),
        "funding_source": models.CharField(
            "sumber dana", max_length=10, choices=FUNDING_SOURCES, blank=True
        ),
    }
    for name, column in columns.items():
        column.contribute_to_class(ActionPlan, name)
    with connection.schema_editor() as editor:
        for column in columns.values():
            editor.add_field(ActionPlan, column)
    section = Section(
        "funding",
        "Pendanaan",
        fields=(
            PlanField("total_budget", MONEY, required=True),
            PlanField("funding_source", CHOICE, required=True),
        ),
    )
    registry = list(sections.SECTIONS)
    registry.insert(registry.index(sections.section("targets")) + 1, section)
    monkeypatch.setattr(sections, "SECTIONS", tuple(registry))
    yield section
    with connection.schema_editor() as editor:
        for column in columns.values():
            editor.remove_field(ActionPlan, column)
    for name, column in columns.items():
        ActionPlan._meta.local_fields.remove(column)
        delattr(ActionPlan, name)
    delattr(ActionPlan, "get_funding_source_display")
    ActionPlan._meta._expire_cache()


def autosave(client, plan, section, data, *, based_on):
    url = reverse("plans:autosave", args=[plan.pk]) + f"?bagian={section}"
    return client.post(url, {"lock_version": str(based_on), **data}, HTTP_HX_REQUEST="true")


def lock_version(plan) -> int:
    return ActionPlan.objects.values_list("lock_version", flat=True).get(pk=plan.pk)


def funding_checks(plan) -> list[tuple[str, bool, str]]:
    plan = ActionPlan.objects.get(pk=plan.pk)
    return [(i.field, i.ok, i.label) for i in plan_checklist(plan) if i.section == "funding"]


def test_a_section_added_to_the_registry_reaches_every_output(client, agent, draft_plan, funding):
    number = funding.number
    assert (number, sections.section("impact").number) == (7, 8)
    plan = complete_plan_content(draft_plan)
    plan.refresh_from_db()
    # The factories fill a required field by its kind's example.
    assert plan.total_budget > 0
    assert plan.funding_source in {"apbd", "apbn", "other"}
    ActionPlan.objects.filter(pk=plan.pk).update(total_budget=None, funding_source="")
    client.force_login(agent.user)

    # The editor: the section in its place, numbered, with a form made from its fields.
    html = client.get(reverse("plans:edit", args=[plan.pk])).content.decode()
    assert re.search(rf'id="h-funding">\s*{number}\. Pendanaan</h2>', html)
    assert re.search(r'id="h-impact">\s*8\. Dampak</h2>', html)
    assert 'name="total_budget"' in html
    # The checklist's links land on the fields.
    assert 'id="div_id_total_budget"' in html
    assert 'id="div_id_funding_source"' in html
    assert '<option value="apbn">APBN</option>' in html

    # The checklist asks for both fields, counted with the others.
    assert funding_checks(plan) == [
        ("total_budget", False, "Total anggaran (Rp) wajib diisi."),
        ("funding_source", False, "Sumber dana wajib diisi."),
    ]
    response = client.get(reverse("plans:detail", args=[plan.pk]))
    total = len(sections.required_fields()) + 2 * len(sections.row_sections())
    assert (total, response.context["checklist_done"]) == (19, 17)

    # Autosave writes the section; the checklist is complete.
    response = autosave(
        client,
        plan,
        "funding",
        {"total_budget": "1.500.000", "funding_source": "apbd"},
        based_on=lock_version(plan),
    )
    assert "Belum tersimpan" not in response.content.decode()
    plan.refresh_from_db()
    assert (plan.total_budget, plan.funding_source) == (Decimal("1500000"), "apbd")
    assert funding_checks(plan) == [
        ("total_budget", True, "Total anggaran (Rp) sudah diisi."),
        ("funding_source", True, "Sumber dana sudah diisi."),
    ]

    # A teammate saved first: the conflict screen shows both inputs as their kinds read.
    stale = lock_version(plan)
    ActionPlan.objects.filter(pk=plan.pk).update(
        total_budget=Decimal("1750000"), lock_version=stale + 1
    )
    mine = {"total_budget": "2000000", "funding_source": "apbn"}
    response = autosave(client, plan, "funding", mine, based_on=stale)
    assert response["HX-Retarget"] == "#main"
    html = response.content.decode()
    assert 'id="conflict-funding">Pendanaan</h2>' in html
    assert 'data-text-of="total_budget-mine">Rp 2.000.000</div>' in html
    assert 'data-text-of="total_budget-stored">Rp 1.750.000</div>' in html
    assert 'data-text-of="funding_source-mine">APBN</div>' in html
    assert 'data-text-of="funding_source-stored">APBD</div>' in html
    response = client.post(
        reverse("plans:resolve", args=[plan.pk]),
        {"lock_version": str(stale + 1), "sections": "funding", "choice-funding": "mine", **mine},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.total_budget, plan.funding_source) == (Decimal("2000000"), "apbn")

    # Submission freezes the fields as JSON.
    version = submit_plan(plan, by=agent.user)
    assert (version.snapshot["total_budget"], version.snapshot["funding_source"]) == (
        "2000000",
        "apbn",
    )
    ActionPlan.objects.filter(pk=plan.pk).update(
        total_budget=Decimal("2500000"), funding_source="apbd"
    )
    plan.refresh_from_db()

    # The agent's comparison of versions ("Bandingkan versi").
    response = client.get(reverse("plans:compare", args=[plan.pk]), {"dari": "1", "ke": "current"})
    [diff] = [s for s in response.context["sections"] if s.section == "funding"]
    assert (diff.label, diff.changed) == ("Pendanaan", True)
    assert [(f.label, f.added, f.removed) for f in diff.fields] == [
        ("Total anggaran (Rp)", 1, 1),
        ("Sumber dana", 1, 1),
    ]
    assert [(t.text, t.kind) for t in diff.fields[0].tokens] == [
        ("Rp ", "same"),
        ("2.000.000", "removed"),
        ("2.500.000", "added"),
    ]

    # The reviewer's comparison of versions is the same diff (plans.diff), changed sections.
    changes = [s for s in plan_diff(version.snapshot, snapshot_plan(plan)) if s.changed]
    assert [(s.section, [f.label for f in s.fields if f.changed]) for s in changes] == [
        ("funding", ["Total anggaran (Rp)", "Sumber dana"])
    ]

    # The plan's page, the reviewer's frozen version.
    html = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert 'id="funding-title">7. Pendanaan</h2>' in html
    assert "Rp 2.500.000" in html
    frozen = render_to_string("assessment/partials/snapshot.html", {"snapshot": version.snapshot})
    assert "7. Pendanaan —" in frozen
    assert "Rp 2.000.000" in frozen

    # The plan document prints the submitted version.
    context = plan_document_context(plan, code="ABCD-1234")
    html = render_to_string("pdf/plan_document.html", context)
    assert f"<h2>{roman(number)}. Pendanaan</h2>" in html
    assert "<h2>VIII. Dampak</h2>" in html
    assert re.search(r"<th scope=\"row\">Total anggaran \(Rp\)</th>\s*<td>\s*Rp 2.000.000", html)
    assert re.search(r"<th scope=\"row\">Sumber dana</th>\s*<td>\s*APBN", html)

    # The spreadsheet export: one column per field, money as a number.
    content = plans_workbook(plan.cycle, ActionPlan.objects.filter(pk=plan.pk))
    sheet = load_workbook(io.BytesIO(content))["Rencana"]
    header = [c.value for c in sheet[1]]
    assert header[8:] == [
        "Jenis perubahan",
        "Peran agen perubahan yang dijalankan",
        "Area perubahan RB",
        "Nilai BerAKHLAK",
        "Total anggaran (Rp)",
        "Sumber dana",
        "Anggota tim",
        "Jumlah kegiatan",
        "Jumlah target",
    ]
    row = [c.value for c in sheet[2]]
    assert row[12:14] == [2500000, "APBD"]
    assert (sheet["M2"].number_format, sheet["P2"].number_format) == ("#,##0", "0")


def test_a_version_frozen_before_a_section_existed_still_reads(agent, draft_plan, funding):
    plan = complete_plan_content(draft_plan)
    old = snapshot_plan(plan)
    del old["total_budget"], old["funding_source"]
    new = snapshot_plan(plan)
    [diff] = [s for s in plan_diff(old, new) if s.section == "funding"]
    assert [(f.name, f.removed, f.added) for f in diff.fields] == [
        ("total_budget", 0, 2),
        ("funding_source", 0, 1),
    ]
    assert [t.kind for f in diff.fields for t in f.tokens] == ["added", "added"]
    frozen = render_to_string("assessment/partials/snapshot.html", {"snapshot": old})
    assert re.search(r"Total anggaran \(Rp\)\s*</dt>\s*<dd>\s*—", frozen)


# --- Versions frozen before the registry ------------------------------------------------------

# A version as submissions stored it before the registry existed (schema 1).
STORED_SNAPSHOT = {
    "schema": 1,
    "lock_version": 4,
    "cycle": {"id": 1, "name": "Assessment Agen Perubahan 2025"},
    "agency": {"id": 1, "name": "Dinas Penanaman Modal dan PTSP"},
    "owner": {"id": 1, "name": "Siti Rahmawati", "nip": "198703152010012001"},
    "co_agents": [],
    "title": "Layanan perizinan daring satu pintu",
    "strategic_issue": "Izin usaha butuh 14 hari.",
    "baseline_data": "1.240 berkas pada 2025.",
    "root_cause": "Berkas diperiksa berulang.",
    "innovation": "Pemeriksaan berkas daring sekali jalan.",
    "change_kind": "digitalisation",
    "novelty": "Belum pernah daring.",
    "alignment_notes": "Mendukung tata laksana.",
    "roadmap_link": "",
    "impact_internal": "Beban kerja turun.",
    "impact_external": "Warga terlayani cepat.",
    "stakeholders": "Pemohon izin.",
    "risks": "Jaringan putus.",
    "mitigation": "Loket cadangan.",
    "change_areas": [{"code": "TL", "name": "Penataan Tatalaksana"}],
    "core_values": [{"code": "B", "name": "Berorientasi Pelayanan"}],
    "governor_mission": {"period": "RPJMD 2019–2023", "number": 3, "text": "Tata kelola."},
    "activities": [
        {
            "order": 0,
            "title": "Rancang alur",
            "output": "Alur baru",
            "start_month": "2026-03-01",
            "end_month": "2026-04-01",
            "responsible": "Agen",
            "budget": "2500000",
        }
    ],
    "targets": [
        {
            "order": 0,
            "indicator": "Izin tepat waktu",
            "unit": "%",
            "baseline": "40.50",
            "target_value": "90.00",
            "due_date": "2026-12-31",
            "verification": "Laporan SIMPEL",
        }
    ],
    "attachments": [{"name": "alur.pdf", "size": 2048}],
}


def test_a_stored_version_reads_field_by_field_as_before(db):
    shown = {
        field.name: field.text
        for section in sections.show(STORED_SNAPSHOT)
        for field in section.fields
    }
    assert shown["change_kind"] == "Digitalisasi"
    assert shown["governor_mission"] == "RPJMD 2019–2023 — 3. Tata kelola."
    assert shown["change_areas"] == "Penataan Tatalaksana"
    assert shown["strategic_issue"] == "Izin usaha butuh 14 hari."
    assert [s.label for s in sections.show(STORED_SNAPSHOT)] == [
        str(s.label) for s in sections.all_sections()
    ]
    assert [
        (section.key, [kind for kind, _fields in section.blocks])
        for section in sections.show(STORED_SNAPSHOT)
        if section.fields
    ] == [
        ("identity", ["table"]),
        ("problem", ["text", "text", "text"]),
        ("change", ["text", "table", "text", "table"]),
        ("alignment", ["table", "text", "text"]),
        ("impact", ["text", "text"]),
        ("risks", ["text", "text", "text"]),
    ]


def test_the_registry_lists_the_sections_and_kinds_of_the_plan(db):
    assert [
        (s.number, s.key, [(f.name, f.kind.name, f.required) for f in s.fields])
        for s in sections.all_sections()
        if s.fields
    ] == [
        (1, "identity", [("title", "line", False)]),
        (
            2,
            "problem",
            [
                ("strategic_issue", "text", True),
                ("baseline_data", "text", True),
                ("root_cause", "text", True),
            ],
        ),
        (
            3,
            "change",
            [
                ("innovation", "text", True),
                ("change_kind", "choice", True),
                ("novelty", "text", True),
                ("agent_roles", "many", False),
            ],
        ),
        (
            4,
            "alignment",
            [
                ("change_areas", "many", True),
                ("core_values", "many", True),
                ("governor_mission", "reference", False),
                ("alignment_notes", "text", False),
                ("roadmap_link", "text", False),
            ],
        ),
        (7, "impact", [("impact_internal", "text", True), ("impact_external", "text", True)]),
        (
            8,
            "risks",
            [("stakeholders", "text", True), ("risks", "text", True), ("mitigation", "text", True)],
        ),
    ]
    assert [(s.key, s.rows) for s in sections.row_sections().values()] == [
        ("activities", "activities"),
        ("targets", "targets"),
    ]
    assert sections.text_field_names() == [f.name for f in sections.plan_fields() if f.kind is TEXT]


@pytest.mark.parametrize(
    ("spec", "value", "text", "cell"),
    [
        (PlanField("budget", MONEY, model="plans.Activity"), "1500000", "Rp 1.500.000", 1500000),
        (PlanField("budget", MONEY, model="plans.Activity"), None, "", None),
        (PlanField("budget", MONEY, model="plans.Activity"), "12.50", "Rp 12,50", 12.5),
        (PlanField("change_kind", CHOICE), "governance", "Tata kelola", "Tata kelola"),
        (PlanField("change_kind", CHOICE), "unknown", "unknown", "unknown"),
        (PlanField("change_kind", CHOICE), "", "", ""),
    ],
)
def test_a_kind_reads_a_frozen_value_as_text_and_as_a_cell(spec, value, text, cell):
    assert (spec.text(value), spec.cell(value)) == (text, cell)


def test_a_date_field_freezes_as_iso_and_reads_in_the_plan_language(db):
    spec = PlanField("due_date", DATE, model="plans.Target")
    assert spec.kind.to_json(dt.date(2026, 3, 1), spec) == "2026-03-01"
    assert (spec.text("2026-03-01"), spec.cell("2026-03-01")) == (
        "1 Maret 2026",
        dt.date(2026, 3, 1),
    )
    assert (spec.text("bukan tanggal"), spec.cell("bukan tanggal")) == ("bukan tanggal", None)


def test_demo_content_fills_a_new_section_with_its_kinds_examples(funding):
    agency = {"code": "DPMPTSP", "name": "Dinas PMPTSP", "abbreviation": "DPMPTSP", "kind": "dinas"}
    draft = plan_content(
        random.Random(7),
        agency=agency,
        window=(dt.date(2026, 3, 1), dt.date(2026, 12, 31)),
        year=2026,
        mission_period="RPJMD 2025–2029",
        theme_key="antrean",
    )
    assert draft.fields["total_budget"] % 1_000_000 == 0
    assert 5_000_000 <= draft.fields["total_budget"] <= 500_000_000
    assert draft.fields["funding_source"] in {"apbd", "apbn", "other"}
    # Every other column of the registry comes from the theme or the generator.
    assert set(draft.fields) == {
        f.name
        for f in sections.plan_fields()
        if f.name != "title" and not f.kind.many and f.kind.name != "reference"
    }


@pytest.mark.parametrize("language", ["id", "en"])
def test_checklist_labels_keep_the_capitals_of_proper_nouns(draft_plan, language):
    """A field's name inside a checklist item is written as the field names itself
    (only its first letter may change): "RB", "BerAKHLAK", "Pemprov" stay as they are."""
    with translation.override(language):
        items = {item.field: item.label for item in plan_checklist(draft_plan)}
        for _section, spec in sections.required_fields():
            name = str(spec.model_field.verbose_name)
            assert name[1:] in items[spec.name], (name, items[spec.name])
        labels = " ".join(items.values())
    assert "RB" in labels and "BerAKHLAK" in labels
