"""The repository explains itself: no source, template or document outside `docs/` points
to a file that is not in the repository (a contract or a style guide kept elsewhere).

The forbidden names are built from pieces so that this file does not match itself.
"""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Folders of the checkout that are not the project's text: the virtualenv, local data,
# and docs/, whose pages may name one another.
SKIPPED = {".venv", "var", "docs", ".git", "node_modules", "__pycache__"}
SUFFIXES = {".py", ".md", ".html"}
FORBIDDEN = re.compile(
    "|".join(re.escape(name) for name in ("shared" + "/", "SPEC" + ".md", "STYLE" + ".md"))
)


def outside_references(root: Path = ROOT) -> list[str]:
    """`path:line: text` of every line that names a file kept outside the repository."""
    found = []
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(
            d for d in subfolders if not (d in SKIPPED or (here == root and d.startswith(".")))
        )
        for name in sorted(files):
            path = here / name
            if path.suffix not in SUFFIXES:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                if FORBIDDEN.search(line):
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_the_check_finds_a_reference_to_an_outside_file(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text("x = 1\n# as " + "SPEC" + ".md says\n")
    (tmp_path / "app" / "notes.txt").write_text("SPEC" + ".md\n")  # not a checked kind
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("see " + "STYLE" + ".md\n")
    assert outside_references(tmp_path) == ["app/views.py:2: # as " + "SPEC" + ".md says"]


def test_no_file_of_the_project_points_outside_the_repository():
    assert outside_references() == []
