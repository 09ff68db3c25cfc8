"""Who may do what in the assessment: django-rules predicates."""

import rules

from plans.rules import is_admin, is_coordinator, is_reviewer


@rules.predicate
def is_assignment_reviewer(user, assignment) -> bool:
    return (
        assignment is not None
        and user.is_authenticated
        and assignment.is_active
        and assignment.reviewer_id == user.pk
    )


@rules.predicate
def is_review_author(user, review) -> bool:
    return (
        review is not None
        and user.is_authenticated
        and review.assignment.is_active
        and review.assignment.reviewer_id == user.pk
    )


ASSIGNMENT_PERMISSIONS = {
    "view": is_assignment_reviewer | is_coordinator | is_admin,
    "add": is_coordinator,
    "change": is_coordinator,
    "delete": rules.always_deny,
}

REVIEW_PERMISSIONS = {
    "view": is_review_author | is_coordinator | is_admin,
    "change": is_review_author,
    "submit": is_review_author,
    "reopen": is_coordinator,
    "delete": rules.always_deny,
}

rules.add_perm("assessment.manage_rubric", is_coordinator)
rules.add_perm("assessment.view_review_queue", is_reviewer)
rules.add_perm("assessment.view_calibration", is_coordinator | is_admin)
# The Biro Organisasi's pages: cycles, rubrics, participants, assignment, decisions.
rules.add_perm("assessment.manage_assessment", is_coordinator)
