"""The demo province and the national-scale data set: `manage.py seed_demo` and
`manage.py seed_scale`, with their generators in `demo.seeding`.

The top of the layering: the generators write to every app through its services, and no
other app imports this one (a test checks it). The region's real reference data
(agencies, frameworks, default rubric) are not demo data: they live in `reference`,
which the demo loads first.
"""
