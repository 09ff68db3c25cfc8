"""The reference data a live installation starts from: the region's perangkat daerah,
the reform frameworks (RB change areas, BerAKHLAK values and behaviours), the regional
head's missions, and the default rubric; loaded by `manage.py load_reference_data`.

Why an app of its own, and not a module of `agencies`: the data belong to three apps
(agencies, plans, assessment), so the loader sits to the right of all of them in the
layering (agencies ← agents ← plans ← assessment ← reference), and no domain app imports
it. Production runs its command once at installation (and again when the region's data
change); the demo data (`demo`) build on it.

Which region: the files of the folder named by the setting `AGENPLAN_REFERENCE_DATA_DIR`
(`agencies.json`, `frameworks.json`, `rubric.yaml`); the default is the bundled data of
Pemerintah Provinsi Kalimantan Timur in `reference/data/kaltim/`. Another province or a
regency writes its own folder and sets the variable: no code changes.
"""
