"""Shared code of the data generators: reference data, synthetic people, plan contents.

Used by the management commands `load_reference_data`, `seed_demo` and `seed_scale`,
which live in `reports`, the rightmost app, because seeding writes to every app.

- `reference`: the fixtures of agencies, RB frameworks and the default rubric, loaded
  idempotently by natural key; copying a rubric to a cycle.
- `people`: synthetic ASN identities (names with academic titles, valid unique NIPs,
  jabatan, pangkat) and the demo password hash.
- `content`: plan contents from the templates in `plan_themes.yaml`, review texts.
- `dates`: WITA datetimes and month arithmetic.

Everything is deterministic for a given `random.Random`, so the same seed gives the same
people and plans. The randomness is for plausible variety, never for security.
"""
