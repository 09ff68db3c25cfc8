"""Build the trimmed Bootstrap CSS and the Bootstrap Icons subset under static/build/.

    .venv/bin/python scripts/trim_css.py          # rebuild static/build/ (commit the result)
    .venv/bin/python scripts/trim_css.py --check  # exit 1 if static/build/ is out of date

Pages load static/build/bootstrap.min.css and static/build/bootstrap-icons.min.css instead
of the full vendored files (static/vendor/, 232 KB and 87 KB + a 134 KB font, of which a
page uses a small part). The inputs are the vendored files (scripts/vendor_assets.sh) and
every word of the project's templates, JavaScript and Python, crispy-bootstrap5's
templates (the forms' markup) and Bootstrap's own JavaScript (the classes it adds: show,
collapsing, modal-backdrop, ...).

A Bootstrap rule is kept when every class in one of its selectors is such a word, so a
class named anywhere (a template, a string in Python, a classList call) is kept; a
template that builds a class from a prefix (`alert-{{ level }}`, `'prefix-' + x` in
JavaScript) keeps every class with that prefix. An icon is kept when `bi-NAME` is written
somewhere or NAME is a quoted string (the sidebar's icons are named in Python). The icon
font is subset with fontTools to the kept icons' code points.

Noto Sans (static/fonts/noto-sans/, 68-72 KB a style, used whole by the PDFs) is subset
for the pages to Latin-1, Latin Extended-A (names), the common punctuation, arrows and
signs, and every other character the sources and the translations write (about 21 KB a
style): static/build/fonts/ and static/build/noto-sans.css. A character outside it (a
name typed in another script) is drawn in the next font of the page's font stack.

tests/test_trimmed_css.py fails when a template uses a class or icon that the shipped
files lack, and when static/build/ is not what this script makes from today's sources.
"""

import io
import os
import re
import sys
from pathlib import Path

import tinycss2
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
BUILD = STATIC / "build"
BOOTSTRAP_CSS = STATIC / "vendor" / "bootstrap" / "css" / "bootstrap.min.css"
BOOTSTRAP_JS = STATIC / "vendor" / "bootstrap" / "js" / "bootstrap.bundle.min.js"
HTMX_JS = STATIC / "vendor" / "htmx" / "htmx.min.js"
ICONS_CSS = STATIC / "vendor" / "bootstrap-icons" / "bootstrap-icons.min.css"
ICONS_WOFF2 = STATIC / "vendor" / "bootstrap-icons" / "fonts" / "bootstrap-icons.woff2"
OUT_CSS = BUILD / "bootstrap.min.css"
OUT_ICONS_CSS = BUILD / "bootstrap-icons.min.css"
OUT_ICONS_FONT = BUILD / "bootstrap-icons.woff2"
NOTO = STATIC / "fonts" / "noto-sans"
OUT_TEXT_CSS = BUILD / "noto-sans.css"
OUT_TEXT_FONTS = BUILD / "fonts"
# (file, font-style, font-weight) of the faces the pages use.
TEXT_FACES = [
    ("NotoSans-Regular", "normal", 400),
    ("NotoSans-Italic", "italic", 400),
    ("NotoSans-Bold", "normal", 700),
    ("NotoSans-BoldItalic", "italic", 700),
]
# Basic Latin, Latin-1, Latin Extended-A, general punctuation, euro, trade mark, arrows,
# minus, less/greater-or-equal.
TEXT_RANGES = [
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x2010, 0x2027),
    (0x2030, 0x203A),
    (0x20AC, 0x20AC),
    (0x2122, 0x2122),
    (0x2190, 0x2193),
    (0x2212, 0x2212),
    (0x2264, 0x2265),
]

