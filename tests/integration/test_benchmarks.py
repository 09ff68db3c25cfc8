"""Every benchmark runs at its smoke size (`python -m benchmarks.run --smoke`) against the
test database and prints its figures: a benchmark that no longer runs fails here, not on
the day its figures are needed."""

import os
import re
import subprocess
import sys

import pytest

from benchmarks.run import available

from .conftest import ROOT, _database_url, _purge_queues

# What each benchmark prints when it completes (its figures follow on the same line).
FIGURES = {
    "api": "  plans, first page of 50 ",
    "assign": "auto_assign 20 plans × 2 over 4 reviewers:",
    "browser": "sign-in page, Chromium, phone viewport: CLS ",
    "dashboard": "  cold cache: {'n': 2,",
    "editor": "  editor page                        n=3",
    "import": "file: 50 rows,",
    "load": "saturation throughput / healthz: ",
    "pages": "pages, cold cache, 2 requests each,",
    "reports": "ZIP of 3 review packets in 1 chunks",
    "seed_scale": "seed_scale --plans 40:",
    "similar": "labelled pairs: recall@5 ",
    "web": "  1 workers: {'requests': ",
}


@pytest.mark.integration
@pytest.mark.slow
def test_every_benchmark_runs_at_its_smoke_size(transactional_db, tmp_path):
    assert set(FIGURES) == set(available()), "a new benchmark needs its line here"
    _purge_queues()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agenplan.settings.test",
        "DATABASE_URL": _database_url(),
        # The reports benchmark's ZIP goes through a real worker it starts itself.
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "AGENPLAN_MEDIA_ROOT": str(tmp_path / "media"),
        "AGENPLAN_TEST_MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout
    assert result.returncode == 0, output[-4000:] + result.stderr[-4000:]
    for name, figures in FIGURES.items():
        assert f"== {name} ==" in output
        assert figures in output, f"{name} printed no figures:\n{output[-4000:]}"
    # Each page measured printed its p50/p95, its queries and its HTML size.
    for page in ("coordinator's board", "assignments", "decision board", "review page"):
        assert re.search(rf"  {page} +\d+/\d+ ms \d+q \d+ KB", output), page
    if _database_url().startswith("postgres"):
        # The province's cycle measured again in a database of its own (here: the same).
        assert re.search(r"beside \S+ / alone: median \d+\.\d+, max \d+\.\d+", output)
