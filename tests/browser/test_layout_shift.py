"""No main page moves under the reader's eyes while its parts arrive.

Parts of several pages come after the page itself, through htmx: the notification
bell's count, the similar innovations beside a plan, a report's progress. On a slow
connection they arrive after the page has been drawn; whatever they push down moves
under the reader (Lighthouse counts it as layout shift, CLS, with a goal below 0.1).
Here every htmx request of the page is held back for a moment, on a phone's screen, and
the layout shifts that follow are summed (every one, not only the worst window as
Lighthouse does): each page stays below the goal."""

import time
from pprint import pformat

import pytest

from .conftest import login
from .test_all_pages import DEMO_PASSWORD, ROLES, pages_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GOAL = 0.1
HELD_SECONDS = 0.6

# Sums the page's layout shifts from its first paint, with the element that moved most.
OBSERVE = """
window.__shifts = [];
new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
        if (entry.hadRecentInput) continue;
        const moved = (entry.sources || []).map(source => {
            const node = source.node;
            if (!node || !node.tagName) return '?';
            return node.tagName.toLowerCase() + (node.id ? '#' + node.id : '')
                + (node.className && typeof node.className === 'string'
                   ? '.' + node.className.trim().split(/\\s+/).join('.') : '');
        });
        window.__shifts.push({value: entry.value, moved});
    }
}).observe({type: 'layout-shift', buffered: true});
"""


def _hold_htmx(route) -> None:
    """Answers an htmx request only after a moment, as on a slow connection."""
    if route.request.headers.get("hx-request") == "true":
        time.sleep(HELD_SECONDS)
    route.continue_()


def test_no_main_page_moves_while_its_parts_arrive(demo_province, new_context):
    moved = {}
    for username in ROLES:
        context = new_context(viewport={"width": 412, "height": 823}, is_mobile=True)
        page = context.new_page()
        login(page, username, DEMO_PASSWORD)
        paths = pages_of(page, username)
        context.add_init_script(OBSERVE)
        context.route("**/*", _hold_htmx)
        for path in paths:
            assert page.goto(path).status == 200, (username, path)
            page.wait_for_load_state("networkidle")
            shifts = page.evaluate("window.__shifts")
            total = sum(shift["value"] for shift in shifts)
            if total >= GOAL:
                moved[(username, path)] = (round(total, 3), shifts)
        context.close()
    assert moved == {}, pformat(moved, width=100)
