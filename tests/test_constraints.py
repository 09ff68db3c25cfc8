"""Every database constraint refuses the bad row and accepts the good one.

Constraints live in the database (docs/architecture.md): these tests write with the ORM's
`save()`/`create()` straight past the forms and services, as a buggy script would.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone

from agencies.models import Agency
from agents.enums import Role
from agents.models import RoleGrant
from assessment.models import (
    ConflictOfInterest,
    Criterion,
    CriterionLevel,
    CriterionScore,
    Decision,
    Review,
    ReviewAssignment,
)
from plans import models as plan_models
from plans import sections
from plans.models import (
    ActionPlan,
    Activity,
    Attachment,
    Comment,
    CommentThread,
    Cycle,
    PlanVersion,
    Target,
)
from reports.models import ReportJob
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    AgentFactory,
    CycleFactory,
    PlanFactory,
    TargetFactory,
    UserFactory,
    add_rubric,
    thread_with_comments,
)

pytestmark = pytest.mark.django_db


def refused(make):
    """The database itself refuses the write: a constraint (IntegrityError) or, on
    PostgreSQL, a value longer than its varchar column (DataError; SQLite enforces the
    same bound with a check constraint)."""
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        make()


def test_agency_code_unique_and_kind_valid():
    AgencyFactory(code="DINKES")
    refused(lambda: AgencyFactory(code="DINKES"))
    refused(lambda: AgencyFactory(kind="kementerian"))
    refused(lambda: AgencyFactory(code=""))


def test_agency_name_unique_case_insensitive():
    AgencyFactory(name="Dinas Kesehatan")
    refused(lambda: AgencyFactory(name="DINAS KESEHATAN"))


def test_user_nip_must_be_18_digits_and_unique():
    UserFactory(nip="196608011988031001")
    refused(lambda: UserFactory(nip="196608011988031001"))
    refused(lambda: UserFactory(nip="1966080 1988031001"))
    refused(lambda: UserFactory(nip="1966080119880310"))
    assert UserFactory(nip=None).nip is None


def test_user_pangkat_must_be_official():
    assert UserFactory(pangkat_golongan="III/a").pangkat_golongan == "III/a"
    refused(lambda: UserFactory(pangkat_golongan="V/a"))


def test_role_grant_agency_only_for_agency_head():
    user = UserFactory()
    agency = AgencyFactory()
    RoleGrant.objects.create(user=user, role=Role.AGENCY_HEAD, agency=agency)
    refused(lambda: RoleGrant.objects.create(user=user, role=Role.AGENCY_HEAD))
    refused(lambda: RoleGrant.objects.create(user=user, role=Role.REVIEWER, agency=agency))
    refused(lambda: RoleGrant.objects.create(user=user, role=Role.AGENT))


def test_role_grant_unique_per_user_role_and_agency():
    user = UserFactory()
    RoleGrant.objects.create(user=user, role=Role.REVIEWER)
    refused(lambda: RoleGrant.objects.create(user=user, role=Role.REVIEWER))
    agency = AgencyFactory()
    RoleGrant.objects.create(user=user, role=Role.AGENCY_HEAD, agency=agency)
    refused(lambda: RoleGrant.objects.create(user=user, role=Role.AGENCY_HEAD, agency=agency))
    # Heading a second agency is allowed.
    RoleGrant.objects.create(user=user, role=Role.AGENCY_HEAD, agency=AgencyFactory())
    assert user.role_grants.count() == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("submission_deadline", lambda c: c.drafting_opens - dt.timedelta(days=1)),
        ("review_ends", lambda c: c.review_starts - dt.timedelta(days=1)),
        ("decision_date", lambda c: c.review_starts - dt.timedelta(days=1)),
        ("implementation_end", lambda c: c.implementation_start),
        ("reviewers_per_plan", lambda c: 0),
        ("reviewers_per_plan", lambda c: 6),
        ("score_method", lambda c: "mode"),
        ("year", lambda c: 1999),
    ],
)
def test_cycle_constraints(field, value):
    cycle = CycleFactory()
    setattr(cycle, field, value(cycle))
    refused(cycle.save)


def test_cycle_code_unique():
    CycleFactory(code="assessment-2023")
    refused(lambda: CycleFactory(code="assessment-2023"))


def test_plan_one_per_agent_per_cycle():
    plan = PlanFactory()
    refused(lambda: PlanFactory(cycle=plan.cycle, owner=plan.owner))
    assert PlanFactory(owner=plan.owner).owner == plan.owner  # another cycle is fine


@pytest.mark.parametrize(
    ("field", "value"),
    [("state", "archived"), ("change_kind", "magic"), ("score", Decimal("100.01")),
     ("score", Decimal("-1")), ("title", "")],
)  # fmt: skip
def test_plan_constraints(field, value):
    plan = PlanFactory()
    setattr(plan, field, value)
    refused(plan.save)


def test_activity_constraints():
    activity = ActivityFactory()
    start = activity.start_month
    activity.end_month = start.replace(year=start.year - 1)
    refused(activity.save)
    activity.refresh_from_db()
    activity.budget = Decimal("-1")
    refused(activity.save)
    activity.refresh_from_db()
    activity.start_month = start.replace(day=2)
    refused(activity.save)


def test_plan_version_number_unique_and_positive():
    plan = PlanFactory()
    user = plan.owner.user
    PlanVersion.objects.create(plan=plan, number=1, snapshot={}, created_by=user)
    refused(lambda: PlanVersion.objects.create(plan=plan, number=1, snapshot={}, created_by=user))
    refused(lambda: PlanVersion.objects.create(plan=plan, number=0, snapshot={}, created_by=user))


def test_comment_thread_constraints():
    plan = PlanFactory()
    user = plan.owner.user
    activity = ActivityFactory(plan=plan)

    target = TargetFactory(plan=plan)
    refused(lambda: CommentThread.objects.create(plan=plan, section="nope", started_by=user))
    refused(
        lambda: CommentThread.objects.create(
            plan=plan, section="activities", activity=activity, target=target, started_by=user
        )
    )
    refused(
        lambda: CommentThread.objects.create(
            plan=plan, section="problem", started_by=user, resolved_at=timezone.now()
        )
    )


def test_attachment_size_must_be_positive():
    # The maximum is a setting checked on upload (AGENPLAN_ATTACHMENT_MAX_MB), not frozen
    # in the database.
    plan = PlanFactory()
    ok = Attachment.objects.create(
        plan=plan,
        file="attachments/a.pdf",
        original_name="a.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=plan.owner.user,
    )
    assert ok.size == 1
    refused(
        lambda: Attachment.objects.create(
            plan=plan,
            file="attachments/b.pdf",
            original_name="b.pdf",
            content_type="application/pdf",
            size=0,
            uploaded_by=plan.owner.user,
        )
    )


def test_cycle_disagreement_thresholds_stay_in_range():
    cycle = CycleFactory()
    for values in (
        {"disagreement_levels": 0},
        {"disagreement_levels": 5},
        {"disagreement_points": 0},
        {"disagreement_points": 101},
    ):
        refused(lambda values=values: Cycle.objects.filter(pk=cycle.pk).update(**values))
    Cycle.objects.filter(pk=cycle.pk).update(disagreement_levels=4, disagreement_points=100)
    cycle.refresh_from_db()
    assert (cycle.disagreement_levels, cycle.disagreement_points) == (4, 100)


def test_rubric_constraints():
    rubric = add_rubric(CycleFactory())
    criterion = rubric.criteria.first()
    refused(lambda: Criterion.objects.create(rubric=rubric, code=criterion.code, name="x",
                                             weight=10))  # fmt: skip
    refused(lambda: Criterion.objects.create(rubric=rubric, code="Z", name="x", weight=0))
    refused(lambda: CriterionLevel.objects.create(criterion=criterion, level=1, descriptor="x"))
    refused(lambda: CriterionLevel.objects.create(criterion=criterion, level=6, descriptor="x"))


def test_rubric_one_per_cycle():
    cycle = CycleFactory()
    add_rubric(cycle)
    refused(lambda: add_rubric(cycle))


def test_conflict_names_exactly_one_party():
    reviewer = UserFactory()
    refused(lambda: ConflictOfInterest.objects.create(reviewer=reviewer))
    refused(
        lambda: ConflictOfInterest.objects.create(
            reviewer=reviewer, agency=AgencyFactory(), agent=AgentFactory()
        )
    )


def _assignment():
    plan = PlanFactory()
    reviewer = UserFactory()
    version = PlanVersion.objects.create(
        plan=plan, number=1, snapshot={}, created_by=plan.owner.user
    )
    assignment = ReviewAssignment.objects.create(
        plan=plan, reviewer=reviewer, assigned_by=reviewer, due_date=timezone.localdate()
    )
    return plan, reviewer, version, assignment


def test_assignment_one_active_per_reviewer_and_release_consistent():
    plan, reviewer, _version, assignment = _assignment()
    refused(
        lambda: ReviewAssignment.objects.create(
            plan=plan, reviewer=reviewer, assigned_by=reviewer, due_date=timezone.localdate()
        )
    )
    assignment.is_active = False
    refused(assignment.save)  # released without a release time
    assignment.released_at = timezone.now()
    assignment.save()
    # Once released, the reviewer may be assigned again.
    again = ReviewAssignment.objects.create(
        plan=plan, reviewer=reviewer, assigned_by=reviewer, due_date=timezone.localdate()
    )
    assert again.is_active


def test_review_constraints():
    _plan, _reviewer, version, assignment = _assignment()
    Review.objects.create(assignment=assignment, version=version)
    refused(lambda: Review.objects.create(assignment=assignment, version=version))
    other = _assignment()
    refused(lambda: Review.objects.create(assignment=other[3], version=other[2], state="done"))
    refused(lambda: Review.objects.create(assignment=other[3], version=other[2], total=101))
    refused(lambda: Review.objects.create(assignment=other[3], version=other[2],
                                          state="submitted"))  # fmt: skip


def test_criterion_score_constraints():
    _plan, _reviewer, version, assignment = _assignment()
    rubric = add_rubric(CycleFactory())
    criterion = rubric.criteria.first()
    review = Review.objects.create(assignment=assignment, version=version)
    CriterionScore.objects.create(review=review, criterion=criterion, level=3)
    refused(lambda: CriterionScore.objects.create(review=review, criterion=criterion, level=4))
    second = rubric.criteria.all()[1]
    refused(lambda: CriterionScore.objects.create(review=review, criterion=second, level=0))
    refused(lambda: CriterionScore.objects.create(review=review, criterion=second, level=6))


def test_decision_one_per_version_and_valid_outcome():
    plan, reviewer, version, _assignment_row = _assignment()
    Decision.objects.create(plan=plan, version=version, outcome="approve", decided_by=reviewer)
    refused(
        lambda: Decision.objects.create(
            plan=plan, version=version, outcome="approve", decided_by=reviewer
        )
    )
    version2 = PlanVersion.objects.create(
        plan=plan, number=2, snapshot={}, created_by=plan.owner.user
    )
    refused(
        lambda: Decision.objects.create(
            plan=plan, version=version2, outcome="maybe", decided_by=reviewer
        )
    )


def test_report_job_constraints():
    user = UserFactory()
    refused(lambda: ReportJob.objects.create(requested_by=user, kind="poster"))
    refused(lambda: ReportJob.objects.create(requested_by=user, kind="plan_document",
                                             status="lost"))  # fmt: skip
    refused(lambda: ReportJob.objects.create(requested_by=user, kind="plan_document",
                                             progress=101))  # fmt: skip


def test_models_have_readable_str():
    plan = PlanFactory(title="Layanan SIMPEG daring")
    assert str(plan) == "Layanan SIMPEG daring"
    assert str(plan.cycle) == plan.cycle.name
    assert str(plan.agency) == plan.agency.name
    assert plan.agency.short_name == plan.agency.abbreviation
    assert Agency(name="Inspektorat Daerah", abbreviation="").short_name == "Inspektorat Daerah"
    assert ActionPlan.objects.count() == 1
    assert Cycle.objects.count() == 1
    assert Activity.objects.count() == 0


# Every free-text field of the plan's sections (plans.sections).
PLAN_TEXT_FIELDS = sections.text_field_names()


@pytest.mark.parametrize("field", PLAN_TEXT_FIELDS)
def test_plan_text_at_most_5000_characters(field):
    plan = PlanFactory()
    ActionPlan.objects.filter(pk=plan.pk).update(**{field: "a" * 5000})
    refused(lambda: ActionPlan.objects.filter(pk=plan.pk).update(**{field: "a" * 5001}))
    assert len(getattr(ActionPlan.objects.get(pk=plan.pk), field)) == 5000


def test_every_free_text_column_of_a_plan_has_a_length_check():
    """A new text field cannot be added without its bound: each CharField and TextField a
    user types into has a database check at its form's max_length."""
    for model in (
        plan_models.ActionPlan,
        plan_models.Activity,
        plan_models.Target,
        plan_models.TargetProgress,
        plan_models.Comment,
        plan_models.Attachment,
    ):
        checks = {c.name for c in model._meta.constraints if c.name.endswith("_max_length")}
        typed = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField))
            and f.editable
            and not f.choices
            and f.name not in ("content_type", "file", "lock_version")
        ]
        prefix = {"ActionPlan": "plan"}.get(model.__name__, model.__name__.lower())
        assert {f"{prefix}_{f.name}_max_length" for f in typed} == checks, model.__name__
        for field in typed:
            assert field.max_length is not None, f"{model.__name__}.{field.name}"


