"""The trimmed Bootstrap and icon files (scripts/trim_css.py) keep everything the pages use."""

import importlib.util
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "static" / "build"
FULL_CSS = ROOT / "static" / "vendor" / "bootstrap" / "css" / "bootstrap.min.css"
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
TEMPLATE_TAG = re.compile(r"\{[{%].*?[}%]\}")
CLASS_IN_CSS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")


def _script():
    spec = importlib.util.spec_from_file_location("trim_css", ROOT / "scripts" / "trim_css.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _template_classes() -> dict[str, set[str]]:
    """{class: templates} of every literal class in a class attribute (template tags
    removed: what they print is checked through the words the script reads)."""
    found: dict[str, set[str]] = {}
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]:
        text = path.read_text(encoding="utf-8")
        for value in CLASS_ATTRIBUTE.findall(text):
            for name in TEMPLATE_TAG.sub(" ", value).split():
                if re.fullmatch(r"[A-Za-z_-][\w-]*", name):
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _icons(css: str) -> set[str]:
    return set(re.findall(r"\.bi-([a-z0-9-]+)::before", css))


def _selectors(script, css: str) -> set[str]:
    """Every selector of a style sheet, inside @media and @supports blocks too."""
    found = set()

    def walk(rules):
        for rule in rules:
            if rule.type == "qualified-rule":
                found.update(script._split_selectors(rule.prelude))
            elif rule.type == "at-rule" and rule.content is not None:
                if rule.lower_at_keyword in ("media", "supports", "container", "layer"):
                    walk(script.tinycss2.parse_rule_list(rule.content, skip_whitespace=True))

    walk(script.tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return found


def test_every_bootstrap_rule_for_the_classes_in_templates_is_shipped():
    """A Bootstrap selector made only of classes written in templates (`.btn`,
    `.navbar-expand-lg .navbar-nav`, ...) is in the shipped file."""
    script = _script()
    used = _template_classes()
    full = _selectors(script, FULL_CSS.read_text(encoding="utf-8"))
    shipped = _selectors(script, (BUILD / "bootstrap.min.css").read_text(encoding="utf-8"))
    wanted = {
        selector
        for selector in full
        if (names := set(CLASS_IN_CSS.findall(selector))) and names <= used.keys()
    }
    assert len(wanted) > 200
    missing = sorted(wanted - shipped)
    assert not missing, f"run scripts/trim_css.py: {missing[:20]}"
    shipped_classes = {name for s in shipped for name in CLASS_IN_CSS.findall(s)}
    assert {"navbar", "dropdown-menu", "btn-outline-light", "visually-hidden"} <= shipped_classes


def test_every_icon_in_templates_and_code_is_shipped_with_its_glyph():
    css = (BUILD / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    shipped = _icons(css)
    named = set()
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]:
        named.update(re.findall(r"\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)\b", path.read_text("utf-8")))
    for path in (ROOT / "static" / "js").glob("*.js"):
        named.update(re.findall(r"\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)\b", path.read_text("utf-8")))
    from agents.context_processors import NAVIGATION  # noqa: PLC0415

    named.update(icon for links in NAVIGATION.values() for _url, _label, icon in links)
    assert not sorted(named - shipped), "run scripts/trim_css.py"
    assert {"person-circle", "kanban", "box-arrow-right"} <= named
    codes = {int(code, 16) for code in re.findall(r'content:"\\([0-9a-f]+)"', css)}
    cmap = TTFont(BUILD / "bootstrap-icons.woff2").getBestCmap()
    assert codes and codes <= set(cmap)


BUILT = [
    "bootstrap.min.css",
    "bootstrap-icons.min.css",
    "bootstrap-icons.woff2",
    "noto-sans.css",
    "fonts/NotoSans-Regular.woff2",
    "fonts/NotoSans-Italic.woff2",
    "fonts/NotoSans-Bold.woff2",
    "fonts/NotoSans-BoldItalic.woff2",
]


@pytest.mark.parametrize("name", BUILT)
def test_the_shipped_files_are_what_the_script_makes_from_todays_sources(name):
    built = {str(path.relative_to(BUILD)): data for path, data in _script().build().items()}
    assert (BUILD / name).read_bytes() == built[name], "run scripts/trim_css.py and commit"


def test_a_class_missing_from_the_sources_is_dropped_and_one_named_is_kept():
    script = _script()
    css = script.build_bootstrap({"btn"}, {"alert-"})
    shipped = set(CLASS_IN_CSS.findall(css))
    assert {"btn", "alert-info", "alert-danger"} <= shipped
    assert not {"carousel", "navbar", "btn-primary"} & shipped


def test_font_fallbacks_follow_noto_sans():
    fallback = ROOT / "static" / "fonts" / "fallback.css"
    css = fallback.read_text(encoding="utf-8")
    assert css.count("size-adjust:") == 6
    for family in ("Arial", "Roboto", "DejaVu"):
        assert f'"AgenPlan Fallback {family}"' in (ROOT / "static/css/agenplan.css").read_text()


def test_the_page_fonts_draw_every_character_of_the_templates_and_translations():
    """A character the interface writes (Indonesian or English) that the subset of Noto
    Sans lacks would be drawn in another font, in a line of different width."""
    written = set()
    sources = [
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("*/templates/**/*.html"),
        *ROOT.glob("locale/*/LC_MESSAGES/django.po"),
    ]
    for path in sources:
        written.update(ord(character) for character in path.read_text(encoding="utf-8"))
    css = (BUILD / "noto-sans.css").read_text(encoding="utf-8")
    for name in ("NotoSans-Regular", "NotoSans-Italic", "NotoSans-Bold", "NotoSans-BoldItalic"):
        assert f"url('fonts/{name}.woff2')" in css
        whole = set(TTFont(ROOT / "static" / "fonts" / "noto-sans" / f"{name}.woff2").getBestCmap())
        shipped = set(TTFont(BUILD / "fonts" / f"{name}.woff2").getBestCmap())
        missing = {chr(code) for code in (written & whole) - shipped}
        assert not missing, f"{name} lacks {sorted(missing)}: run scripts/trim_css.py"
        assert {ord("é"), ord("—"), ord("−"), ord("Ł")} <= shipped
        assert ord("Ơ") in whole and ord("Ơ") not in shipped  # Vietnamese: not written


def test_the_pages_load_the_subset_fonts_and_preload_the_upright_ones():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert "build/noto-sans.css" in base and "fonts/fonts.css" not in base
    for name in ("NotoSans-Regular", "NotoSans-Bold"):
        assert f"build/fonts/{name}.woff2" in base
