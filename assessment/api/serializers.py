from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from ..import_files import COLUMNS
from ..models import Decision


class CriterionFeedbackSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    level = serializers.IntegerField()
    comment = serializers.CharField()


class ReviewFeedbackSerializer(serializers.Serializer):
    """One review of the decided version: its reviewer's name only where
    `assessment.view_reviewer_names` allows, else "Reviewer 1", "Reviewer 2"…"""

    reviewer = serializers.CharField(source="reviewer_label")
    total = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    overall_feedback = serializers.CharField()
    criteria = serializers.SerializerMethodField()

    def get_criteria(self, review) -> list[dict]:
        return [
            {"criterion": criterion.code, "level": level, "comment": comment}
            for criterion, level, comment in review.criteria
        ]


class DecisionSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id")
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = Decision
        fields = ["id", "plan", "version", "outcome", "feedback", "score", "decided_at"]


class FeedbackSerializer(serializers.Serializer):
    """The latest decision on a plan and its consolidated feedback, as the plan's results
    page shows them: nothing at all (null, []) for a caller who may not see the plan's
    scores yet (`assessment.view_scores`)."""

    decision = DecisionSerializer(allow_null=True)
    reviews = ReviewFeedbackSerializer(many=True)


class ParticipantSyncSerializer(serializers.Serializer):
    """A participants sync: the rows of a participants file as JSON objects, with the
    columns of the import (`assessment.import_files.COLUMNS`)."""

    participants = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        allow_empty=False,
    )
    dry_run = serializers.BooleanField(default=False)
    skip_invalid = serializers.BooleanField(default=False)
    confirm = serializers.ListField(child=serializers.CharField(), default=list)

    def validate_participants(self, rows):
        if len(rows) > settings.AGENPLAN_API_SYNC_MAX_ROWS:
            raise serializers.ValidationError(
                _("Paling banyak %(count)d peserta per permintaan.")
                % {"count": settings.AGENPLAN_API_SYNC_MAX_ROWS}
            )
        unknown = sorted({key for row in rows for key in row} - set(COLUMNS))
        if unknown:
            raise serializers.ValidationError(
                _("Kolom tidak dikenal: %(columns)s. Kolom yang dikenal: %(known)s.")
                % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)}
            )
        return rows


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class SyncRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(source="line")
    nip = serializers.SerializerMethodField()
    action = serializers.CharField()
    agency_action = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())
    changes = ChangeSerializer(many=True)
    note = serializers.CharField()

    def get_nip(self, row) -> str:
        return row.values.get("nip", "")


class SyncResultSerializer(serializers.Serializer):
    """What the sync did (or, in a dry run, would do), row by row, as the import's check
    says it; `written` is false when a refused row stopped it (without skip_invalid)."""

    dry_run = serializers.BooleanField()
    written = serializers.BooleanField()
    created = serializers.IntegerField(source="plan.created")
    updated = serializers.IntegerField(source="plan.updated")
    unchanged = serializers.IntegerField(source="plan.unchanged")
    protected = serializers.IntegerField(source="plan.protected")
    awaiting_confirmation = serializers.IntegerField(source="plan.awaiting_confirmation")
    agencies_created = serializers.IntegerField(source="plan.agencies_created")
    refused = serializers.IntegerField(source="plan.errors")
    rows = SyncRowSerializer(many=True, source="plan.rows")
