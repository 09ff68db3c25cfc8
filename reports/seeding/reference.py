"""Reference data: perangkat daerah, RB change areas, BerAKHLAK, missions, default rubric.

The data live as fixtures inside the apps that own the models:

- `agencies/fixtures/agencies_kaltim.json`: the 48 perangkat daerah of Pemprov Kaltim;
- `plans/fixtures/reference_frameworks.json`: the 8 RB change areas, the 7 BerAKHLAK
  values with their behaviours, the governor's missions (RPJMD 2019–2023) and the
  2025–2029 mission themes;
- `assessment/fixtures/rubric_default.yaml`: the default rubric (6 criteria, 5 levels).

The JSON files use Django's fixture layout (`model`, `fields`) without primary keys: rows
are matched by natural key, never by id, so loading is idempotent on any database.
"""

import json
from collections import Counter
from functools import cache
from pathlib import Path

import yaml
from django.apps import apps
from django.db import transaction

from agencies.models import Agency
from assessment.models import Criterion, CriterionLevel, Rubric
from plans.models import ChangeArea, CoreValue, GovernorMission

AGENCY_FIXTURE = ("agencies", "agencies_kaltim.json")
FRAMEWORK_FIXTURE = ("plans", "reference_frameworks.json")
RUBRIC_FIXTURE = ("assessment", "rubric_default.yaml")

# The natural key of each flat reference model.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "agencies.agency": ("code",),
    "plans.changearea": ("code",),
    "plans.corevalue": ("code",),
    "plans.governormission": ("period", "number"),
}


def fixture_path(app_label: str, name: str) -> Path:
    return Path(apps.get_app_config(app_label).path) / "fixtures" / name


def read_fixture(app_label: str, name: str):
    path = fixture_path(app_label, name)
    with path.open(encoding="utf-8") as handle:
        if path.suffix in (".yaml", ".yml"):
            return yaml.safe_load(handle)
        return json.load(handle)


@cache
def agency_rows() -> tuple[dict, ...]:
    """The perangkat daerah of the fixture as dicts (code, name, abbreviation, kind)."""
    return tuple(row["fields"] for row in read_fixture(*AGENCY_FIXTURE))


def _upsert(model, lookup: dict, values: dict) -> str:
    """update_or_create by natural key that writes only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        model.objects.create(**lookup, **values)
        return "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save()
    return "updated"


def load_reference_data() -> dict[str, Counter]:
    """Load every reference fixture; return, per model label, created/updated/unchanged."""
    stats: dict[str, Counter] = {}
    with transaction.atomic():
        for app_label, name in (AGENCY_FIXTURE, FRAMEWORK_FIXTURE):
            for row in read_fixture(app_label, name):
                model = apps.get_model(row["model"])
                fields = dict(row["fields"])
                lookup = {key: fields.pop(key) for key in NATURAL_KEYS[row["model"]]}
                result = _upsert(model, lookup, fields)
                stats.setdefault(model._meta.label, Counter())[result] += 1
        _load_default_rubric(stats)
    return stats


def _load_default_rubric(stats: dict[str, Counter]) -> None:
    """The template rubric (cycle = null) by name; criteria by code; levels by number."""
    doc = read_fixture(*RUBRIC_FIXTURE)
    description = doc.get("description", "")
    rubric = Rubric.objects.filter(cycle__isnull=True, name=doc["name"]).first()
    counter = stats.setdefault(Rubric._meta.label, Counter())
    if rubric is None:
        rubric = Rubric.objects.create(name=doc["name"], description=description)
        counter["created"] += 1
    elif rubric.description != description:
        rubric.description = description
        rubric.save(update_fields=["description"])
        counter["updated"] += 1
    else:
        counter["unchanged"] += 1
    for item in doc["criteria"]:
        values = {
            "name": item["name"],
            "weight": item["weight"],
            "guidance": item.get("guidance", ""),
            "order": item["order"],
        }
        result = _upsert(Criterion, {"rubric": rubric, "code": item["code"]}, values)
        stats.setdefault(Criterion._meta.label, Counter())[result] += 1
        criterion = Criterion.objects.get(rubric=rubric, code=item["code"])
        for level, descriptor in item["levels"].items():
            result = _upsert(
                CriterionLevel,
                {"criterion": criterion, "level": int(level)},
                {"descriptor": descriptor},
            )
            stats.setdefault(CriterionLevel._meta.label, Counter())[result] += 1


def default_rubric() -> Rubric:
    name = read_fixture(*RUBRIC_FIXTURE)["name"]
    return Rubric.objects.get(cycle__isnull=True, name=name)


def reference_lookups() -> tuple[dict, dict, dict]:
    """(change areas by code, core values by code, missions by (period, number))."""
    return (
        {a.code: a for a in ChangeArea.objects.all()},
        {v.code: v for v in CoreValue.objects.all()},
        {(m.period, m.number): m for m in GovernorMission.objects.all()},
    )


def agencies_by_code() -> dict[str, Agency]:
    return {a.code: a for a in Agency.objects.all()}
