"""The project's packages import one another without a circle.

The graph is read from the source with `ast`, every import statement counted, those
inside a function too: a lazy import that closes a circle still ties the two modules
together (a task reaching back into the service that enqueues it), it only hides the
circle from the interpreter. Services publish their tasks by name
(`agenplan.outbox.publish`), so a task module may import its services at the top.
"""

import ast
from pathlib import Path

import pytest

from agenplan.outbox import task_named
from agents.invitations import INVITATION_TASK, RESET_TASK
from agents.notifications import MAIL_TASK
from assessment.services.runs import RUN_TASK
from reports.services import outbox

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "agenplan",
    "agencies",
    "agents",
    "plans",
    "assessment",
    "monitoring",
    "reports",
    "gallery",
    "reference",
    "demo",
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _imports(tree: ast.Module):
    """Every import statement of a module: at the top, in `if` or `try` blocks, and inside
    functions and methods."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def _known(name: str, modules) -> str | None:
    """The longest prefix of a dotted name that is one of the project's modules."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(module: str, path: Path, node, modules) -> set[str]:
    if isinstance(node, ast.Import):
        return {t for alias in node.names if (t := _known(alias.name, modules))}
    if node.level:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        parts = package.split(".")
        if node.level > 1:
            parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, node.module] if node.module else parts)
    else:
        base = node.module or ""
    found = set()
    for alias in node.names:
        # `from package import submodule` depends on the submodule, else on the module.
        target = _known(f"{base}.{alias.name}", modules) or _known(base, modules)
        if target:
            found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _project_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges = set()
        for node in _imports(tree):
            edges |= _targets(module, path, node, modules)
        # A package's __init__ re-exporting its own submodules is not a dependency of
        # those submodules on the package: only the package -> child edges are dropped.
        graph[module] = {t for t in edges if t != module and not t.startswith(module + ".")}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that ends where it starts, or None (iterative DFS)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following) :], following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph.get(following, ()))))
    return None


def test_find_cycle_reports_a_circle_and_accepts_a_chain():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_function_local_imports_are_edges_too():
    tree = ast.parse(
        "import os\ndef f():\n    import sys\ntry:\n    import json\nexcept Exception:\n    pass\n"
    )
    names = sorted(alias.name for node in _imports(tree) for alias in node.names)
    assert names == ["json", "os", "sys"]


def test_the_graph_covers_the_layers():
    graph = import_graph()
    assert "plans.services.workflow" in graph["assessment.services.decision"]
    # A task module imports its services; the services name the task, never import it.
    assert "agents.notifications" in graph["agents.tasks"]
    assert "agents.tasks" not in graph["agents.notifications"]
    assert "assessment.services.runs" in graph["assessment.tasks"]
    assert "reports.services" in graph["reports.tasks"]
    # Function-local imports count: each app's ready() registers its tasks.
    assert "assessment.tasks" in graph["assessment.apps"]


def test_every_task_a_service_names_is_registered():
    """The names the services publish are tasks that Django's start registered."""
    names = [
        MAIL_TASK,
        INVITATION_TASK,
        RESET_TASK,
        RUN_TASK,
        outbox.RENDER_REPORT,
        outbox.RENDER_PACKET_CHUNK,
        outbox.ASSEMBLE_PACKETS,
    ]
    assert [task_named(name).name for name in names] == names


def test_the_project_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    if cycle is not None:
        pytest.fail("import cycle: " + " -> ".join(cycle))


# The apps in their line (docs/architecture.md): each imports only from apps to its left.
# `agenplan` is below them all, except its URL configuration, which mounts every app.
APP_LINE = ["agencies", "agents", "plans", "assessment", "monitoring", "reports", "gallery", "demo"]
MOUNTS_THE_APPS = {"agenplan.urls", "agenplan.api_urls"}


def imports_against_the_line(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(module, imported module) for every import that points right along the app line,
    or from `agenplan` (but its URL configuration) into an app."""
    found = []
    for module, targets in graph.items():
        own = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other not in APP_LINE:
                continue
            if own == "agenplan" and module not in MOUNTS_THE_APPS:
                found.append((module, target))
            elif own in APP_LINE and APP_LINE.index(other) > APP_LINE.index(own):
                found.append((module, target))
    return sorted(found)


def test_the_line_check_finds_an_import_to_the_right():
    graph = {
        "assessment.selectors.queue": {"reports.cache", "plans.models"},
        "reports.views": {"assessment.models"},
        "agenplan.outbox": {"plans.models"},
        "agenplan.urls": {"reports.urls"},
    }
    assert imports_against_the_line(graph) == [
        ("agenplan.outbox", "plans.models"),
        ("assessment.selectors.queue", "reports.cache"),
    ]


def test_every_app_imports_only_from_its_left():
    assert imports_against_the_line(import_graph()) == []
