from rest_framework import serializers

from ..models import ActionPlan, Cycle, PlanVersion


class CycleSerializer(serializers.ModelSerializer):
    """A cycle with its dates and its phase now (in WITA, as the pages say it)."""

    phase = serializers.CharField(read_only=True)
    revision_deadline = serializers.DateTimeField(
        source="effective_revision_deadline", read_only=True
    )

    class Meta:
        model = Cycle
        fields = [
            "id",
            "code",
            "name",
            "year",
            "phase",
            "drafting_opens",
            "submission_deadline",
            "review_starts",
            "review_ends",
            "decision_date",
            "revision_deadline",
            "implementation_start",
            "implementation_end",
            "reviewers_per_plan",
            "reviewer_anonymity",
            "head_endorsement_required",
            "min_activities",
            "min_targets",
            "score_method",
            "is_archived",
        ]


class PlanSerializer(serializers.ModelSerializer):
    """A plan in a list: who, where, which state. `score` only for those who see every
    plan's score (`assessment.view_all_scores`), else null."""

    cycle = serializers.CharField(source="cycle.code")
    agency = serializers.IntegerField(source="agency_id")
    owner = serializers.CharField(source="owner.user.name")
    owner_nip = serializers.CharField(source="owner.user.nip", allow_null=True)
    score = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "title",
            "cycle",
            "agency",
            "owner",
            "owner_nip",
            "state",
            "submitted_at",
            "decided_at",
            "updated_at",
            "score",
        ]

    def get_score(self, plan) -> str | None:
        shows = self.context.get("show_score")
        if shows is None:  # one plan: its own rule
            shows = self.context["request"].user.has_perm("assessment.view_scores", plan)
        return str(plan.score) if shows and plan.score is not None else None


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanVersion
        fields = ["number", "created_at"]


class PlanDetailSerializer(PlanSerializer):
    """A plan with its whole content, frozen as a version freezes it (`plans.sections`:
    every section's fields, the alignment, the activities and the targets), its team and
    its versions."""

    team = serializers.SerializerMethodField()
    content = serializers.DictField(source="api_content")
    versions = VersionSerializer(many=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "team", "content", "versions"]

    def get_team(self, plan) -> list[dict]:
        members = [plan.owner, *plan.co_agents.all()]
        return [{"name": agent.user.name, "nip": agent.user.nip} for agent in members]
