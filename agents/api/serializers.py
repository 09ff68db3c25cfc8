from rest_framework import serializers

from ..selectors import roles_of


class MeSerializer(serializers.Serializer):
    """The caller: who the token (or session) acts as, their roles and the token's scopes."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    nip = serializers.CharField(allow_null=True)
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    is_service_account = serializers.BooleanField()
    roles = serializers.SerializerMethodField()
    scopes = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(roles_of(user))

    def get_scopes(self, user) -> dict[str, str] | None:
        token = self.context["request"].auth
        return getattr(token, "scopes", None)