# Folders that are not the product's source (tools, data, tests, generated files).
SKIP_DIRS = {".venv", ".git", "node_modules", "var", "tests", "benchmarks", "static", "locale"}
WORD = re.compile(r"[A-Za-z0-9_-]+")
QUOTED = re.compile(r"""["']([a-z0-9-]+)["']""")
# `prefix-{{ ... }}` or `prefix-{% ... %}` in a template's class attribute; `'prefix-' +`
# in JavaScript.
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
TEMPLATE_PREFIX = re.compile(r"([A-Za-z0-9_-]+-)\{[{%]")
JS_PREFIX = re.compile(r"""["']([A-Za-z0-9_-]+-)["']\s*\+""")
CLASS_IN_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
ICON_RULE = re.compile(r'\.bi-([a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')


def _sources() -> list[Path]:
    files = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in SKIP_DIRS]
        path = Path(folder)
        if "migrations" in path.parts:
            continue
        files.extend(
            path / name
            for name in names
            if name.endswith(".py") or ("templates" in path.parts and name.endswith(".html"))
        )
    files.extend(sorted((STATIC / "js").glob("*.js")))
    return sorted(files)


def _crispy_templates() -> list[Path]:
    import crispy_bootstrap5  # noqa: PLC0415 - a dependency of the project, located here

    return sorted(Path(crispy_bootstrap5.__file__).parent.glob("templates/**/*.html"))


def collect() -> tuple[set[str], set[str], set[str]]:
    """The words of the sources, the class prefixes built in templates and JavaScript,
    and the quoted strings (candidate icon names)."""
    words: set[str] = set()
    prefixes: set[str] = set()
    quoted: set[str] = set()
    for path in [*_sources(), *_crispy_templates(), BOOTSTRAP_JS, HTMX_JS]:
        text = path.read_text(encoding="utf-8")
        words.update(WORD.findall(text))
        if path in (BOOTSTRAP_JS, HTMX_JS):
            continue
        quoted.update(QUOTED.findall(text))
        for value in CLASS_ATTRIBUTE.findall(text):
            prefixes.update(TEMPLATE_PREFIX.findall(value))
        if path.suffix == ".js":
            prefixes.update(JS_PREFIX.findall(text))
    prefixes.discard("bi-")
    return words, prefixes, quoted


def _class_kept(name: str, words: set[str], prefixes: set[str]) -> bool:
    return name in words or any(name.startswith(prefix) for prefix in prefixes)


def _split_selectors(prelude) -> list[str]:
    """A rule's selector list, split at its top-level commas."""
    selectors, current = [], []
    for token in prelude:  # a function's arguments are inside its token: not split here
        if token.type == "literal" and token.value == ",":
            selectors.append(tinycss2.serialize(current).strip())
            current = []
        else:
            current.append(token)
    selectors.append(tinycss2.serialize(current).strip())
    return [s for s in selectors if s]


def _trim_rules(rules, words: set[str], prefixes: set[str]) -> list[str]:
    out = []
    for rule in rules:
        if rule.type in ("whitespace", "comment"):
            continue
        if rule.type == "qualified-rule":
            kept = [
                selector
                for selector in _split_selectors(rule.prelude)
                if all(
                    _class_kept(name, words, prefixes)
                    for name in CLASS_IN_SELECTOR.findall(selector)
                )
            ]
            if kept:
                body = tinycss2.serialize(rule.content).strip()
                out.append(f"{','.join(kept)}{{{body}}}")
        elif rule.type == "at-rule":
            prelude = tinycss2.serialize(rule.prelude).strip()
            if rule.content is None:
                out.append(f"@{rule.at_keyword} {prelude};")
            elif rule.lower_at_keyword in ("media", "supports", "container", "layer"):
                inner = _trim_rules(
                    tinycss2.parse_rule_list(rule.content, skip_whitespace=True),
                    words,
                    prefixes,
                )
                if inner:
                    out.append(f"@{rule.at_keyword} {prelude}{{{''.join(inner)}}}")
            else:  # @keyframes, @font-face, ...: kept as they are
                out.append(f"@{rule.at_keyword} {prelude}{{{tinycss2.serialize(rule.content)}}}")
    return out


