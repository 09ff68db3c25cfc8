"""The password backend: Django's own, loading the signed-in user with their agency (which
every page names in its context strip) and their change-agent profile (which the rules
read on most pages): two queries fewer on every request."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class AgencyModelBackend(ModelBackend):
    def get_user(self, user_id):
        users = User._default_manager.select_related("agency", "agent_profile")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
