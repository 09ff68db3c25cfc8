"""What every assessment service shares: who hears of a plan's reviews, notice links."""

from django.urls import reverse

from agents.enums import Role
from agents.models import User


def coordinators():
    """Every active coordinator: who hears that a plan's reviews are all in."""
    return User.objects.filter(is_active=True, role_grants__role=Role.COORDINATOR).distinct()


def url(name: str, *args) -> str:
    return reverse(name, args=args)