def build_bootstrap(words: set[str], prefixes: set[str]) -> str:
    source = BOOTSTRAP_CSS.read_text(encoding="utf-8")
    banner = source[: source.index("*/") + 2] if source.startswith("/*") else ""
    rules = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    note = "/* Trimmed to the classes AgenPlan uses by scripts/trim_css.py: do not edit. */"
    return f"{banner}\n{note}\n{''.join(_trim_rules(rules, words, prefixes))}\n"


def icons_in_use(words: set[str], quoted: set[str]) -> dict[str, str]:
    """{icon name: code point (hex)} of the icons named in the sources."""
    available = dict(ICON_RULE.findall(ICONS_CSS.read_text(encoding="utf-8")))
    named = {word[3:] for word in words if word.startswith("bi-")} | quoted
    return {name: available[name] for name in sorted(named) if name in available}


def build_icons(icons: dict[str, str]) -> tuple[str, bytes]:
    source = ICONS_CSS.read_text(encoding="utf-8")
    banner = source[: source.index("*/") + 2] if source.startswith("/*") else ""
    base = re.search(r'\.bi::before,\[class\*=" bi-"\]::before,[^{]*\{[^}]*\}', source)
    if base is None:
        raise SystemExit("bootstrap-icons.min.css: the .bi::before rule was not found")
    face = (
        "@font-face{font-display:block;font-family:bootstrap-icons;"
        'src:url("bootstrap-icons.woff2") format("woff2")}'
    )
    rules = "".join(f'.bi-{name}::before{{content:"\\{code}"}}' for name, code in icons.items())
    note = "/* Only the icons AgenPlan uses, made by scripts/trim_css.py: do not edit. */"
    css = f"{banner}\n{note}\n{face}{base.group(0)}{rules}\n"

    return css, _subset_woff2(ICONS_WOFF2, {int(code, 16) for code in icons.values()})


def _subset_woff2(path: Path, unicodes: set[int]) -> bytes:
    font = TTFont(path, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(unicodes))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer)
    return buffer.getvalue()


def text_characters() -> set[int]:
    """TEXT_RANGES and every character of the sources and the translations."""
    wanted = {code for first, last in TEXT_RANGES for code in range(first, last + 1)}
    for path in [*_sources(), *sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))]:
        wanted.update(ord(character) for character in path.read_text(encoding="utf-8"))
    return {code for code in wanted if code >= 0x20}


def build_text_fonts() -> dict[Path, bytes]:
    wanted = text_characters()
    outputs = {}
    faces = []
    for name, style, weight in TEXT_FACES:
        source = NOTO / f"{name}.woff2"
        available = set(TTFont(source).getBestCmap())
        outputs[OUT_TEXT_FONTS / f"{name}.woff2"] = _subset_woff2(source, wanted & available)
        faces.append(
            f"@font-face {{\n  font-family: 'Noto Sans';\n  font-style: {style};\n"
            f"  font-weight: {weight};\n  font-display: swap;\n"
            f"  src: url('fonts/{name}.woff2') format('woff2');\n}}\n"
        )
    note = (
        "/* Noto Sans (SIL OFL 1.1, ../fonts/noto-sans/OFL.txt) subset to the characters\n"
        "   AgenPlan writes, made by scripts/trim_css.py: do not edit. */\n"
    )
    outputs[OUT_TEXT_CSS] = (note + "\n".join(faces)).encode()
    return outputs


def build() -> dict[Path, bytes]:
    words, prefixes, quoted = collect()
    icons_css, icons_font = build_icons(icons_in_use(words, quoted))
    return {
        OUT_CSS: build_bootstrap(words, prefixes).encode(),
        OUT_ICONS_CSS: icons_css.encode(),
        OUT_ICONS_FONT: icons_font,
        **build_text_fonts(),
    }


def main(argv: list[str]) -> int:
    outputs = build()
    if "--check" in argv:
        stale = [
            path for path, data in outputs.items() if not path.exists() or path.read_bytes() != data
        ]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run scripts/trim_css.py")
        return 1 if stale else 0
    OUT_TEXT_FONTS.mkdir(parents=True, exist_ok=True)
    for path, data in outputs.items():
        path.write_bytes(data)
        print(f"{path.relative_to(ROOT)}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
