"""The Content-Security-Policy holds in a real browser: every page of every role's menu
(and the agent's editor, the reviewer's form, the Django admin) loads without a single
refused script, style or connection.

Violations are caught twice: by a `securitypolicyviolation` listener added before any of
the page's own scripts run, and by Chromium's console, which names each refusal.
"""

import pytest

from assessment.models import ReviewAssignment
from plans.models import ActionPlan
from tests.factories import AgentFactory

from .conftest import axe_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_PASSWORD = "agenplan-demo"
ROLES = ["agen", "kepala", "reviewer1", "koordinator", "sekda", "admin"]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
    window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline')
        + ' ' + (event.sourceFile || '') + ':' + event.lineNumber);
});
"""


def extra_pages(username: str) -> list[str]:
    """Pages reached from lists rather than the menu: the editor, a plan, a review."""
    if username == "agen":
        plan = ActionPlan.objects.filter(owner__user__username="agen").order_by("pk").first()
        return [
            f"/rencana/{plan.pk}/",
            f"/rencana/{plan.pk}/ubah/",
            "/akun/keamanan/",
            "/akun/keamanan/aktifkan/",
        ]
    if username == "reviewer1":
        assignment = (
            ReviewAssignment.objects.filter(reviewer__username="reviewer1").order_by("pk").first()
        )
        return [f"/rencana/{assignment.plan_id}/"] if assignment else []
    if username == "admin":
        return ["/admin/", "/admin/agents/user/", "/admin/axes/accessattempt/"]
    return []


def test_no_page_of_any_role_breaks_the_content_security_policy(demo_province, new_context):
    checked = []
    for username in ROLES:
        context = new_context()
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        console = []
        page.on(
            "console",
            lambda message, console=console: (
                console.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        login(page, username, DEMO_PASSWORD)
        links = page.eval_on_selector_all(
            "#ap-sidebar a.nav-link", "links => links.map(a => a.getAttribute('href'))"
        )
        for path in [*dict.fromkeys(links), *extra_pages(username)]:
            response = page.goto(path)
            page.wait_for_load_state("networkidle")
            assert response.status == 200, (username, path, response.status)
            policy = dict(
                directive.strip().split(" ", 1)
                for directive in response.headers["content-security-policy"].split(";")
            )
            assert (policy["script-src"], policy["style-src"]) == ("'self'", "'self'")
            violations = page.evaluate("window.__cspViolations")
            assert (violations, console) == ([], []), (username, path)
            checked.append(path)
        context.close()
    # Each role's menu was really walked (the demo gives every role at least one page).
    assert len(checked) >= len(ROLES) * 2


def test_the_two_factor_pages_are_accessible(transactional_db, new_context):
    AgentFactory(user__username="agen.uji")
    page = new_context().new_page()
    login(page, "agen.uji", "rahasia-123")
    page.goto("/akun/keamanan/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Aktifkan verifikasi dua langkah").click()
    qr = page.get_by_role("img", name="Kode QR untuk aplikasi autentikator")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0") is True
    screenshot(page, "two-factor-enrol")
    assert axe_violations(page) == []
