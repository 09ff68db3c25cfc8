"""Fixtures of the plan pages: rows a page reads, made directly (no workflow needed)."""

import pytest
from django.utils import timezone

from plans.models import ThreadReadMarker
from tests.factories import thread_with_comments


@pytest.fixture
def make_thread():
    """A mentoring thread on a plan with comments by the given authors, oldest first."""
    return thread_with_comments


@pytest.fixture
def mark_read():
    """The user read the thread now: comments before this moment are no longer unread."""

    def mark(thread, user, at=None):
        return ThreadReadMarker.objects.create(
            thread=thread, user=user, read_at=at or timezone.now()
        )

    return mark
