"""No module of the project grows past 500 lines: a module that does becomes a package
split by subject (docs/architecture.md, "The rooms of an app"). Migrations and tests are
left out; they are written, not read, line by line."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 500
SKIPPED = {"migrations", "tests", ".venv", "var", "node_modules", "__pycache__"}


def long_modules(root: Path = ROOT, limit: int = LIMIT) -> dict[str, int]:
    """Every .py file of the checkout over `limit` lines, with its number of lines."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if any(part in SKIPPED or part.startswith(".") for part in parts[:-1]):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found[str(path.relative_to(root))] = lines
    return found


def test_the_check_counts_lines_and_skips_migrations_and_tests(tmp_path):
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "views.py").write_text("x = 1\n" * 4)
    (tmp_path / "app" / "models.py").write_text("x = 1\n" * 3)
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 9)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_views.py").write_text("x = 1\n" * 9)
    assert long_modules(tmp_path, limit=3) == {"app/views.py": 4}


def test_no_module_of_the_project_is_over_500_lines():
    assert long_modules() == {}