def test_activity_target_and_comment_text_bounded_in_the_database():
    activity = ActivityFactory()
    refused(lambda: Activity.objects.filter(pk=activity.pk).update(title="a" * 256))
    refused(lambda: Activity.objects.filter(pk=activity.pk).update(responsible="a" * 201))
    target = TargetFactory(plan=activity.plan)
    refused(lambda: Target.objects.filter(pk=target.pk).update(unit="a" * 61))
    refused(lambda: Target.objects.filter(pk=target.pk).update(verification="a" * 256))
    thread = thread_with_comments(activity.plan, [activity.plan.owner.user])
    comment = Comment.objects.get(thread=thread)
    Comment.objects.filter(pk=comment.pk).update(body="a" * 5000)
    refused(lambda: Comment.objects.filter(pk=comment.pk).update(body="a" * 5001))


def test_length_checks_validate_in_python_without_a_query(django_assert_num_queries):
    """A model's `full_clean` judges the length bounds itself, as the database would: the
    text at its bound passes, one character more fails on that check, a field left out of
    the validation is not judged; no query (a form validates on every autosave)."""
    plan = PlanFactory()
    fields = {f.name for f in ActionPlan._meta.fields} - {"root_cause"}
    plan.root_cause = "a" * 5000
    with django_assert_num_queries(0):
        plan.validate_constraints(exclude=fields)
    plan.root_cause = "a" * 5001
    with django_assert_num_queries(0), pytest.raises(ValidationError) as refused_text:
        plan.validate_constraints(exclude=fields)
    assert "plan_root_cause_max_length" in str(refused_text.value)
    with django_assert_num_queries(0):
        plan.validate_constraints(exclude=fields | {"root_cause"})
    # The database bound is the same CHECK as before.
    check = next(c for c in ActionPlan._meta.constraints if c.name == "plan_root_cause_max_length")
    path, _args, kwargs = check.deconstruct()
    assert path == "django.db.models.CheckConstraint"
    assert check.clone().limit == 5000 and check.clone().field == "root_cause"
