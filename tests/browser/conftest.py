"""Playwright on Debian's Chromium against pytest-django's live server.

`playwright install` cannot download browsers here, so the tests drive /usr/bin/chromium
(installed by `make test` through scripts/install_system_deps.sh). Screenshots are kept
under test-artifacts/screenshots/ for people to look at.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("AGENPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# from the test body are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def demo_province(transactional_db):
    """The demo province (seed_demo), with no dashboard figures cached before or after."""
    cache.clear()
    call_command("seed_demo", stdout=io.StringIO())
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - browser tests only

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("viewport", {"width": 1366, "height": 768})
        kwargs.setdefault("locale", "id-ID")
        kwargs.setdefault("timezone_id", "Asia/Makassar")
        context = browser.new_context(base_url=live_server.url, **kwargs)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str) -> None:
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("networkidle")


WCAG_21 = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, tags=WCAG_21) -> list[dict]:
    """Violations found by axe-core on the current page, of the rules with these tags
    (by default WCAG 2.1 A/AA).

    axe-core is evaluated through the DevTools protocol, not added as a <script> element:
    the pages' Content-Security-Policy refuses inline scripts."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""",
        list(tags),
    )
    return result
