"""What every assessment service shares: the domain error, row locks, notifications."""

from django.db import transaction
from django.urls import reverse

from agents.enums import Role
from agents.models import User
from agents.notifications import notify
from plans.services import PlanError, _locked, _require, transition

__all__ = ["PlanError", "_locked", "_require", "transition", "coordinators", "send"]


def coordinators():
    """Every active coordinator: who hears that a plan's reviews are all in."""
    return User.objects.filter(is_active=True, role_grants__role=Role.COORDINATOR).distinct()


def send(recipient: User, *, kind: str, title, body="", url: str = "", dedupe_key: str) -> None:
    """Notify in the app now and by e-mail after the surrounding transaction commits.

    Idempotent: the same (recipient, dedupe_key) is written and mailed once.
    """
    notification = notify(
        recipient, kind=kind, title=str(title), body=str(body), url=url, dedupe_key=dedupe_key
    )
    if notification is None or not recipient.email:
        return
    from assessment.tasks import send_notification_mail

    pk = notification.pk
    transaction.on_commit(lambda: send_notification_mail.delay(notification_id=pk))


def url(name: str, *args) -> str:
    return reverse(name, args=args)
