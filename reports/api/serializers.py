from rest_framework import serializers

from ..enums import ReportKind
from ..models import ReportJob


class TallySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class WeekSerializer(serializers.Serializer):
    start = serializers.DateField()
    first = serializers.IntegerField()
    again = serializers.IntegerField()
    cumulative = serializers.IntegerField()


class HeadlineSerializer(serializers.Serializer):
    agencies = serializers.IntegerField()
    agents = serializers.IntegerField()
    plans = serializers.IntegerField()
    submitted = serializers.IntegerField()
    decided = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    participation_pct = serializers.DecimalField(5, 1, allow_null=True)
    submitted_pct = serializers.DecimalField(5, 1, allow_null=True)
    approved_pct = serializers.DecimalField(5, 1, allow_null=True)


class AgencyFiguresSerializer(serializers.Serializer):
    agency = serializers.IntegerField(source="agency_id")
    code = serializers.CharField()
    name = serializers.CharField()
    agents = serializers.IntegerField()
    plans = serializers.IntegerField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    deadline = serializers.DateTimeField()


class ScoreFiguresSerializer(serializers.Serializer):
    """The score figures: for those who see every plan's scores only."""

    mean_score = serializers.DecimalField(5, 2, allow_null=True, source="headline.mean_score")
    scored = serializers.IntegerField(source="headline.scored")
    flagged = serializers.IntegerField(source="headline.flagged")
    score_bins = TallySerializer(many=True)


class DashboardSerializer(serializers.Serializer):
    """The figures of the leadership dashboard for a cycle (province-wide, or the one
    agency of `agency`), from the same cached selector as the page."""

    cycle = serializers.CharField(source="cycle.code")
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    computed_at = serializers.DateTimeField()
    headline = HeadlineSerializer()
    states = TallySerializer(many=True)
    funnel = TallySerializer(many=True)
    change_areas = TallySerializer(many=True)
    core_values = TallySerializer(many=True)
    weeks = WeekSerializer(many=True)
    agencies = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()

    def get_agencies(self, _overview) -> list[dict]:
        return AgencyFiguresSerializer(self.context["agencies"], many=True).data

    def get_scores(self, overview) -> dict | None:
        if not self.context["show_scores"]:
            return None
        return ScoreFiguresSerializer(overview).data


class ReportJobSerializer(serializers.ModelSerializer):
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "params",
            "status",
            "progress",
            "title",
            "error",
            "verification_code",
            "created_at",
            "finished_at",
            "has_file",
        ]

    def get_has_file(self, job) -> bool:
        return bool(job.file)


class ReportRequestSerializer(serializers.Serializer):
    """A report to make: of one plan (`plan_document`, `review_packet`: `plan`), of a
    whole cycle (`cycle_summary`, `cycle_packets`, `plans_xlsx`, `scores_xlsx`: `cycle`)
    or of one agent (`agent_portfolio`: `agent`)."""

    kind = serializers.ChoiceField(ReportKind.choices)
    plan = serializers.IntegerField(required=False, min_value=1, help_text="The plan's id.")
    cycle = serializers.CharField(required=False, max_length=50, help_text="The cycle's code.")
    agent = serializers.IntegerField(required=False, min_value=1, help_text="The agent's id.")
