"""Fixtures of the report tests: the reviewed and decided plan, and a cold cache."""

import pytest
from django.core.cache import cache

from .scenario import Scenario, reviewed_plan


@pytest.fixture
def scenario(db) -> Scenario:
    """A plan reviewed by two reviewers and decided (see tests/reports/scenario.py)."""
    return reviewed_plan()


@pytest.fixture
def empty_cache():
    """The test starts and ends without cached dashboard figures (ids repeat across
    tests on SQLite, so a figure cached by one test would show in the next)."""
    cache.clear()
    yield
    cache.clear()
