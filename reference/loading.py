"""Loading the region's reference data, idempotently.

The folder of `settings.AGENPLAN_REFERENCE_DATA_DIR` holds:

- `agencies.json`: the region's perangkat daerah;
- `frameworks.json`: the RB change areas, the BerAKHLAK values with their behaviours, the
  regional head's missions per planning period, and the five change-agent roles
  (PermenPANRB 27/2014), so that a database emptied and reloaded has them again;
- `rubric.yaml`: the default rubric (criteria with weights summing to 100, five levels).

The JSON files use Django's fixture layout (`model`, `fields`) without primary keys: rows
are matched by natural key, never by id, so loading is idempotent on any database.
"""

import json
from collections import Counter
from pathlib import Path

import yaml
from django.apps import apps
from django.conf import settings
from django.db import transaction

from assessment.models import Criterion, CriterionLevel, Rubric

AGENCIES = "agencies.json"
FRAMEWORKS = "frameworks.json"
RUBRIC = "rubric.yaml"

# The natural key of each flat reference model.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "agencies.agency": ("code",),
    "plans.changearea": ("code",),
    "plans.corevalue": ("code",),
    "plans.governormission": ("period", "number"),
    "plans.changeagentrole": ("code",),
}


def data_dir() -> Path:
    """The folder of the region's reference data (read at call time, never at import)."""
    return Path(settings.AGENPLAN_REFERENCE_DATA_DIR)


def read_data(name: str):
    path = data_dir() / name
    with path.open(encoding="utf-8") as handle:
        if path.suffix in (".yaml", ".yml"):
            return yaml.safe_load(handle)
        return json.load(handle)


def agency_rows() -> tuple[dict, ...]:
    """The region's perangkat daerah as dicts (code, name, abbreviation, kind)."""
    return tuple(row["fields"] for row in read_data(AGENCIES))


def default_rubric_name() -> str:
    return read_data(RUBRIC)["name"]


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
    """Load every reference file; return, per model label, created/updated/unchanged."""
    stats: dict[str, Counter] = {}
    with transaction.atomic():
        for name in (AGENCIES, FRAMEWORKS):
            for row in read_data(name):
                model = apps.get_model(row["model"])
                fields = dict(row["fields"])
                lookup = {key: fields.pop(key) for key in NATURAL_KEYS[row["model"]]}
                result = _upsert(model, lookup, fields)
                stats.setdefault(model._meta.label, Counter())[result] += 1
        _load_default_rubric(stats)
    return stats


def _load_default_rubric(stats: dict[str, Counter]) -> None:
    """The template rubric (cycle = null) by name; criteria by code; levels by number."""
    doc = read_data(RUBRIC)
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
            "section": item.get("section", ""),
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
