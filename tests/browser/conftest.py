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


# On PostgreSQL the demo province is seeded once per test process and kept as copies of
# its tables in a schema of their own; each test that asks for it gets those rows back in
# about a second, instead of seeding it again (about a minute on two cores).
SNAPSHOT = "browser_demo_snapshot"


def _snapshot_tables(connection) -> dict[str, str]:
    """Every table of the installed models with its columns as an SQL list (quoted), the
    generated ones left out (PostgreSQL computes them again): what the snapshot copies and
    what a restore writes back."""
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(%s) "
            "AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position",
            [tables],
        )
        columns: dict[str, list[str]] = {table: [] for table in tables}
        for table, column in cursor.fetchall():
            columns[table].append(column)
    quote = connection.ops.quote_name
    return {table: ", ".join(quote(name) for name in names) for table, names in columns.items()}


@pytest.fixture(scope="session")
def _demo_snapshot(django_db_setup, django_db_blocker):
    """The seeded demo province's tables, copied once per test process (PostgreSQL), then
    the database emptied again for the tests that build their own data; None on SQLite."""
    from django.db import connection  # noqa: PLC0415 - the test database is set up by now

    if connection.vendor != "postgresql":
        yield None
        return
    with django_db_blocker.unblock():
        cache.clear()
        call_command("seed_demo", stdout=io.StringIO())
        columns = _snapshot_tables(connection)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SNAPSHOT}")
            for table, listed in columns.items():
                cursor.execute(
                    f"CREATE TABLE {SNAPSHOT}.{quote(table)} AS "  # noqa: S608  # nosec B608
                    f"SELECT {listed} FROM {quote(table)}"
                )
        call_command("flush", interactive=False, verbosity=0)
        cache.clear()
    yield columns


def _restore(columns: dict[str, str]) -> None:
    """The database's rows replaced by the snapshot's, its sequences set past them."""
    from django.apps import apps  # noqa: PLC0415
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415
    from django.core.management.color import no_style  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in columns)} RESTART IDENTITY CASCADE")
        for table, listed in columns.items():
            cursor.execute(
                f"INSERT INTO {quote(table)} ({listed}) "  # noqa: S608  # nosec B608
                f"SELECT {listed} FROM {SNAPSHOT}.{quote(table)}"
            )
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    ContentType.objects.clear_cache()


@pytest.fixture
def demo_province(transactional_db, _demo_snapshot):
    """The demo province (seed_demo), with no dashboard figures cached before or after."""
    cache.clear()
    if _demo_snapshot is None:
        call_command("seed_demo", stdout=io.StringIO())
    else:
        _restore(_demo_snapshot)
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
