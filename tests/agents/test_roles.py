"""Roles are explicit grants (docs/domain.md): the superuser and staff flags open the admin
site and nothing else, and every grant, change and revocation of a role is audited, in
the admin too."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from agents.enums import Role
from agents.models import ActivityLog, RoleGrant
from agents.services import grant_role, revoke_role, save_role_grant
from tests.factories import AgencyFactory, PlanFactory, UserFactory, user_with_role


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True, username="root")


# --- No flag passes an application rule ------------------------------------------------------


@pytest.mark.parametrize(
    "perm",
    [
        "plans.view_cycle_board",
        "plans.view_dashboard",
        "plans.view_my_plans",
        "assessment.manage_assessment",
        "assessment.view_all_scores",
        "reports.request_cycle_report",
        "reports.view_province",
        "plans.add_actionplan",
    ],
)
def test_the_superuser_flag_passes_no_application_rule(superuser, perm):
    assert superuser.has_perm(perm) is False


def test_the_superuser_flag_opens_no_plan_and_no_score(superuser, db):
    plan = PlanFactory()
    assert superuser.has_perm("plans.view_actionplan", plan) is False
    assert superuser.has_perm("plans.change_actionplan", plan) is False
    assert superuser.has_perm("assessment.view_scores", plan) is False


def test_model_permissions_given_to_staff_pass_no_application_rule(db):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="plans", codename__in=["add_actionplan", "change_actionplan"]
        )
    )
    plan = PlanFactory()
    assert staff.has_perm("plans.add_actionplan") is False
    assert staff.has_perm("plans.change_actionplan", plan) is False


def test_a_granted_role_is_what_opens_the_pages(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("assessment:board")).status_code == 403
    assert client.get(reverse("reports:dashboard")).status_code == 403
    grant_role(superuser, role=Role.COORDINATOR, by=superuser)
    assert client.get(reverse("assessment:board")).status_code == 200


def test_the_superuser_still_runs_the_admin_site(client, superuser):
    PlanFactory(title="Rencana di admin")
    client.force_login(superuser)
    for name in (
        "admin:index",
        "admin:plans_actionplan_changelist",
        "admin:plans_cycle_changelist",
        "admin:assessment_review_changelist",
        "admin:assessment_reviewassignment_changelist",
        "admin:agents_user_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    assert "Rencana di admin" in client.get(reverse("admin:plans_actionplan_changelist")).text


def test_staff_see_in_the_admin_the_models_they_were_given(client, db):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="plans", codename="view_actionplan")
    )
    client.force_login(staff)
    assert client.get(reverse("admin:plans_actionplan_changelist")).status_code == 200
    assert client.get(reverse("admin:plans_cycle_changelist")).status_code == 403
    assert client.get(reverse("plans:list")).context["page"].paginator.count == 0


def test_a_user_without_role_or_flags_is_kept_out_of_the_admin(client, db):
    client.force_login(user_with_role(Role.COORDINATOR))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- Grants are audited -----------------------------------------------------------------------


def _log(user):
    return list(
        ActivityLog.objects.filter(object_id=user.pk, content_type__model="user")
        .order_by("id")
        .values_list("action", "actor_id", "data")
    )


def test_grant_change_and_revoke_are_audited(superuser):
    person = UserFactory()
    agency = AgencyFactory()
    grant = grant_role(person, role=Role.REVIEWER, by=superuser)
    grant.role, grant.agency = Role.AGENCY_HEAD, agency
    save_role_grant(grant, by=superuser)
    save_role_grant(grant, by=superuser)  # unchanged: nothing to record
    revoke_role(grant, by=superuser)
    assert _log(person) == [
        ("role.grant", superuser.pk, {"role": "reviewer", "agency_id": None}),
        (
            "role.change",
            superuser.pk,
            {
                "role": "agency_head",
                "agency_id": agency.pk,
                "before": {"role": "reviewer", "agency_id": None},
            },
        ),
        ("role.revoke", superuser.pk, {"role": "agency_head", "agency_id": agency.pk}),
    ]
    assert RoleGrant.objects.filter(user=person).count() == 0


class _FormFields(HTMLParser):
    """The fields a browser would submit from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def _change_form(client, user) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(client.get(reverse("admin:agents_user_change", args=[user.pk])).text)
    return {k: v for k, v in parser.data.items() if "__prefix__" not in k}


def test_role_grants_made_in_the_admin_are_audited(client, superuser):
    person = UserFactory()
    client.force_login(superuser)
    url = reverse("admin:agents_user_change", args=[person.pk])

    data = _change_form(client, person)
    data |= {
        "role_grants-TOTAL_FORMS": ["1"],
        "role_grants-0-role": [Role.COORDINATOR],
        "role_grants-0-agency": [""],
        "role_grants-0-user": [str(person.pk)],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    grant = RoleGrant.objects.get(user=person)
    assert grant.role == Role.COORDINATOR

    data = _change_form(client, person)
    data["role_grants-0-DELETE"] = ["on"]
    assert client.post(url, data).status_code == 302
    assert not RoleGrant.objects.filter(user=person).exists()
    # The admin's own change entries (agents.admin_audit) come after each grant's.
    assert [entry for entry in _log(person) if entry[0].startswith("role.")] == [
        ("role.grant", superuser.pk, {"role": "coordinator", "agency_id": None}),
        ("role.revoke", superuser.pk, {"role": "coordinator", "agency_id": None}),
    ]
    assert [entry[0] for entry in _log(person)] == [
        "role.grant",
        "admin.change",
        "role.revoke",
        "admin.change",
    ]
