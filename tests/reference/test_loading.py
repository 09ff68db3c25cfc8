"""The region's reference data: the bundled province, and another region given only by
data and the setting AGENPLAN_REFERENCE_DATA_DIR."""

import json
from collections import Counter
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from agencies.models import Agency
from assessment.models import Criterion, CriterionLevel, Rubric
from plans.models import ChangeAgentRole, ChangeArea, CoreValue, GovernorMission

pytestmark = pytest.mark.django_db

REFERENCE_MODELS = [Agency, ChangeArea, CoreValue, GovernorMission, Rubric, Criterion]


def run() -> str:
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in [*REFERENCE_MODELS, CriterionLevel]}


def test_load_reference_data_loads_the_bundled_province():
    run()

    assert Agency.objects.count() == 48
    assert Agency.objects.get(code="DINKES").kind == "dinas"
    assert ChangeArea.objects.count() == 8
    assert list(CoreValue.objects.values_list("order", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert len(CoreValue.objects.get(code="B").behaviours) == 3
    missions = Counter(GovernorMission.objects.values_list("period", flat=True))
    assert missions == {"RPJMD 2019–2023": 5, "RPJMD 2025–2029": 6}
    assert list(ChangeAgentRole.objects.order_by("order").values_list("code", flat=True)) == [
        "panutan",
        "katalisator",
        "pemberi_solusi",
        "penghubung",
        "penggerak",
    ]
    rubric = Rubric.objects.get(cycle__isnull=True)
    assert rubric.criteria.count() == 6
    assert sum(rubric.criteria.values_list("weight", flat=True)) == 100
    assert CriterionLevel.objects.filter(criterion__rubric=rubric).count() == 30


def test_load_reference_data_twice_changes_nothing():
    run()
    before = counts()
    stamps = dict(Agency.objects.values_list("code", "updated_at"))

    output = run()

    assert counts() == before
    assert dict(Agency.objects.values_list("code", "updated_at")) == stamps
    assert "agencies.Agency: 0 created, 0 updated, 48 unchanged" in output


@pytest.fixture
def regency(tmp_path, settings):
    """A regency's own reference data in its own folder, named by the setting."""
    agencies = [
        {
            "model": "agencies.agency",
            "fields": {
                "code": "BAPPEDA-KUKAR",
                "name": "Badan Perencanaan Pembangunan Daerah Kabupaten Kutai Kartanegara",
                "abbreviation": "Bappeda Kukar",
                "kind": "badan",
            },
        },
        {
            "model": "agencies.agency",
            "fields": {
                "code": "DISDIK-KUKAR",
                "name": "Dinas Pendidikan Kabupaten Kutai Kartanegara",
                "abbreviation": "Disdik Kukar",
                "kind": "dinas",
            },
        },
    ]
    frameworks = [
        {
            "model": "plans.changearea",
            "fields": {"code": "MP", "name": "Manajemen Perubahan", "order": 1},
        },
        {
            "model": "plans.corevalue",
            "fields": {
                "code": "B",
                "name": "Berorientasi Pelayanan",
                "order": 1,
                "behaviours": ["Memahami dan memenuhi kebutuhan masyarakat"],
            },
        },
        {
            "model": "plans.governormission",
            "fields": {"period": "RPJMD 2021–2026", "number": 1, "text": "Kukar Idaman"},
        },
    ]
    rubric = {
        "name": "Instrumen Kabupaten",
        "description": "Satu kriteria.",
        "criteria": [
            {
                "code": "K1",
                "name": "Kejelasan masalah",
                "weight": 100,
                "order": 1,
                "levels": {n: f"Tingkat {n}" for n in range(1, 6)},
            }
        ],
    }
    (tmp_path / "agencies.json").write_text(json.dumps(agencies), encoding="utf-8")
    (tmp_path / "frameworks.json").write_text(json.dumps(frameworks), encoding="utf-8")
    (tmp_path / "rubric.yaml").write_text(yaml.safe_dump(rubric), encoding="utf-8")
    settings.AGENPLAN_REFERENCE_DATA_DIR = str(tmp_path)
    return tmp_path


def test_another_region_loads_its_own_data_without_the_bundled_province(regency):
    output = run()

    assert f"Reference data from {regency}" in output
    assert sorted(Agency.objects.values_list("code", "kind")) == [
        ("BAPPEDA-KUKAR", "badan"),
        ("DISDIK-KUKAR", "dinas"),
    ]
    assert list(ChangeArea.objects.values_list("code", flat=True)) == ["MP"]
    assert list(CoreValue.objects.values_list("code", "behaviours")) == [
        ("B", ["Memahami dan memenuhi kebutuhan masyarakat"])
    ]
    assert list(GovernorMission.objects.values_list("period", "number")) == [("RPJMD 2021–2026", 1)]
    rubric = Rubric.objects.get(cycle__isnull=True)
    assert rubric.name == "Instrumen Kabupaten"
    assert list(rubric.criteria.values_list("code", "weight")) == [("K1", 100)]
    assert list(
        CriterionLevel.objects.filter(criterion__rubric=rubric)
        .order_by("level")
        .values_list("level", "descriptor")
    ) == [(n, f"Tingkat {n}") for n in range(1, 6)]
    assert "agencies.Agency: 2 created, 0 updated, 0 unchanged" in output


def test_a_changed_agency_name_in_the_data_updates_only_that_row(regency):
    run()
    rows = json.loads((regency / "agencies.json").read_text(encoding="utf-8"))
    rows[1]["fields"]["name"] = "Dinas Pendidikan dan Kebudayaan Kabupaten Kutai Kartanegara"
    (regency / "agencies.json").write_text(json.dumps(rows), encoding="utf-8")

    output = run()

    assert Agency.objects.get(code="DISDIK-KUKAR").name == (
        "Dinas Pendidikan dan Kebudayaan Kabupaten Kutai Kartanegara"
    )
    assert "agencies.Agency: 0 created, 1 updated, 1 unchanged" in output
