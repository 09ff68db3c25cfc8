"""The settings benchmarks/bench_browser.py serves the pages with: the local settings with
production's static storage (hashed names, precompressed .gz and .br files), collected
into AGENPLAN_BENCH_STATIC_ROOT."""

import os
from pathlib import Path

from agenplan.settings.local import *  # noqa: F403
from agenplan.settings.local import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_ROOT = Path(os.environ["AGENPLAN_BENCH_STATIC_ROOT"])
