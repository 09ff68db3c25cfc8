"""Progress and realisation of a plan in implementation, and the progress report its team
writes: the same reads as the "Pelaksanaan" tab (`plan_progress`, `report_page`). The
realisation of a target is its verified value only (the accepted report of the latest
period); the values of a report not yet accepted are shown as the report's own."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..enums import ActivityStatus
from ..models import TEXT_MAX, ProgressReport


class PeriodSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="period.number")
    start = serializers.DateField(source="period.start")
    end = serializers.DateField(source="period.end")
    due = serializers.DateField(source="period.due")
    state = serializers.CharField(help_text="draft, submitted, accepted, returned, overdue or ''.")
    report = serializers.IntegerField(source="report.pk", allow_null=True, default=None)


class TargetProgressSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target.pk")
    indicator = serializers.CharField(source="target.indicator")
    direction = serializers.CharField(source="target.direction")
    baseline = serializers.DecimalField(14, 2, source="target.baseline", allow_null=True)
    target_value = serializers.DecimalField(14, 2, source="target.target_value", allow_null=True)
    verified_value = serializers.DecimalField(14, 2, allow_null=True)
    realisation = serializers.DecimalField(8, 2, allow_null=True)
    light = serializers.CharField()
    on_track = serializers.BooleanField()


class PlanProgressSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan.pk")
    state = serializers.CharField(source="plan.state")
    elapsed = serializers.DecimalField(6, 2)
    realisation = serializers.DecimalField(8, 2, allow_null=True)
    light = serializers.CharField()
    targets = TargetProgressSerializer(many=True)
    periods = PeriodSerializer(many=True)


class ValueSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target_id")
    indicator = serializers.CharField(source="target.indicator")
    value = serializers.DecimalField(14, 2, allow_null=True)
    achieved_on = serializers.DateField(allow_null=True)
    comment = serializers.CharField()


class ActivityProgressSerializer(serializers.Serializer):
    activity = serializers.IntegerField(source="activity_id")
    title = serializers.CharField(source="activity.title")
    status = serializers.CharField()
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    link = serializers.CharField()
    has_file = serializers.SerializerMethodField()

    def get_has_file(self, evidence) -> bool:
        return bool(evidence.file)


class ProgressReportSerializer(serializers.ModelSerializer):
    """A report with its rows. Who verified it is not given (reviewers stay anonymous to
    the team); when it was verified and the verifier's notes are."""

    plan = serializers.IntegerField(source="plan_id")
    values = ValueSerializer(many=True, source="rows.values")
    activities = ActivityProgressSerializer(many=True, source="rows.activities")
    evidence = EvidenceSerializer(many=True, source="rows.evidence")

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "plan",
            "period",
            "period_start",
            "period_end",
            "due_date",
            "state",
            "lock_version",
            "done_text",
            "obstacles",
            "next_steps",
            "answer",
            "review_note",
            "submitted_at",
            "verified_at",
            "values",
            "activities",
            "evidence",
        ]


class ValueInputSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    value = serializers.DecimalField(14, 2, allow_null=True)
    achieved_on = serializers.DateField(allow_null=True, required=False, default=None)


class ActivityInputSerializer(serializers.Serializer):
    activity = serializers.IntegerField()
    status = serializers.ChoiceField(ActivityStatus.choices)
    actual_start = serializers.DateField(
        allow_null=True, required=False, default=None, help_text="Any day of the month."
    )
    actual_end = serializers.DateField(allow_null=True, required=False, default=None)


def _text():
    return serializers.CharField(max_length=TEXT_MAX, allow_blank=True, required=False)


class ReportWriteSerializer(serializers.Serializer):
    """What the team writes; what is left out is kept. `lock_version` is the one last
    read (required once the report exists: a write from an older copy is refused)."""

    lock_version = serializers.IntegerField(min_value=0, required=False)
    done_text = _text()
    obstacles = _text()
    next_steps = _text()
    answer = _text()
    values = ValueInputSerializer(many=True, required=False)
    activities = ActivityInputSerializer(many=True, required=False)

    def validate_values(self, rows):
        targets = [row["target"] for row in rows]
        if len(set(targets)) != len(targets):
            raise serializers.ValidationError(_("Setiap target cukup disebut sekali."))
        return rows

    def validate_activities(self, rows):
        steps = [row["activity"] for row in rows]
        if len(set(steps)) != len(steps):
            raise serializers.ValidationError(_("Setiap kegiatan cukup disebut sekali."))
        return rows


class EvidenceLinkSerializer(serializers.Serializer):
    link = serializers.CharField(max_length=500)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
