"""Fixtures of the plan pages: rows a page reads, made directly (no workflow needed)."""

import pytest

from plans.models import Comment, CommentThread, PlanVersion, ThreadReadMarker


@pytest.fixture
def make_version():
    """A frozen version of a plan (decisions and reviews point at one)."""

    def make(plan, number=1, *, by=None):
        return PlanVersion.objects.create(
            plan=plan, number=number, snapshot={"schema": 1}, created_by=by or plan.owner.user
        )

    return make


@pytest.fixture
def make_thread():
    """A mentoring thread on a plan with comments by the given authors, oldest first."""

    def make(plan, authors, *, section="problem", resolved_by=None):
        thread = CommentThread.objects.create(
            plan=plan, section=section, started_by=authors[0] if authors else plan.owner.user
        )
        for i, author in enumerate(authors):
            Comment.objects.create(thread=thread, author=author, body=f"Komentar {i + 1}")
        if resolved_by is not None:
            from django.utils import timezone

            thread.resolved_at = timezone.now()
            thread.resolved_by = resolved_by
            thread.save(update_fields=["resolved_at", "resolved_by"])
        return thread

    return make


@pytest.fixture
def mark_read():
    """The user read the thread now: comments before this moment are no longer unread."""

    def mark(thread, user, at=None):
        from django.utils import timezone

        return ThreadReadMarker.objects.create(
            thread=thread, user=user, read_at=at or timezone.now()
        )

    return mark
