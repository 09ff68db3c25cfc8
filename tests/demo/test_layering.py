"""The demo data sit at the top of the house: no other package imports `demo`."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "agenplan",
    "agencies",
    "agents",
    "plans",
    "assessment",
    "reference",
    "reports",
    "gallery",
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_package_imports_the_demo_app():
    importers = sorted(
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if any(name == "demo" or name.startswith("demo.") for name in imported_modules(path))
    )
    assert importers == []


def test_the_reference_loader_imports_no_report_or_demo_code():
    modules = set()
    for path in (ROOT / "reference").rglob("*.py"):
        modules |= imported_modules(path)
    assert sorted(m for m in modules if m.split(".")[0] in {"reports", "demo"}) == []
