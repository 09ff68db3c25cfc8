"""Shared code of the data generators: synthetic people, plan contents, reference lookups.

Used by the management commands `seed_demo` and `seed_scale`. Both first load the
region's reference data (`reference.loading`).

- `lookups`: the reference rows (agencies, frameworks, the default rubric) by key.
- `people`: synthetic ASN identities (names with academic titles, valid unique NIPs,
  jabatan, pangkat) and the demo password hash.
- `content`: plan contents from the templates in `plan_themes.yaml`, review texts.
- `dates`: WITA datetimes and month arithmetic.
- `demo_cycles`, `demo_seeder`, `demo_plays`: `seed_demo`'s two cycles, its people and
  the stories its plans are played through.
- `scale_setup`, `scale`: `seed_scale`'s shares and synthetic agencies, the removal of a
  generated cycle, and the bulk generator.

Everything is deterministic for a given `random.Random`, so the same seed gives the same
people and plans. The randomness is for plausible variety, never for security.
"""
